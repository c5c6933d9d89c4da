// How the tx page shows each kind of tx. kinds maps a kind name to its
// renderer: a function (tx, kind) returning the rows ([label, value], as
// for kv) the kind adds to the page's definition list: `body` rows after
// the sender (what the tx does), `memo` rows after the memo (what the
// kind makes of it). The envelope (id, sender, fee, nonce, memo, chain,
// signature) is the tx page's own.
//
// Today's tx JSON has no `kind`: a tx without one is a transfer, and a
// transfer of 0 with a memo is a data tx (it anchors data, usually a
// hash). Protocol v2 adds `kind` and a `body` object; a kind without a
// renderer here shows its name and its body's fields (unknown.js).
import { transfer } from './transfer.js';
import { data } from './data.js';
import { unknown } from './unknown.js';

export const kinds = new Map([
  ['transfer', transfer],
  ['data', data],
]);

// kindOf names the renderer's kind of tx t.
export function kindOf(t) {
  const k = t.kind === undefined || t.kind === null || t.kind === '' ? 'transfer' : String(t.kind);
  if (k === 'transfer' && Number(t.amount) === 0 && t.memo) return 'data';
  return k;
}

// renderTx returns the kind of tx t and the rows its renderer gives.
export function renderTx(t) {
  const kind = kindOf(t);
  const r = (kinds.get(kind) || unknown)(t, kind) || {};
  return { kind, body: r.body || [], memo: r.memo || [] };
}
