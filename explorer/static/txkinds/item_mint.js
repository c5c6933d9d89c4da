// item_mint: a new unique item in a collection, for an owner.
import { addr, body, hash, item, itemRows, kindRow, who } from './common.js';

export function itemMint(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ...itemRows(b), ['To', addr(b.to)], ['Metadata hash', hash(b.metadata_hash)]] };
}

export function itemMintSummary(t) {
  const b = body(t);
  return ['mint ', item(b), ' to ', who(b.to)];
}
