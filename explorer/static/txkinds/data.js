// A data tx: a transfer of 0 whose memo is the data. A 32-byte memo is an
// anchored hash (the SHA-256 of a document, as `cairn anchor` sends it).
import { el } from '../lib/dom.js';
import { hexBytes } from '../lib/hex.js';
import { short } from '../lib/format.js';
import { transfer } from './transfer.js';

export function data(t) {
  const memo = hexBytes(t.memo);
  return {
    body: transfer(t).body,
    memo: [
      ['Anchored hash', memo && memo.length === 32 ? el('span', { class: 'hash' }, 'SHA-256 ' + t.memo) : null],
    ],
  };
}

export function dataSummary(t) {
  return ['data (', el('span', { class: 'mono' }, short(t.memo)), ')'];
}
