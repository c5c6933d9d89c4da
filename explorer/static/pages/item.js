// A unique item (#/item/<collection>/<item id, URL-escaped>): its owner,
// metadata and state, and its whole history as a timeline, oldest first:
// its mint, hand-overs, attestations (tag and data hash) and burn, each
// with its tx, block and date.
import { el, append, clear, show } from '../lib/dom.js';
import { num, short, time } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { assetRef, isAssetID } from '../lib/assets.js';
import { hexBytes } from '../lib/hex.js';
import { errorBox, kv, txLink } from '../lib/views.js';

const pageSize = 200; // history entries per request
const autoPages = 5; // requests drawn at once before offering more

// itemIDProblem says what is wrong with an item id as the node reads it
// (text of 1-64 bytes, or "0x" + hex of 1-64 bytes); "" if nothing.
export function itemIDProblem(id) {
  if (!id) return 'an item id is 1 to 64 bytes of text, or 0x and hex';
  let n;
  if (id.startsWith('0x')) {
    const b = hexBytes(id.slice(2));
    if (!b || !b.length) return '0x must be followed by hex digits (two per byte)';
    n = b.length;
  } else n = new TextEncoder().encode(id).length;
  return n > 64 ? 'an item id is at most 64 bytes (this is ' + n + ')' : '';
}

export async function itemPage(args, stale) {
  const coll = String(args[0] || '').toLowerCase();
  const id = args.slice(1).join('/');
  const title = el('h1', null, 'Item');
  if (!isAssetID(coll)) {
    show(title, el('div', { class: 'error', id: 'notfound' }, 'Not a collection id (40 hex digits): “' + coll + '”.'));
    return;
  }
  const bad = itemIDProblem(id);
  if (bad) {
    show(title, el('div', { class: 'error', id: 'notfound' }, 'Not an item id: “' + id + '”: ' + bad + '.'));
    return;
  }
  const path = '/items/' + coll + '/' + encodeURIComponent(id);
  let it, h;
  try {
    [it, h] = await Promise.all([api(path), api(path + '/history?limit=' + pageSize)]);
  } catch (e) {
    if (e instanceof ApiError) {
      show(title, e.status === 404 ? el('div', { class: 'error', id: 'notfound' }, 'Not found: no item “' + id + '” in collection ' + coll + '. ', e.message) : errorBox(e, 'item'));
      return;
    }
    throw e;
  }
  if (stale()) return;
  const timeline = el('ol', { class: 'timeline', id: 'timeline' });
  const more = el('div', { class: 'pager' });
  show(
    el('h1', null, 'Item ', el('span', { id: 'item-id' }, it.item_id), ' ', it.burned ? el('span', { class: 'badge bad', id: 'item-state' }, 'burned') : el('span', { class: 'badge ok', id: 'item-state' }, 'live')),
    kv([
      ['Collection', assetRef(it.collection, true)],
      ['Item id', el('span', { class: 'hash' }, it.item_id)],
      ['Owner', it.burned ? el('span', { id: 'item-owner' }, el('span', { class: 'muted' }, 'none (burned)'),
        it.owner ? [', last ', el('a', { href: '#/account/' + it.owner, class: 'hash' }, it.owner)] : null)
        : el('a', { href: '#/account/' + it.owner, class: 'hash', id: 'item-owner' }, it.owner)],
      ['Metadata hash', it.metadata_hash ? el('span', { class: 'hash', id: 'item-metadata' }, it.metadata_hash) : el('span', { class: 'muted', id: 'item-metadata' }, 'none')],
      ['State', it.burned ? 'burned: retired for ever, its history stays' : 'live'],
      ['Minted', el('a', { href: '#/block/' + it.minted_height }, 'block ' + num(it.minted_height))],
    ], { id: 'item' }),
    el('h2', null, 'History'),
    el('p', { class: 'muted' }, 'Every tx that touched the item, oldest first.'),
    timeline, more);
  let next = addEvents(timeline, h);
  // Follow the history's pages: a few at once, then on request.
  const load = async (pages) => {
    for (let i = 0; i < pages && next; i++) {
      const p = await api(path + '/history?limit=' + pageSize + '&after=' + encodeURIComponent(next));
      if (stale()) return;
      next = addEvents(timeline, p);
    }
    clear(more);
    if (next) {
      append(more, [el('button', { id: 'more', onclick: async () => {
        try { await load(autoPages); } catch (e) { if (!(e instanceof NetError)) append(more, [errorBox(e)]); }
      } }, 'Show later entries')]);
    }
  };
  await load(autoPages - 1);
  if (!timeline.firstChild) append(timeline, [el('li', { class: 'muted' }, 'No history.')]);
}

const labels = { item_mint: 'Minted', item_transfer: 'Handed over', item_attest: 'Attested', item_burn: 'Burned' };

// addEvents draws a page of the history; it returns the next cursor.
function addEvents(ol, page) {
  for (const e of (page && page.history) || []) {
    const who = (a) => (a ? el('a', { href: '#/account/' + a, class: 'mono' }, short(a)) : el('span', { class: 'muted' }, '—'));
    let what;
    switch (e.kind) {
      case 'item_mint': what = ['to ', who(e.to), e.data_hash ? [', metadata ', el('span', { class: 'hash' }, e.data_hash)] : '']; break;
      case 'item_transfer': what = ['from ', who(e.from), ' to ', who(e.to)]; break;
      case 'item_attest': what = [el('span', { class: 'badge tag' }, e.tag), ' by ', who(e.from), ', data ', el('span', { class: 'hash data-hash' }, e.data_hash || '—')]; break;
      case 'item_burn': what = ['by ', who(e.from)]; break;
      default: what = [e.kind];
    }
    append(ol, [el('li', { class: 'event', 'data-kind': e.kind },
      el('div', { class: 'when' }, el('time', { datetime: e.time ? new Date(e.time).toISOString() : null }, time(e.time))),
      el('div', { class: 'what' }, el('strong', { class: 'label' }, labels[e.kind] || e.kind), ' ', what),
      el('div', { class: 'where muted' }, 'tx ', txLink(e.tx_id), ' · block ', el('a', { href: '#/block/' + e.height, class: 'block-link' }, num(e.height))))]);
  }
  return page && page.next;
}
