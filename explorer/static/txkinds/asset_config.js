// asset_config: the manager changes the asset's roles. A role left out
// is unchanged; a role set to "" is cleared, for ever.
import { el } from '../lib/dom.js';
import { assetRef } from '../lib/assets.js';
import { assetRow, body, kindRow, who } from './common.js';

const roles = ['manager', 'minter', 'freezer', 'clawback'];

export function assetConfig(t, kind) {
  const b = body(t);
  const rows = [kindRow(kind), assetRow(b.asset)];
  for (const r of roles) {
    if (!(r in b)) continue;
    rows.push(['New ' + r, b[r] ? el('a', { href: '#/account/' + b[r], class: 'hash' }, b[r])
      : el('span', { class: 'badge bad' }, 'cleared (gone for ever)')]);
  }
  if (rows.length === 2) rows.push(['Roles', el('span', { class: 'muted' }, 'none changed')]);
  return { body: rows };
}

export function assetConfigSummary(t) {
  const b = body(t);
  const changes = [];
  for (const r of roles) {
    if (!(r in b)) continue;
    if (changes.length) changes.push(', ');
    changes.push(b[r] ? [r, ' → ', who(b[r])] : r + ' cleared');
  }
  return ['configure ', assetRef(b.asset), changes.length ? ': ' : '', changes];
}
