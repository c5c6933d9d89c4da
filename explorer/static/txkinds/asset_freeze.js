// asset_freeze: the asset's freezer freezes or unfreezes a holder.
import { el } from '../lib/dom.js';
import { assetRef } from '../lib/assets.js';
import { addr, assetRow, body, kindRow, who } from './common.js';

export function assetFreeze(t, kind) {
  const b = body(t);
  return {
    body: [kindRow(kind), assetRow(b.asset), ['Holder', addr(b.holder)],
      ['Action', el('span', { class: 'badge ' + (b.frozen ? 'warn' : 'ok') }, b.frozen ? 'freeze' : 'unfreeze')]],
  };
}

export function assetFreezeSummary(t) {
  const b = body(t);
  return [b.frozen ? 'freeze ' : 'unfreeze ', who(b.holder), ' in ', assetRef(b.asset)];
}
