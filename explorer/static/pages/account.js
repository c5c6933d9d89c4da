// An account (#/account/<address>[?before=<cursor>][&assets=<cursor>]):
// its balance and nonce, the assets it holds (50 a page), and its
// history, one page of 25 txs at a time; a tx of another kind than a coin
// transfer shows its one-line summary. The account of a contract links to
// the contract's page (asked once the page is drawn, so other accounts
// wait for nothing).
import { el, append, show } from '../lib/dom.js';
import { amount, num } from '../lib/format.js';
import { api, ApiError } from '../lib/api.js';
import { assetHref, formatAssetAmount } from '../lib/assets.js';
import { contractHref, loadContract } from '../lib/contracts.js';
import { hashQuery } from '../lib/router.js';
import { movesCoins, summarizeTx } from '../txkinds/index.js';
import { acctLink, blockLink, errorBox, kv, txLink } from '../lib/views.js';

export async function accountPage(args, stale) {
  const q = hashQuery();
  const before = q.get('before');
  const assetsAfter = q.get('assets');
  const addr = args[0] || '';
  let a, h, as;
  try {
    [a, h, as] = await Promise.all([api('/accounts/' + encodeURIComponent(addr)),
      api('/accounts/' + encodeURIComponent(addr) + '/txs?limit=25' + (before ? '&before=' + encodeURIComponent(before) : '')),
      // A node without assets (or an error there) leaves the section out.
      api('/accounts/' + encodeURIComponent(addr) + '/assets?limit=50' + (assetsAfter ? '&after=' + encodeURIComponent(assetsAfter) : ''))
        .catch((e) => { if (e instanceof ApiError) return null; throw e; })]);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    // A contract that holds nothing and sent nothing has no account record.
    const c = e.status === 404 ? await loadContract(addr) : null;
    if (stale()) return;
    if (c) {
      show(el('h1', null, 'Account'), contractNote(c),
        kv([['Address', el('span', { class: 'hash' }, c.address)], ['Balance', el('span', { id: 'balance' }, amount(c.balance))]]),
        el('p', { class: 'muted' }, 'No coins and no txs of its own; what its calls emitted is on the contract\'s page.'));
      return;
    }
    show(el('h1', null, 'Account'), errorBox(e, 'account ' + addr));
    return;
  }
  if (stale()) return;
  const body = el('tbody', { id: 'history' });
  for (const i of h.txs || []) {
    const t = i.tx || {};
    const out = t.from_address === a.address;
    const coins = movesCoins(t);
    append(body, [el('tr', null,
      el('td', null, txLink(t.id)),
      el('td', null, el('span', { class: 'badge ' + (i.status === 'confirmed' ? 'ok' : 'warn') }, i.status)),
      coins ? el('td', null, out ? 'to ' : 'from ', acctLink(out ? t.to : t.from_address))
        : el('td', { colspan: 2 }, out ? '' : ['by ', acctLink(t.from_address), ': '], summarizeTx(t)),
      coins ? el('td', { class: 'num' }, (out ? '-' : '+') + amount(t.amount)) : null,
      el('td', { class: 'num hide-narrow' }, out ? amount(t.fee) : ''),
      el('td', { class: 'num hide-narrow' }, i.status === 'confirmed' ? blockLink(i.block_hash, num(i.height)) : ''))]);
  }
  const note = el('span', { hidden: true }); // the contract note's place
  show(
    el('h1', null, 'Account'),
    note,
    kv([
      ['Address', el('span', { class: 'hash' }, a.address)],
      ['Balance', el('span', { id: 'balance' }, amount(a.balance))],
      ['Nonce', String(a.nonce)],
      ['Pending balance', amount(a.pending_balance)],
      ['Pending nonce', String(a.pending_nonce)],
    ]),
    as ? el('h2', null, 'Assets', assetsAfter ? ' (more)' : '') : null,
    as ? assetsTable(a.address, as, assetsAfter) : null,
    el('h2', null, 'History', before ? ' (older)' : ''),
    (h.txs || []).length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'Status'),
      el('th', null, 'Counterparty'), el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num hide-narrow' }, 'Fee'), el('th', { class: 'num hide-narrow' }, 'Block'))), body))
      : el('p', { class: 'muted' }, 'No transactions.'),
    el('div', { class: 'pager' },
      before ? el('a', { href: '#/account/' + a.address }, 'newest') : null,
      h.next ? el('a', { id: 'more', href: '#/account/' + a.address + '?before=' + h.next }, 'older →') : null));
  loadContract(a.address).then((c) => {
    if (!c || stale()) return;
    note.replaceWith(contractNote(c));
  }).catch(() => {});
}

// contractNote says that the account is a contract, linking to its page.
function contractNote(c) {
  return el('div', { class: 'notice', id: 'contract-note' }, 'This account is a contract: ',
    el('a', { href: contractHref(c.address), id: 'contract-link' }, 'its code, storage and events'), '.');
}

// assetsTable lists the assets an account holds.
function assetsTable(addr, as, after) {
  const list = as.assets || [];
  const pager = el('div', { class: 'pager' },
    after ? el('a', { href: '#/account/' + addr }, 'first assets') : null,
    as.next ? el('a', { id: 'more-assets', href: '#/account/' + addr + '?assets=' + encodeURIComponent(as.next) }, 'more assets →') : null);
  if (!list.length) return [el('p', { class: 'muted', id: 'no-assets' }, 'No assets.'), pager];
  const body = el('tbody', { id: 'account-assets' });
  for (const x of list) {
    append(body, [el('tr', { 'data-asset': x.asset },
      el('td', null, el('a', { href: assetHref(x.asset), class: 'asset-symbol' }, x.symbol)),
      el('td', { class: 'asset-name' }, x.name),
      el('td', { class: 'num asset-balance' }, formatAssetAmount(x, x.balance)),
      el('td', null, x.frozen ? el('span', { class: 'badge bad' }, 'frozen') : ''))]);
  }
  return [el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Asset'), el('th', null, 'Name'),
    el('th', { class: 'num' }, 'Balance'), el('th', null, ''))), body)), pager];
}
