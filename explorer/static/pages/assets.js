// The assets (#/assets[?after=<asset id>]): native assets and unique
// collections in id order, 25 a page.
import { el, append, show } from '../lib/dom.js';
import { num } from '../lib/format.js';
import { api, ApiError } from '../lib/api.js';
import { assetHref, formatAssetAmount, isAssetID, rememberAsset } from '../lib/assets.js';
import { hashQuery } from '../lib/router.js';
import { errorBox } from '../lib/views.js';

export async function assetsPage(args, stale) {
  const after = hashQuery().get('after') || '';
  if (after && !isAssetID(after)) {
    show(el('h1', null, 'Assets'), el('div', { class: 'error', id: 'notfound' }, 'Not an asset id (40 hex digits): “' + after + '”.'));
    return;
  }
  let l;
  try { l = await api('/assets?limit=25' + (after ? '&after=' + after : '')); } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Assets'), errorBox(e, 'assets')); return; }
    throw e;
  }
  if (stale()) return;
  const list = l.assets || [];
  const rows = el('tbody', { id: 'assets' });
  for (const a of list) {
    rememberAsset(a);
    append(rows, [el('tr', { 'data-asset': a.id },
      el('td', null, el('a', { href: assetHref(a.id), class: 'asset-symbol' }, a.symbol)),
      el('td', { class: 'asset-name' }, a.name),
      el('td', null, a.unique ? el('span', { class: 'badge' }, 'unique items') : el('span', { class: 'muted' }, 'asset')),
      el('td', { class: 'num' }, formatAssetAmount(a, a.supply)),
      el('td', { class: 'num' }, num(a.holders)),
      el('td', { class: 'hide-narrow' }, el('a', { href: assetHref(a.id), class: 'mono' }, a.id)))]);
  }
  show(
    el('h1', null, 'Assets', after ? ' (more)' : ''),
    el('p', { class: 'muted' }, 'Native assets and collections of unique items, in id order.'),
    list.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Symbol'), el('th', null, 'Name'),
      el('th', null, 'Type'), el('th', { class: 'num' }, 'Supply'), el('th', { class: 'num' }, 'Holders'), el('th', { class: 'hide-narrow' }, 'Id'))), rows))
      : el('p', { class: 'muted', id: 'no-assets' }, after ? 'No more assets.' : 'No assets yet.'),
    el('div', { class: 'pager' },
      after ? el('a', { href: '#/assets' }, 'first') : null,
      l.next ? el('a', { id: 'more', href: '#/assets?after=' + l.next }, 'next →') : null));
}
