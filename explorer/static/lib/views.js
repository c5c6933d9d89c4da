// Small views shared by the pages: a definition list, links to blocks,
// txs and accounts, and an error box.
import { el, append } from './dom.js';
import { short } from './format.js';
import { ApiError } from './api.js';

// kv builds a definition list from [label, value] rows, skipping rows
// whose value is undefined or null.
export function kv(rows, attrs) {
  const dl = el('dl', Object.assign({ class: 'kv' }, attrs || {}));
  for (const [k, v] of rows) {
    if (v === undefined || v === null) continue;
    append(dl, [el('dt', null, k), el('dd', null, v)]);
  }
  return dl;
}

export function blockLink(id, text) { return el('a', { href: '#/block/' + id, class: 'mono' }, text === undefined ? short(id) : text); }
export function txLink(id) { return el('a', { href: '#/tx/' + id, class: 'mono' }, short(id)); }
export function acctLink(a) { return a ? el('a', { href: '#/account/' + a, class: 'mono' }, short(a)) : el('span', { class: 'muted' }, '—'); }

// errorBox shows an API error (problem detail) or a not-found message.
export function errorBox(e, what) {
  if (e instanceof ApiError) {
    if (e.status === 404) return el('div', { class: 'error', id: 'notfound' }, 'Not found: ' + (what || 'no such object') + '. ', e.message);
    return el('div', { class: 'error' }, 'Error ' + e.status + (e.code ? ' (' + e.code + ')' : '') + ': ' + e.message);
  }
  return el('div', { class: 'error' }, String(e && e.message || e));
}
