// item_burn: the owner retires an item; its history stays.
import { body, item, itemRows, kindRow } from './common.js';

export function itemBurn(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ...itemRows(b)] };
}

export function itemBurnSummary(t) {
  return ['burn ', item(body(t))];
}
