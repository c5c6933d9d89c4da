// Contracts as the pages and tx renderers show them: links to a
// contract's page, a cache of which addresses are contracts (a contract
// stays one, so a yes is kept; a no is asked again next time), long hex
// (code, inputs, event data) shortened with expand and copy buttons, and
// the SHA-256 of a deploy's code, computed in the page.
import { el, append, clear } from './dom.js';
import { api, ApiError } from './api.js';
import { bytes, num, short } from './format.js';
import { hexBytes, toHex } from './hex.js';

// isAddress says whether s looks like a bech32m address (as the search box
// reads one); the node has the last word.
export function isAddress(s) { return /^[a-z0-9]{1,83}1[02-9ac-hj-np-z]{6,}$/i.test(String(s || '')); }

// contractHref is the page of a contract.
export function contractHref(a) { return '#/contract/' + String(a || ''); }

// contractLink links to a contract's page: its full address, or its short
// one in tables (short set).
export function contractLink(a, shortForm) {
  if (!a) return el('span', { class: 'muted' }, 'none');
  return el('a', { href: contractHref(a), class: (shortForm ? 'mono' : 'hash') + ' contract-link' }, shortForm ? short(a) : a);
}

const known = new Map(); // address -> the contract (GET /contracts/{address})
const loading = new Map(); // address -> its pending load

// rememberContract puts a contract the page fetched itself into the cache.
export function rememberContract(c) { if (c && c.address) known.set(c.address, c); }

// loadContract fetches a contract (the cached one if the address is known
// to be one); null if the address holds no contract (404) or is not an
// address (400). A NetError is thrown.
export function loadContract(a) {
  a = String(a || '');
  if (known.has(a)) return Promise.resolve(known.get(a));
  if (!isAddress(a)) return Promise.resolve(null);
  let p = loading.get(a);
  if (!p) {
    p = api('/contracts/' + encodeURIComponent(a)).then((c) => { rememberContract(c); return c; }, (e) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return null;
      throw e;
    }).finally(() => loading.delete(a));
    loading.set(a, p);
  }
  return p;
}

// hexLimit is the longest hex (in digits) shown in full without asking:
// 32 bytes, a hash.
const hexLimit = 64;

// longHex shows hex bytes: in full if short, else its head … its tail and
// its size, with a button to expand it in place and one to copy it all.
// The full hex is in the element's data-hex. attrs go on the outer span.
export function longHex(h, attrs) {
  h = String(h || '');
  const outer = el('span', Object.assign({ class: 'longhex' }, attrs || {}));
  outer.dataset.hex = h;
  if (!h) { append(outer, [el('span', { class: 'muted' }, 'empty')]); return outer; }
  if (h.length <= hexLimit) { append(outer, [el('span', { class: 'hash hex' }, h)]); return outer; }
  const n = h.length / 2;
  const shortText = h.slice(0, 32) + '…' + h.slice(-16);
  const text = el('span', { class: 'hash hex' }, shortText);
  let open = false;
  const toggle = el('button', { class: 'small expand', type: 'button', onclick: () => {
    open = !open;
    text.textContent = open ? h : shortText;
    toggle.textContent = open ? 'collapse' : 'expand';
  } }, 'expand');
  const buttons = [' ', el('span', { class: 'muted nowrap' }, '(' + num(n) + ' bytes)'), ' ', toggle];
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const copy = el('button', { class: 'small copy', type: 'button', onclick: () => {
      navigator.clipboard.writeText(h).then(() => { copy.textContent = 'copied'; }, () => { copy.textContent = 'copy failed'; });
    } }, 'copy');
    buttons.push(' ', copy);
  }
  append(outer, [text, buttons]);
  return outer;
}

// codeSummary shows a deploy's code: its size, and its SHA-256 (the
// contract's code hash) once computed with Web Crypto.
export function codeSummary(codeHex) {
  const code = hexBytes(codeHex);
  const size = code ? code.length : 0;
  const hash = el('span', { class: 'hash', id: 'code-sha256' });
  const out = el('span', null, el('span', { id: 'code-size' }, num(size) + ' bytes'), size >= 1024 ? ' (' + bytes(size) + ')' : '');
  if (code && size && globalThis.crypto && crypto.subtle) {
    append(out, [', SHA-256 ', hash]);
    crypto.subtle.digest('SHA-256', code).then((d) => { clear(hash); append(hash, [toHex(new Uint8Array(d))]); }).catch(() => {});
  }
  return out;
}
