// A tx (#/tx/<id>): its envelope, what its kind does (txkinds), and its
// Merkle proof, checked in the page against the block's tx root.
import { el, append, clear, show } from '../lib/dom.js';
import { amount, num, short } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { hexBytes, printable } from '../lib/hex.js';
import { verifyProof } from '../lib/merkle.js';
import { blockLink, errorBox, kv } from '../lib/views.js';
import { prepareTx, renderTx } from '../txkinds/index.js';

export async function txPage(args, stale) {
  const id = String(args[0] || '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(id)) {
    show(el('div', { class: 'error', id: 'notfound' }, 'Not a tx id (64 hex digits): “' + id + '”.'));
    return;
  }
  let info;
  try { info = await api('/txs/' + id); } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Transaction ' + short(id)), errorBox(e, 'transaction ' + id)); return; }
    throw e;
  }
  if (stale()) return;
  const t = info.tx || {};
  await prepareTx(t);
  if (stale()) return;
  const text = printable(hexBytes(t.memo));
  const kind = renderTx(t);
  const confirmed = info.status === 'confirmed';
  const proofBox = el('div', { id: 'proof' });
  show(
    el('h1', null, 'Transaction'),
    kv([
      ['ID', el('span', { class: 'hash', id: 'txid' }, t.id || id)],
      ['Status', el('span', { class: 'badge ' + (confirmed ? 'ok' : 'warn'), id: 'txstatus' }, info.status)],
      ['Confirmations', num(info.confirmations || 0)],
      ['Block', confirmed ? el('a', { href: '#/block/' + info.block_hash, class: 'hash' }, info.block_hash) : null],
      ['Height', confirmed ? blockLink(info.block_hash, num(info.height)) : null],
      ['From', t.from_address ? el('a', { href: '#/account/' + t.from_address, class: 'hash' }, t.from_address) : null],
      ['Public key', el('span', { class: 'hash' }, t.from)],
      ...kind.body,
      ['Fee', amount(t.fee)],
      ['Nonce', String(t.nonce)],
      ['Memo (hex)', t.memo ? el('span', { class: 'hash', id: 'memo-hex' }, t.memo) : el('span', { class: 'muted' }, 'empty')],
      ['Memo (text)', text !== null ? el('span', { class: 'hash', id: 'memo-text' }, text) : null],
      ...kind.memo,
      ['Chain', t.chain_id],
      ['Signature', el('span', { class: 'hash' }, t.signature)],
    ]),
    el('h2', null, 'Merkle proof'),
    proofBox);
  if (!confirmed) { append(proofBox, [el('p', { class: 'muted' }, 'Pending: a proof exists once the tx is in a block.')]); return; }
  append(proofBox, [el('p', { class: 'muted' }, 'Checking…')]);
  let p;
  try { p = await api('/txs/' + id + '/proof'); } catch (e) {
    if (e instanceof NetError) throw e;
    clear(proofBox); append(proofBox, [errorBox(e, 'proof')]); return;
  }
  const v = await verifyProof(p, id);
  if (stale()) return;
  clear(proofBox);
  append(proofBox, [
    el('p', { id: 'proof-result', class: v.ok ? 'valid' : 'invalid' }, v.ok ? 'proof valid' : 'proof INVALID', v.ok ? '' : ': ' + v.why),
    el('p', { class: 'muted' }, 'Verified in this page with SHA-256 (RFC 6962 tree, RFC 9162 audit path) against the block\'s tx root.'),
    kv([
      ['Block', el('a', { href: '#/block/' + p.block_hash, class: 'hash' }, p.block_hash)],
      ['Tx root', el('span', { class: 'hash' }, p.tx_root)],
      ['Index', String(p.index) + ' of ' + String(p.size)],
      ['Branch', (p.branch || []).length ? el('ol', null, (p.branch || []).map((hh) => el('li', { class: 'hash' }, hh))) : 'empty (the only tx)'],
    ])]);
}
