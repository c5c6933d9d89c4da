// Assets and unique items as the pages and tx renderers show them. An
// asset's definition is fetched once and cached (its symbol, name,
// decimals and flags never change), so a table of many txs of one asset
// asks the node once. Amounts are integer base units of the asset, shown
// with its own decimals and symbol; a unique collection counts items.
import { el, append, clear } from './dom.js';
import { api, ApiError } from './api.js';
import { short, units } from './format.js';
import { hexBytes, toHex } from './hex.js';

const cache = new Map(); // asset id -> the asset (GET /assets/{id})
const loading = new Map(); // asset id -> its pending load

// isAssetID says whether s is an asset id: 40 hex digits.
export function isAssetID(s) { return /^[0-9a-fA-F]{40}$/.test(String(s || '')); }

// loadAsset fetches an asset once (then answers from the cache); null if
// the node has no such asset. A NetError is thrown.
export function loadAsset(id) {
  id = String(id || '').toLowerCase();
  if (cache.has(id)) return Promise.resolve(cache.get(id));
  if (!isAssetID(id)) return Promise.resolve(null);
  let p = loading.get(id);
  if (!p) {
    p = api('/assets/' + id).then((a) => { cache.set(id, a); return a; }, (e) => {
      if (e instanceof ApiError) return null; // not cached: it may be created later
      throw e;
    }).finally(() => loading.delete(id));
    loading.set(id, p);
  }
  return p;
}

// rememberAsset puts an asset the page fetched itself into the cache.
export function rememberAsset(a) { if (a && isAssetID(a.id)) cache.set(a.id.toLowerCase(), a); }

// cachedAsset returns the asset if it is cached (else undefined).
export function cachedAsset(id) { return cache.get(String(id || '').toLowerCase()); }

// later returns a span drawn by draw(value) now if value is known, else
// drawn by draw(null) and again once get() resolves with the value.
function later(known, get, draw, attrs) {
  const span = el('span', attrs);
  if (known !== undefined) { append(span, [draw(known)]); return span; }
  append(span, [draw(null)]);
  get().then((v) => { if (v) { clear(span); append(span, [draw(v)]); } }).catch(() => {});
  return span;
}

// assetHref is the page of an asset.
export function assetHref(id) { return '#/asset/' + String(id || '').toLowerCase(); }

// formatAssetAmount formats n base units of asset a: "1.5 GOLD", or
// "3 items" for a unique collection.
export function formatAssetAmount(a, n) {
  if (a.unique) return String(n) + (Number(n) === 1 ? ' item' : ' items');
  return units(n, a.decimals) + ' ' + a.symbol;
}

// assetRef links to an asset by its symbol (its short id until the asset
// is loaded); with long set, also its name and id.
export function assetRef(id, long) {
  if (!id) return el('span', { class: 'muted' }, '—');
  return later(cachedAsset(id), () => loadAsset(id), (a) => {
    if (!a) return el('a', { href: assetHref(id), class: 'mono asset-ref' }, short(id));
    const link = el('a', { href: assetHref(id), class: 'asset-ref' }, a.symbol);
    if (!long) return link;
    return el('span', null, link, ' ', el('span', { class: 'asset-name' }, a.name), ' ', el('span', { class: 'hash muted' }, id));
  }, { class: 'asset' });
}

// assetAmount shows n base units of asset id with its decimals and
// symbol (base units and the short id until the asset is loaded).
export function assetAmount(id, n) {
  return later(cachedAsset(id), () => loadAsset(id), (a) => {
    if (!a) return [String(n), ' base units of ', el('a', { href: assetHref(id), class: 'mono' }, short(id))];
    if (a.unique) return formatAssetAmount(a, n);
    return [units(n, a.decimals), ' ', el('a', { href: assetHref(id) }, a.symbol)];
  }, { class: 'asset-amount' });
}

// itemHref is the page of an item: its id URL-escaped (it may hold "/").
export function itemHref(collection, itemID) {
  return '#/item/' + String(collection || '').toLowerCase() + '/' + encodeURIComponent(String(itemID));
}

// itemLink links to an item, shown by its id as text.
export function itemLink(collection, itemID) {
  return el('a', { href: itemHref(collection, itemID), class: 'item-link' }, String(itemID));
}

const created = new Map(); // tx id -> promise of the created asset's id

// createdAssetID computes the id of the asset an asset_create tx makes:
// the first 20 bytes of SHA-256("cairn/asset" || creator address ||
// nonce as u64 big-endian), the creator's address being the first 20
// bytes of SHA-256(its public key). Null without Web Crypto.
export function createdAssetID(t) {
  const key = String(t.id || t.from + ':' + t.nonce);
  if (!created.has(key)) created.set(key, computeAssetID(t.from, t.nonce));
  return created.get(key);
}

async function computeAssetID(pub, nonce) {
  const pk = hexBytes(pub);
  if (!pk || pk.length !== 32 || !(globalThis.crypto && crypto.subtle)) return null;
  const addr = new Uint8Array(await crypto.subtle.digest('SHA-256', pk)).slice(0, 20);
  const tag = new TextEncoder().encode('cairn/asset');
  const buf = new Uint8Array(tag.length + 20 + 8);
  buf.set(tag, 0);
  buf.set(addr, tag.length);
  new DataView(buf.buffer).setBigUint64(tag.length + 20, BigInt(nonce || 0));
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)).slice(0, 20));
}

// createdAssetRef links to the asset an asset_create tx makes (known
// once computed).
export function createdAssetRef(t) {
  const span = el('span', { id: 'created-asset', class: 'hash' });
  createdAssetID(t).then((id) => { if (id) append(span, [el('a', { href: assetHref(id), class: 'hash' }, id)]); }).catch(() => {});
  return span;
}
