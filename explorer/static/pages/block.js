// A block (#/block/<height or hash>): its header, its parent and child,
// and its txs.
import { el, append, show } from '../lib/dom.js';
import { amount, bytes, num, short, time } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { acctLink, errorBox, kv, txLink } from '../lib/views.js';
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
      ['Miner', b.miner ? el('a', { href: '#/account/' + b.miner, class: 'hash' }, b.miner) : '—'],
      ['Reward', amount(b.reward)],
      ['Fees', amount(b.fees)],
      ['Tx root', el('span', { class: 'hash' }, b.tx_root)],
      ['Bits', b.bits],
      ['Nonce', String(b.nonce)],
      ['Size', bytes(b.size || 0)],
      ['Transactions', num(txs.length)],
    ]),
    el('h2', null, 'Transactions'),
    txTable(txs));
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
