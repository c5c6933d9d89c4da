// asset_mint: new units of an asset for an account (sent by its minter).
import { assetAmount } from '../lib/assets.js';
import { addr, amountRow, assetRow, body, kindRow, who } from './common.js';

export function assetMint(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), assetRow(b.asset), ['To', addr(b.to)], amountRow(b.asset, b.amount)] };
}

export function assetMintSummary(t) {
  const b = body(t);
  return ['mint ', assetAmount(b.asset, b.amount), ' to ', who(b.to)];
}
