// A block (#/block/<height or hash>): its header, its parent and child,
// and its txs. A signed (proof-of-authority) header shows its signer, its
// turn (from bits: the weight) and its vote instead of bits and nonce.
import { el, append, show } from '../lib/dom.js';
import { amount, bytes, num, short, time } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { acctLink, errorBox, kv, txLink } from '../lib/views.js';
import { isPoA, turnText, weightOf } from '../lib/consensus.js';
import { movesCoins, summarizeTx } from '../txkinds/index.js';

export async function blockPage(args, stale) {
  const id = args[0] || '';
  if (!/^\d+$/.test(id) && !/^[0-9a-fA-F]{64}$/.test(id)) {
    show(el('div', { class: 'error', id: 'notfound' }, 'Not a block height or hash: “' + id + '”.'));
    return;
  }
  let b;
  try { b = await api('/blocks/' + id); } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Block ' + short(id)), errorBox(e, 'block ' + id)); return; }
    throw e;
  }
  if (stale()) return;
  // The child: the main-chain block at height+1, if it builds on this one.
  let child = null;
  try {
    const c = await api('/blocks/' + (b.height + 1));
    if (c.prev_hash === b.hash) child = c;
  } catch (e) { if (e instanceof NetError) throw e; }
  if (stale()) return;
  const txs = b.txs || [];
  const poa = isPoA(null, b);
  show(
    el('h1', null, 'Block ', num(b.height)),
    b.main_chain === false ? el('div', { class: 'notice' }, 'This block is not on the main chain (a fork).') : null,
    kv([
      ['Hash', el('span', { class: 'hash' }, b.hash)],
      ['Height', num(b.height)],
      ['Parent', b.height > 0 ? el('a', { href: '#/block/' + b.prev_hash, class: 'hash', id: 'parent' }, b.prev_hash) : 'none (genesis)'],
      ['Child', child ? el('a', { href: '#/block/' + child.hash, class: 'hash', id: 'child' }, child.hash) : el('span', { class: 'muted' }, 'none yet')],
      ['Time', time(b.timestamp)],
      ['Confirmations', b.confirmations !== undefined ? num(b.confirmations) : null],
      poa ? ['Signer', el('span', null, el('a', { href: '#/account/' + b.miner, class: 'hash', id: 'signer' }, b.miner),
        el('div', { class: 'muted' }, 'key ', el('span', { class: 'hash' }, b.signer)))]
        : ['Miner', b.miner ? el('a', { href: '#/account/' + b.miner, class: 'hash' }, b.miner) : '—'],
      ['Turn', poa ? el('span', { id: 'turn', class: weightOf(b.bits) >= 2 ? 'valid' : null }, turnText(b.bits) + ' (weight ' + weightOf(b.bits) + ')') : null],
      ['Vote', poa ? voteView(b.vote) : null],
      ['Reward', amount(b.reward)],
      ['Fees', amount(b.fees)],
      ['Tx root', el('span', { class: 'hash' }, b.tx_root)],
      poa ? ['Signature', el('span', { class: 'hash' }, b.signature)] : ['Bits', b.bits],
      ['Nonce', poa ? null : String(b.nonce)],
      ['Size', bytes(b.size || 0)],
      ['Transactions', num(txs.length)],
    ]),
    el('h2', null, 'Transactions'),
    txTable(txs));
}

// voteView shows a signed header's vote on the signer set, or none.
function voteView(v) {
  if (!v) return el('span', { class: 'muted', id: 'vote' }, 'none');
  return el('span', { id: 'vote' }, v.kind === 'drop' ? 'drop ' : 'add ', el('a', { href: '#/account/' + v.address, class: 'hash' }, v.address),
    el('div', { class: 'muted' }, 'key ', el('span', { class: 'hash' }, v.target)));
}

// txTable lists a block's txs: a coin transfer with its receiver and
// amount, another kind with its one-line summary.
function txTable(txs) {
  if (!txs.length) return el('p', { class: 'muted' }, 'No transactions.');
  const body = el('tbody');
  for (const t of txs) {
    const what = movesCoins(t) ? [el('td', null, acctLink(t.to)), el('td', { class: 'num' }, amount(t.amount))]
      : el('td', { colspan: 2 }, summarizeTx(t));
    append(body, [el('tr', null, el('td', null, txLink(t.id)), el('td', null, acctLink(t.from_address)),
      what, el('td', { class: 'num hide-narrow' }, amount(t.fee)))]);
  }
  return el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'From'), el('th', null, 'To'),
    el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num hide-narrow' }, 'Fee'))), body));
}
