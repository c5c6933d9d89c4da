// perm_revoke: an admin removes an address from a role, effective from
// the next block (the chain's last admin cannot be revoked).
import { addr, body, kindRow, who } from './common.js';
import { roleBadge } from './perm_grant.js';

export function permRevoke(t, kind) {
  const b = body(t);
  return { body: [kindRow(kind), ['Role', roleBadge(b.role)], ['Revoked from', addr(b.address)]] };
}

export function permRevokeSummary(t) {
  const b = body(t);
  return ['revoke ', roleBadge(b.role), ' from ', who(b.address)];
}
