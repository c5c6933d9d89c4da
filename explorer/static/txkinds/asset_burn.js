// asset_burn: the sender destroys units of an asset it holds.
import { assetAmount } from '../lib/assets.js';
import { amountRow, assetRow, body, kindRow } from './common.js';

export function assetBurn(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), assetRow(b.asset), amountRow(b.asset, b.amount)] };
}

export function assetBurnSummary(t) {
  const b = body(t);
  return ['burn ', assetAmount(b.asset, b.amount)];
}
