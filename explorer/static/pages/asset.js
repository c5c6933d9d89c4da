// An asset (#/asset/<id>[?after=<address>]): its definition, flags,
// roles, supply against its maximum (in its own decimals), and its
// holders, 25 a page. A collection of unique items says so: its supply
// counts live items and a holder's balance the items it owns.
import { el, append, show } from '../lib/dom.js';
import { num, short, units } from '../lib/format.js';
import { api, ApiError } from '../lib/api.js';
import { formatAssetAmount, isAssetID, rememberAsset } from '../lib/assets.js';
import { hashQuery } from '../lib/router.js';
import { errorBox, kv } from '../lib/views.js';

export async function assetPage(args, stale) {
  const id = String(args[0] || '').toLowerCase();
  if (!isAssetID(id)) {
    show(el('h1', null, 'Asset'), el('div', { class: 'error', id: 'notfound' }, 'Not an asset id (40 hex digits): “' + id + '”.'));
    return;
  }
  const after = hashQuery().get('after') || '';
  let a, h;
  try {
    [a, h] = await Promise.all([api('/assets/' + id),
      api('/assets/' + id + '/holders?limit=25' + (after ? '&after=' + encodeURIComponent(after) : ''))]);
  } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Asset ' + short(id)), errorBox(e, 'asset ' + id)); return; }
    throw e;
  }
  if (stale()) return;
  rememberAsset(a);
  const fmt = (n) => formatAssetAmount(a, n);
  const role = (addr) => (addr ? el('a', { href: '#/account/' + addr, class: 'hash' }, addr) : el('span', { class: 'muted' }, 'none'));
  const holders = h.holders || [];
  const rows = el('tbody', { id: 'holders' });
  for (const x of holders) {
    append(rows, [el('tr', null,
      el('td', null, el('a', { href: '#/account/' + x.address, class: 'hash' }, x.address)),
      el('td', { class: 'num holder-balance' }, fmt(x.balance)),
      el('td', null, x.frozen ? el('span', { class: 'badge bad' }, 'frozen') : ''))]);
  }
  const flags = a.flags || [];
  show(
    el('h1', null, a.unique ? 'Collection ' : 'Asset ', el('span', { id: 'asset-symbol' }, a.symbol), ' ', el('span', { class: 'muted', id: 'asset-name' }, a.name)),
    a.unique ? el('div', { class: 'notice', id: 'unique-note' }, 'A collection of unique items: its supply counts the live items, a holder\'s balance the items it owns. Each item has its own page and history.') : null,
    kv([
      ['Id', el('span', { class: 'hash', id: 'asset-id' }, a.id)],
      ['Symbol', a.symbol],
      ['Name', a.name],
      ['Type', a.unique ? 'collection of unique items' : 'fungible asset'],
      ['Decimals', a.unique ? null : String(a.decimals)],
      ['Supply', el('span', { id: 'asset-supply' }, fmt(a.supply))],
      ['Max supply', el('span', { id: 'asset-max' }, fmt(a.max_supply))],
      ['Supply used', a.max_supply ? el('span', { class: 'muted' }, pct(a.supply, a.max_supply)) : null],
      ['Holders', el('span', { id: 'asset-holders' }, num(a.holders))],
      ['Flags', flags.length ? el('span', { id: 'asset-flags' }, flags.map((f) => [el('span', { class: 'badge' }, f), ' '])) : el('span', { class: 'muted', id: 'asset-flags' }, 'none (fixed supply, no freezing, no clawback)')],
      ['Creator', role(a.creator)],
      ['Manager', role(a.manager)],
      ['Minter', role(a.minter)],
      ['Freezer', role(a.freezer)],
      ['Clawback', role(a.clawback)],
      ['Metadata hash', a.metadata_hash ? el('span', { class: 'hash' }, a.metadata_hash) : el('span', { class: 'muted' }, 'none')],
      ['Created', el('a', { href: '#/block/' + a.created_height }, 'block ' + num(a.created_height))],
    ], { id: 'asset' }),
    el('h2', null, 'Holders', after ? ' (more)' : ''),
    holders.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Address'),
      el('th', { class: 'num' }, a.unique ? 'Items' : 'Balance'), el('th', null, ''))), rows))
      : el('p', { class: 'muted', id: 'no-holders' }, after ? 'No more holders.' : 'Nobody holds it.'),
    el('div', { class: 'pager' },
      after ? el('a', { href: '#/asset/' + a.id }, 'first') : null,
      h.next ? el('a', { id: 'more', href: '#/asset/' + a.id + '?after=' + encodeURIComponent(h.next) }, 'next →') : null));
}

// pct says what share of max is used, to 2 decimals.
function pct(n, max) {
  const bp = (BigInt(n) * 10000n) / BigInt(max);
  return units(bp, 2) + '% of the maximum';
}
