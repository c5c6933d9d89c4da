// Helpers shared by the renderers of protocol v2's kinds: a row for the
// kind, for addresses, assets, asset amounts and items, and the pieces
// of the one-line summaries that tables of txs show.
import { el } from '../lib/dom.js';
import { short } from '../lib/format.js';
import { assetAmount, assetRef, itemLink } from '../lib/assets.js';

// body returns the tx's body object ({} if it has none).
export function body(t) { return t.body && typeof t.body === 'object' && !Array.isArray(t.body) ? t.body : {}; }

export function kindRow(kind) { return ['Kind', el('span', { class: 'badge', id: 'tx-kind' }, kind)]; }

// addr shows an address in full, linked to its account; none for "".
export function addr(a) {
  return a ? el('a', { href: '#/account/' + a, class: 'hash' }, a) : el('span', { class: 'muted' }, 'none');
}

// hash shows a hash in full; none for "".
export function hash(h) { return h ? el('span', { class: 'hash' }, h) : el('span', { class: 'muted' }, 'none'); }

export function assetRow(id, label) { return [label || 'Asset', assetRef(id, true)]; }
export function amountRow(id, n, label) { return [label || 'Amount', assetAmount(id, n)]; }

// itemRows names an item: its collection and its id (linked to its page).
export function itemRows(b) {
  return [['Collection', assetRef(b.collection, true)], ['Item', el('span', { class: 'hash' }, itemLink(b.collection, b.item_id))]];
}

// Summaries: a short account link, an item "id of SYMBOL".
export function who(a) { return a ? el('a', { href: '#/account/' + a, class: 'mono' }, short(a)) : el('span', { class: 'muted' }, 'nobody'); }
export function item(b) { return ['item ', itemLink(b.collection, b.item_id), ' of ', assetRef(b.collection)]; }
