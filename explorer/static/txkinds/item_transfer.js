// item_transfer: the item's owner hands it to a new owner.
import { addr, body, item, itemRows, kindRow, who } from './common.js';

export function itemTransfer(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ...itemRows(b), ['To', addr(b.to)]] };
}

export function itemTransferSummary(t) {
  const b = body(t);
  return ['hand ', item(b), ' to ', who(b.to)];
}
