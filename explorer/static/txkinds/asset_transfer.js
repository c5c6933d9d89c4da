// asset_transfer: units of an asset from the sender to an account.
import { assetAmount } from '../lib/assets.js';
import { addr, amountRow, assetRow, body, kindRow, who } from './common.js';

export function assetTransfer(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), assetRow(b.asset), ['To', addr(b.to)], amountRow(b.asset, b.amount)] };
}

export function assetTransferSummary(t) {
  const b = body(t);
  return ['send ', assetAmount(b.asset, b.amount), ' to ', who(b.to)];
}
