// item_attest: a tagged attestation (e.g. "shipped") with a data hash on
// an item, by its owner or the collection's minter.
import { el } from '../lib/dom.js';
import { body, hash, item, itemRows, kindRow } from './common.js';

export function itemAttest(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ...itemRows(b), ['Tag', el('span', { class: 'badge', id: 'attest-tag' }, b.tag)], ['Data hash', hash(b.data_hash)]] };
}

export function itemAttestSummary(t) {
  const b = body(t);
  return ['attest ', el('span', { class: 'badge' }, b.tag), ' on ', item(b)];
}
