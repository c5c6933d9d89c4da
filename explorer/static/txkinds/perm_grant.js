// perm_grant: an admin makes an address a member of a role (admin,
// submit, issue, deploy), effective from the next block.
import { el } from '../lib/dom.js';
import { addr, body, kindRow, who } from './common.js';

// roleBadge shows a role name, linked to the permissions page.
export function roleBadge(role) {
  return el('a', { href: '#/permissions', class: 'badge', 'data-role': String(role || '') }, String(role || '?'));
}

export function permGrant(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ['Role', roleBadge(b.role)], ['Granted to', addr(b.address)]] };
}

export function permGrantSummary(t) {
  const b = body(t);
  return ['grant ', roleBadge(b.role), ' to ', who(b.address)];
}
