// A tx (#/tx/<id>): its envelope, what its kind does (txkinds), a
// contract tx's receipt (success or failed and why, gas, the fee charged,
// its events), and its Merkle proof, checked in the page against the
// block's tx root.
import { el, append, clear, show } from '../lib/dom.js';
import { amount, num, short } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { hexBytes, printable } from '../lib/hex.js';
import { verifyProof } from '../lib/merkle.js';
import { currentStatus } from '../lib/status.js';
import { longHex } from '../lib/contracts.js';
import { blockLink, errorBox, kv } from '../lib/views.js';
import { prepareTx, renderTx } from '../txkinds/index.js';

// contractKinds are the kinds whose page shows the receipt: what running
// the contract did. Other kinds' receipts only repeat the tx.
const contractKinds = new Set(['contract_deploy', 'contract_call']);

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
  const kind = renderTx(t, info);
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
    contractKinds.has(kind.kind) ? [el('h2', null, 'Receipt'), receiptView(t, kind.kind, info)] : null,
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

// receiptView shows a contract tx's receipt: its status (a failed one with
// its error code and message), gas used against the most it could use,
// the fee charged, the contract a deploy made, and the events, in order.
function receiptView(t, kind, info) {
  const r = info.receipt;
  if (info.status !== 'confirmed' || !r) {
    return el('p', { class: 'muted', id: 'receipt' }, 'Pending: the contract runs, and the receipt exists, once the tx is in a block.');
  }
  const failed = r.status !== 'success';
  const st = currentStatus() || {};
  const price = Number(st.gas_price) || 1;
  const b = t.body || {};
  // The most gas the tx could use: a call's gas_limit, a deploy's what
  // its fee covers above the minimum.
  const most = kind === 'contract_call' ? Number(b.gas_limit)
    : (st.min_fee !== undefined ? Math.floor(Math.max(0, Number(t.fee) - Number(st.min_fee)) / price) : null);
  const events = r.events || [];
  const rows = el('tbody', { id: 'receipt-events' });
  events.forEach((e, i) => {
    append(rows, [el('tr', null, el('td', { class: 'num' }, String(i)), el('td', null, el('span', { class: 'topic' }, e.topic)),
      el('td', null, longHex(e.data, { class: 'longhex event-data' })))]);
  });
  return [
    failed ? el('div', { class: 'error', id: 'receipt-error' }, 'Failed', r.error_code ? [' (', el('span', { class: 'mono', id: 'receipt-error-code' }, r.error_code), ')'] : '',
      ': ', el('span', { id: 'receipt-error-msg' }, r.error || 'no reason given'),
      '. The fee was charged and the nonce used; nothing else the tx did stays.') : null,
    kv([
      ['Status', el('span', { class: 'badge ' + (failed ? 'bad' : 'ok'), id: 'receipt-status' }, r.status)],
      ['Error code', failed && r.error_code ? el('span', { class: 'mono' }, r.error_code) : null],
      ['Error', failed ? el('span', { class: 'receipt-error' }, r.error || '—') : null],
      ['Gas used', el('span', { id: 'receipt-gas' }, num(r.gas_used), most ? el('span', { class: 'muted' }, ' of ' + num(most) + (kind === 'contract_call' ? ' (gas limit)' : ' (what the fee covers)')) : '')],
      ['Fee charged', el('span', { id: 'receipt-fee' }, amount(r.fee_charged), el('span', { class: 'muted' }, ' of at most ' + amount(t.fee) + ' (gas used × gas price + min fee)'))],
      ['Contract', kind === 'contract_deploy' && r.contract ? el('a', { href: '#/contract/' + r.contract, class: 'hash' }, r.contract) : null],
      ['Events', events.length ? String(events.length) : el('span', { class: 'muted' }, failed ? 'none (a failed tx keeps no events)' : 'none')],
    ], { id: 'receipt' }),
    events.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null,
      el('th', { class: 'num' }, '#'), el('th', null, 'Topic'), el('th', null, 'Data (hex)'))), rows)) : null,
  ];
}
