// asset_clawback: the asset's clawback address takes units back from a
// holder (to itself).
import { assetAmount } from '../lib/assets.js';
import { addr, amountRow, assetRow, body, kindRow, who } from './common.js';

export function assetClawback(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), assetRow(b.asset), ['From', addr(b.from)], amountRow(b.asset, b.amount)] };
}

export function assetClawbackSummary(t) {
  const b = body(t);
  return ['claw back ', assetAmount(b.asset, b.amount), ' from ', who(b.from)];
}
