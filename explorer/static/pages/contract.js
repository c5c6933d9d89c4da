// A contract (#/contract/<address>): its code hash and size, deployer,
// the block that created it, its balance and storage, and its events,
// oldest first as an item's history is (the newest at the bottom), each
// with its tx, block and date. The page stays live: an event the contract
// emits in a new block (the event stream's contract_event) is added at the
// bottom, and the fields are read again on every new block.
import { el, append, clear, show } from '../lib/dom.js';
import { amount, bytes, num, time } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { isAddress, longHex, rememberContract } from '../lib/contracts.js';
import { hooks, route } from '../lib/router.js';
import { errorBox, kv, txLink } from '../lib/views.js';

const pageSize = 100; // txs (each with all its events) per request, the most the node gives
const autoPages = 5; // requests drawn at once before offering more

export async function contractPage(args, stale) {
  const addr = String(args[0] || '');
  const title = el('h1', null, 'Contract');
  if (!isAddress(addr)) {
    show(title, el('div', { class: 'error', id: 'notfound' }, 'Not an address: “' + addr + '”.'));
    return;
  }
  const path = '/contracts/' + encodeURIComponent(addr);
  // Live events that arrive while the page loads wait here, so none falls
  // between the first page read and the hook.
  let early = [];
  let onEvent = (d) => { early.push(d); };
  hooks.contract = (d) => { if (d && d.contract === addr) onEvent(d); };
  let c, h;
  try {
    [c, h] = await Promise.all([api(path), api(path + '/events?limit=' + pageSize)]);
  } catch (e) {
    if (e instanceof ApiError) {
      show(title, e.status === 404 ? el('div', { class: 'error', id: 'notfound' }, 'Not found: no contract at ', el('a', { href: '#/account/' + addr, class: 'hash' }, addr), '. ', e.message)
        : errorBox(e, 'contract ' + addr));
      return;
    }
    throw e;
  }
  if (stale()) return;
  rememberContract(c);
  const fields = el('div', { id: 'contract-fields' });
  const rows = el('tbody', { id: 'contract-events' });
  const empty = el('p', { class: 'muted', id: 'no-events' }, 'No events yet.');
  const table = el('div', { class: 'panel', hidden: true }, el('table', null, el('thead', null, el('tr', null,
    el('th', null, 'Block'), el('th', { class: 'hide-narrow' }, 'Time'), el('th', null, 'Tx'), el('th', { class: 'num' }, '#'),
    el('th', null, 'Topic'), el('th', null, 'Data (hex)'))), rows));
  const more = el('div', { class: 'pager' });
  show(
    el('h1', null, 'Contract ', el('span', { class: 'hash', id: 'contract-address' }, c.address)),
    fields,
    el('h2', null, 'Events'),
    el('p', { class: 'muted' }, 'Every event its deploy and calls emitted, oldest first; new ones appear at the bottom as blocks hold them.'),
    empty, table, more);
  drawFields(fields, c);

  const seen = new Set(); // tx id + index of the events drawn
  let last = ''; // the last tx drawn: the cursor of what comes after
  const add = (events, fresh) => {
    for (const e of events) {
      const key = e.tx_id + ':' + e.index;
      if (seen.has(key)) continue;
      seen.add(key);
      last = e.tx_id;
      append(rows, [eventRow(e, fresh)]);
    }
    if (rows.firstChild) { empty.hidden = true; table.hidden = false; }
  };
  add(h.events || [], false);
  let next = h.next || '';
  // Follow the pages: a few at once, then on request.
  const load = async (pages) => {
    for (let i = 0; i < pages && next; i++) {
      const p = await api(path + '/events?limit=' + pageSize + '&after=' + encodeURIComponent(next));
      if (stale()) return;
      add(p.events || [], false);
      next = p.next || '';
    }
    clear(more);
    if (next) {
      append(more, [el('button', { id: 'more', onclick: async () => {
        try { await load(autoPages); } catch (e) { if (!(e instanceof NetError)) append(more, [errorBox(e)]); }
      } }, 'Show later events')]);
    }
  };
  await load(autoPages - 1);
  if (stale()) return;

  // Live: with every page read, a new event goes at the bottom; while
  // later pages are still to be read, the button brings it in order.
  onEvent = (d) => { if (!next) add([d], true); };
  for (const d of early) onEvent(d);
  early = null;
  // Catch up after the event stream missed something (a gap, a
  // reconnect): read on from the last event drawn.
  const catchUp = async () => {
    if (next) return;
    let cursor = last;
    for (;;) {
      const p = await api(path + '/events?limit=' + pageSize + (cursor ? '&after=' + encodeURIComponent(cursor) : ''));
      if (stale()) return;
      add(p.events || [], true);
      if (!p.next) return;
      cursor = p.next;
    }
  };
  let pending = false;
  hooks.block = async (d) => {
    if (d && d.depth) { route(); return; } // a reorg may have dropped events: draw it all again
    if (pending) return;
    pending = true;
    try {
      const fresh = await api(path);
      if (stale()) return;
      rememberContract(fresh);
      drawFields(fields, fresh);
      if (!d || !d.hash) await catchUp();
    } catch (e) {
      // The next block tries again; a contract gone in a reorg is redrawn by route.
    } finally { pending = false; }
  };
}

// drawFields draws the contract's record.
function drawFields(box, c) {
  clear(box);
  append(box, [kv([
    ['Address', el('span', null, el('span', { class: 'hash' }, c.address), ' ', el('a', { href: '#/account/' + c.address, class: 'muted' }, '(its account and txs)'))],
    ['Code hash', el('span', { class: 'hash', id: 'contract-code-hash' }, c.code_hash)],
    ['Code size', el('span', { id: 'contract-code-size' }, num(c.code_size) + ' bytes', c.code_size >= 1024 ? ' (' + bytes(c.code_size) + ')' : '')],
    ['Deployer', el('a', { href: '#/account/' + c.deployer, class: 'hash', id: 'contract-deployer' }, c.deployer)],
    ['Created', el('a', { href: '#/block/' + c.created_height, id: 'contract-created' }, 'block ' + num(c.created_height))],
    ['Balance', el('span', { id: 'contract-balance' }, amount(c.balance))],
    ['Storage', el('span', { id: 'contract-storage' }, num(c.storage_keys) + (Number(c.storage_keys) === 1 ? ' key, ' : ' keys, ') + num(c.storage_bytes) + ' bytes')],
  ], { id: 'contract' })]);
}

// eventRow is one event: its block, date, tx, index in the tx, topic and data.
function eventRow(e, fresh) {
  return el('tr', { class: 'event' + (fresh ? ' new' : ''), 'data-tx': e.tx_id, 'data-index': String(e.index) },
    el('td', null, el('a', { href: '#/block/' + e.height, class: 'block-link' }, num(e.height))),
    el('td', { class: 'hide-narrow muted' }, el('time', { datetime: e.time ? new Date(e.time).toISOString() : null }, time(e.time))),
    el('td', { class: 'nowrap' }, txLink(e.tx_id)),
    el('td', { class: 'num' }, String(e.index)),
    el('td', null, el('span', { class: 'topic' }, e.topic)),
    el('td', null, longHex(e.data, { class: 'longhex event-data' })));
}
