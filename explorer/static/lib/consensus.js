// Proof of authority in the pages: whether a chain or a block is PoA, and
// views of a signed header's turn (its weight, from bits) and vote. A
// proof-of-work chain never reaches these views.
import { el } from './dom.js';
import { num } from './format.js';
import { acctLink } from './views.js';

// isPoA says whether the chain is proof of authority: the status names
// its engine; a signed (version-2) header says so too.
export function isPoA(status, header) {
  if (status && status.consensus) return status.consensus === 'poa';
  return !!(header && header.signer);
}

// weightOf reads a PoA header's weight from its bits: 2 in turn, 1 out of turn.
export function weightOf(bits) { return parseInt(String(bits), 16) || 0; }

// turnText says whether the header's signer sealed in turn.
export function turnText(bits) { return weightOf(bits) >= 2 ? 'in turn' : 'out of turn'; }

// turnBadge shows the turn as a badge: in turn green, out of turn amber.
export function turnBadge(bits) {
  const inTurn = weightOf(bits) >= 2;
  return el('span', { class: 'badge turn ' + (inTurn ? 'ok' : 'warn') }, inTurn ? 'in turn' : 'out of turn');
}

// voteBadge shows a header's vote ({kind, target, address}) in a line:
// "vote add <address>".
export function voteBadge(v) {
  if (!v) return null;
  return el('span', { class: 'vote' }, el('span', { class: 'badge' }, 'vote ' + (v.kind === 'drop' ? 'drop' : 'add')), ' ', acctLink(v.address));
}

// period formats the block interval in milliseconds: "1 s", "300 ms".
export function period(ms) {
  ms = Number(ms) || 0;
  return ms >= 1000 ? num(ms / 1000, 3) + ' s' : num(ms) + ' ms';
}
