// An account (#/account/<address>[?before=<cursor>]): its balance and
// nonce, and its history, one page of 25 txs at a time.
import { el, append, show } from '../lib/dom.js';
import { amount, num } from '../lib/format.js';
import { api, ApiError } from '../lib/api.js';
import { acctLink, blockLink, errorBox, kv, txLink } from '../lib/views.js';

export async function accountPage(args, stale) {
  const before = new URLSearchParams(location.hash.split('?')[1] || '').get('before');
  const addr = (args[0] || '').split('?')[0];
  let a, h;
  try {
    [a, h] = await Promise.all([api('/accounts/' + encodeURIComponent(addr)),
      api('/accounts/' + encodeURIComponent(addr) + '/txs?limit=25' + (before ? '&before=' + encodeURIComponent(before) : ''))]);
  } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Account'), errorBox(e, 'account ' + addr)); return; }
    throw e;
  }
  if (stale()) return;
  const body = el('tbody', { id: 'history' });
  for (const i of h.txs || []) {
    const t = i.tx || {};
    const out = t.from_address === a.address;
    append(body, [el('tr', null,
      el('td', null, txLink(t.id)),
      el('td', null, el('span', { class: 'badge ' + (i.status === 'confirmed' ? 'ok' : 'warn') }, i.status)),
      el('td', null, out ? 'to ' : 'from ', acctLink(out ? t.to : t.from_address)),
      el('td', { class: 'num' }, (out ? '-' : '+') + amount(t.amount)),
      el('td', { class: 'num hide-narrow' }, out ? amount(t.fee) : ''),
      el('td', { class: 'num hide-narrow' }, i.status === 'confirmed' ? blockLink(i.block_hash, num(i.height)) : ''))]);
  }
  show(
    el('h1', null, 'Account'),
    kv([
      ['Address', el('span', { class: 'hash' }, a.address)],
      ['Balance', el('span', { id: 'balance' }, amount(a.balance))],
      ['Nonce', String(a.nonce)],
      ['Pending balance', amount(a.pending_balance)],
      ['Pending nonce', String(a.pending_nonce)],
    ]),
    el('h2', null, 'History', before ? ' (older)' : ''),
    (h.txs || []).length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'Status'),
      el('th', null, 'Counterparty'), el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num hide-narrow' }, 'Fee'), el('th', { class: 'num hide-narrow' }, 'Block'))), body))
      : el('p', { class: 'muted' }, 'No transactions.'),
    el('div', { class: 'pager' },
      before ? el('a', { href: '#/account/' + a.address }, 'newest') : null,
      h.next ? el('a', { id: 'more', href: '#/account/' + a.address + '?before=' + h.next }, 'older →') : null));
}
