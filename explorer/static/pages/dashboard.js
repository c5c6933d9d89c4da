// The dashboard (#/): the node's status cards, charts of the last 50
// blocks and of the mempool, the latest blocks and txs, kept live by the
// event stream and a 5 s refresh.
import { el, append, clear, show } from '../lib/dom.js';
import { amount, ago, bytes, num, rate } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { currentStatus, loadStatus } from '../lib/status.js';
import { every, hooks, scheduleRetry } from '../lib/router.js';
import { acctLink, blockLink, txLink } from '../lib/views.js';
import { drawChart, targetOf } from '../lib/chart.js';
import { movesCoins, summarizeTx } from '../txkinds/index.js';

// mempoolSamples outlives the page: back on the dashboard, the chart goes on.
const mempoolSamples = [];
export async function dashboard(args, stale) {
  const cards = el('div', { class: 'cards', id: 'stats' });
  const chart = el('canvas', { id: 'chart', width: 600, height: 180 });
  const mchart = el('canvas', { id: 'mchart', width: 600, height: 180 });
  const blocksBody = el('tbody', { id: 'latest-blocks' });
  const txsBody = el('tbody', { id: 'latest-txs' });
  show(
    el('h1', null, 'Dashboard'),
    cards,
    el('div', { class: 'grid2' },
      el('div', { class: 'panel' }, el('h2', null, 'Last 50 blocks'),
        el('div', { class: 'legend' }, el('span', { class: 'sw1' }), 'block time (s)  ', el('span', { class: 'sw2' }), 'difficulty'), chart),
      el('div', { class: 'panel' }, el('h2', null, 'Mempool size'), el('div', { class: 'legend' }, el('span', { class: 'sw2' }), 'pending txs (sampled)'), mchart)),
    el('div', { class: 'grid2' },
      el('div', { class: 'panel' }, el('h2', null, 'Latest blocks'),
        el('table', null, el('thead', null, el('tr', null, el('th', null, 'Height'), el('th', null, 'Hash'), el('th', { class: 'num' }, 'Txs'), el('th', { class: 'hide-narrow' }, 'Time'))), blocksBody)),
      el('div', { class: 'panel' }, el('h2', null, 'Latest transactions'),
        el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'From → To'), el('th', { class: 'num' }, 'Amount'))), txsBody))));

  let headers = [];
  const drawStats = () => {
    const s = currentStatus();
    clear(cards);
    const card = (k, v, id) => el('div', { class: 'card' }, el('div', { class: 'k' }, k), el('div', { class: 'v', id: id }, v));
    let sync = s.syncing ? 'syncing' : 'in sync';
    if (s.syncing && s.sync) sync += ' ' + num(s.sync.percent, 1) + '% (' + num(s.sync.height) + ' / ' + num(s.sync.target) + ')';
    append(cards, [
      card('Height', num(s.height), 'stat-height'),
      card('Tip', blockLink(s.tip), 'stat-tip'),
      card('Difficulty', num(s.difficulty, 2)),
      card('Hash rate', rate(s.hashrate) + (s.mining ? '' : ' (not mining)')),
      card('Mempool', num(s.mempool) + ' txs, ' + bytes(s.mempool_bytes || 0), 'stat-mempool'),
      card('Peers', el('a', { href: '#/peers' }, num(s.peers))),
      card('Sync', sync),
      card('Chain', s.chain_id + ' · ' + s.version),
    ]);
  };
  const drawCharts = () => {
    const status = currentStatus();
    const hs = headers.slice().reverse(); // oldest first
    const times = []; const diffs = [];
    const tipT = targetOf(status.bits);
    for (let i = 0; i < hs.length; i++) {
      times.push(i === 0 ? null : Math.max(0, (hs[i].timestamp - hs[i - 1].timestamp) / 1000));
      const t = targetOf(hs[i].bits);
      diffs.push(t > 0 && tipT > 0 ? status.difficulty * tipT / t : null);
    }
    drawChart(chart, hs.map((h) => h.height), [{ values: times, color: '#7aa7f0', bars: true }, { values: diffs, color: '#d9822b' }]);
    drawChart(mchart, mempoolSamples.map((_, i) => i), [{ values: mempoolSamples.slice(), color: '#d9822b' }]);
  };
  const drawBlocks = (fresh) => {
    clear(blocksBody);
    for (const b of headers.slice(0, 15)) {
      append(blocksBody, [el('tr', { class: fresh === b.hash ? 'new' : null },
        el('td', null, blockLink(b.hash, num(b.height))), el('td', null, blockLink(b.hash)),
        el('td', { class: 'num' }, String(b.tx_count)), el('td', { class: 'hide-narrow muted' }, ago(b.timestamp)))]);
    }
  };
  const txRows = [];
  const addTx = (t, fresh) => {
    if (txRows.some((r) => r.id === t.id)) return;
    txRows.unshift({ id: t.id, tx: t, fresh: fresh });
    txRows.sort((a, b) => (b.fresh ? 1 : 0) - (a.fresh ? 1 : 0));
    if (txRows.length > 15) txRows.length = 15;
  };
  const drawTxs = () => {
    clear(txsBody);
    if (!txRows.length) append(txsBody, [el('tr', null, el('td', { colspan: 3, class: 'muted' }, 'No recent transactions.'))]);
    for (const t of txRows) {
      const tx = t.tx;
      append(txsBody, [el('tr', { class: t.fresh ? 'new' : null }, el('td', null, txLink(t.id)),
        movesCoins(tx) ? [el('td', null, acctLink(tx.from_address), ' → ', acctLink(tx.to)), el('td', { class: 'num' }, amount(tx.amount))]
          : el('td', { colspan: 2 }, acctLink(tx.from_address), ': ', summarizeTx(tx)))]);
      t.fresh = false;
    }
  };
  const refresh = async (fresh) => {
    const [s, bl] = await Promise.all([loadStatus(), api('/blocks?limit=50')]);
    if (stale()) return;
    headers = (bl && bl.blocks) || [];
    mempoolSamples.push(s.mempool);
    if (mempoolSamples.length > 60) mempoolSamples.shift();
    drawStats(); drawBlocks(fresh); drawCharts();
  };
  await refresh();
  // Seed the latest txs: the mempool and the newest non-empty blocks.
  try {
    const mp = await api('/mempool?limit=10');
    const recent = headers.filter((h) => h.tx_count > 0).slice(0, 3);
    const blocks = await Promise.all(recent.map((h) => api('/blocks/' + h.hash)));
    for (const b of blocks.reverse()) for (const t of b.txs || []) addTx(t, false);
    for (const t of ((mp && mp.txs) || []).slice().reverse()) addTx(t, false);
  } catch (e) { if (!(e instanceof ApiError)) throw e; }
  if (stale()) return;
  drawTxs();
  let pending = false;
  const onBlock = async (d) => {
    if (pending) return;
    pending = true;
    try { await refresh(d && d.hash); } catch (e) { if (e instanceof NetError) scheduleRetry(); } finally { pending = false; }
  };
  hooks.block = onBlock;
  hooks.tx = (d) => {
    if (d.to || !d.id) { addTx(d, true); drawTxs(); return; }
    // A tx event without a receiver is of another kind: read the tx to
    // summarise it.
    api('/txs/' + d.id).then((info) => {
      if (stale() || !info || !info.tx) return;
      addTx(info.tx, true); drawTxs();
    }).catch(() => {});
  };
  every(5000, () => onBlock(null));
  window.onresize = () => { if (!stale()) drawCharts(); };
}
