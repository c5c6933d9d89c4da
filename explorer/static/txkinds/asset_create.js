// asset_create: a new asset (or a collection of unique items), its
// supply, flags and roles. The new asset's id is derived from the sender
// and the tx's nonce.
import { el } from '../lib/dom.js';
import { units } from '../lib/format.js';
import { createdAssetRef } from '../lib/assets.js';
import { addr, body, hash, kindRow } from './common.js';

export function assetCreate(t, kind) {
  const b = body(t);
  const unique = (b.flags || []).includes('unique');
  const amt = (n) => (unique ? String(n) + ' items' : units(n, b.decimals) + ' ' + b.symbol);
  return {
    body: [
      kindRow(kind),
      ['Asset id', createdAssetRef(t)],
      ['Symbol', el('span', { id: 'asset-symbol' }, b.symbol)],
      ['Name', el('span', { id: 'asset-name' }, b.name)],
      ['Type', unique ? 'collection of unique items' : 'fungible asset'],
      ['Decimals', unique ? null : String(b.decimals)],
      ['Initial supply', unique ? null : amt(b.initial_supply)],
      ['Max supply', amt(b.max_supply)],
      ['Flags', flags(b.flags)],
      ['Manager', addr(b.manager)],
      ['Minter', addr(b.minter)],
      ['Freezer', addr(b.freezer)],
      ['Clawback', addr(b.clawback)],
      ['Metadata hash', b.metadata_hash ? hash(b.metadata_hash) : null],
    ],
  };
}

export function flags(list) {
  if (!list || !list.length) return el('span', { class: 'muted' }, 'none');
  return el('span', { class: 'flags' }, list.map((f) => [el('span', { class: 'badge' }, f), ' ']));
}

export function assetCreateSummary(t) {
  const b = body(t);
  const unique = (b.flags || []).includes('unique');
  return [unique ? 'create collection ' : 'create asset ', el('strong', null, b.symbol), ' (', b.name, ')',
    unique ? '' : ', supply ' + units(b.initial_supply, b.decimals)];
}
