// The fallback for a kind this explorer does not know: the kind's name
// and its body's fields as a definition list (nested objects as nested
// lists, arrays as numbered lists), all as text.
import { el } from '../lib/dom.js';
import { kv } from '../lib/views.js';

const maxDepth = 4;

export function unknown(t, kind) {
  const body = t.body;
  return {
    body: [
      ['Kind', el('span', { class: 'badge', id: 'tx-kind' }, kind)],
      ['Body', el('div', { id: 'tx-body' }, isObject(body) ? fields(body, 0) : el('span', { class: 'muted' }, 'none'))],
    ],
  };
}

function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function fields(obj, depth) {
  const keys = Object.keys(obj);
  if (!keys.length) return el('span', { class: 'muted' }, 'empty');
  return kv(keys.map((k) => [k, value(obj[k], depth + 1)]));
}

function value(v, depth) {
  if (v === null || v === undefined) return el('span', { class: 'muted' }, '—');
  if (Array.isArray(v)) {
    if (!v.length) return el('span', { class: 'muted' }, 'empty');
    if (depth > maxDepth) return el('span', { class: 'hash' }, JSON.stringify(v));
    return el('ol', null, v.map((x) => el('li', null, value(x, depth + 1))));
  }
  if (typeof v === 'object') return depth > maxDepth ? el('span', { class: 'hash' }, JSON.stringify(v)) : fields(v, depth);
  return el('span', { class: 'hash' }, String(v));
}

export function unknownSummary(t, kind) {
  return ['kind ', el('span', { class: 'badge' }, kind)];
}
