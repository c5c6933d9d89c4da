// The node's peers (#/peers) and its bans, refreshed every 5 s.
import { el, append, show } from '../lib/dom.js';
import { num } from '../lib/format.js';
import { api, NetError } from '../lib/api.js';
import { every } from '../lib/router.js';

export async function peersPage(args, stale) {
  await draw(stale);
  if (stale()) return;
  every(5000, () => { if (!stale()) draw(stale).catch(() => {}); });
}

async function draw(stale) {
  const peers = await api('/peers');
  let bans = null;
  try { bans = await api('/peers/bans'); } catch (e) { if (e instanceof NetError) throw e; }
  if (stale()) return;
  const list = Array.isArray(peers) ? peers : (peers && peers.peers) || [];
  const body = el('tbody');
  for (const p of list) {
    append(body, [el('tr', null, el('td', { class: 'hash' }, p.id), el('td', { class: 'hash hide-narrow' }, (p.addrs || []).join(' ')),
      el('td', null, p.direction), el('td', { class: 'num' }, num(p.height)), el('td', { class: 'num' }, num(p.latency_ms, 1) + ' ms'))]);
  }
  const banList = Array.isArray(bans) ? bans : (bans && bans.bans) || [];
  const bbody = el('tbody');
  for (const b of banList) {
    append(bbody, [el('tr', null, el('td', { class: 'hash' }, b.peer_id), el('td', null, new Date(b.until).toISOString()), el('td', null, b.reason))]);
  }
  show(
    el('h1', null, 'Peers (', String(list.length), ')'),
    list.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'ID'), el('th', { class: 'hide-narrow' }, 'Address'),
      el('th', null, 'Direction'), el('th', { class: 'num' }, 'Height'), el('th', { class: 'num' }, 'Latency'))), body))
      : el('p', { class: 'muted' }, 'No connected peers.'),
    bans !== null ? el('h2', null, 'Bans') : null,
    bans !== null ? (banList.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Peer'), el('th', null, 'Until'), el('th', null, 'Reason'))), bbody))
      : el('p', { class: 'muted' }, 'No banned peers.')) : null);
}
