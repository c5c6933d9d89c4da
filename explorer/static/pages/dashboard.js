// The dashboard (#/): the node's status cards, charts of the last 50
// blocks and of the mempool, the latest blocks and txs, kept live by the
// event stream and a 5 s refresh. A proof-of-authority chain shows its
// engine, period, signer set (the signer in turn marked) and pending votes
// instead of difficulty and hash rate, and each block's signer and turn.
import { el, append, clear, show } from '../lib/dom.js';
import { amount, ago, bytes, num, rate, short } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { currentStatus, loadStatus } from '../lib/status.js';
import { every, hooks, scheduleRetry } from '../lib/router.js';
import { acctLink, blockLink, txLink } from '../lib/views.js';
import { isPoA, period, turnBadge, voteBadge } from '../lib/consensus.js';
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
  // The engine is known from the status loaded before the first page.
  const poa = isPoA(currentStatus());
  const signersBody = el('tbody', { id: 'signers' });
  const votesBox = el('div', { id: 'votes' });
  show(
    el('h1', null, 'Dashboard'),
    cards,
    poa ? el('div', { class: 'grid2' },
      el('div', { class: 'panel' }, el('h2', null, 'Signers'),
        el('table', null, el('thead', null, el('tr', null, el('th', null, 'Signer'), el('th', { class: 'hide-narrow' }, 'Key'),
          el('th', { class: 'num' }, 'Last block'), el('th', { class: 'num' }, 'Of last 50'))), signersBody)),
      el('div', { class: 'panel' }, el('h2', null, 'Pending votes'), votesBox)) : null,
    el('div', { class: 'grid2' },
      el('div', { class: 'panel' }, el('h2', null, 'Last 50 blocks'),
        poa ? el('div', { class: 'legend' }, el('span', { class: 'sw1' }), 'block time (s)')
          : el('div', { class: 'legend' }, el('span', { class: 'sw1' }), 'block time (s)  ', el('span', { class: 'sw2' }), 'difficulty'), chart),
      el('div', { class: 'panel' }, el('h2', null, 'Mempool size'), el('div', { class: 'legend' }, el('span', { class: 'sw2' }), 'pending txs (sampled)'), mchart)),
    el('div', { class: 'grid2' },
      el('div', { class: 'panel' }, el('h2', null, 'Latest blocks'),
        el('table', null, el('thead', null, el('tr', null, el('th', null, 'Height'), el('th', null, poa ? 'Signer' : 'Hash'), el('th', { class: 'num' }, 'Txs'), el('th', { class: 'hide-narrow' }, 'Time'))), blocksBody)),
      el('div', { class: 'panel' }, el('h2', null, 'Latest transactions'),
        el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'From → To'), el('th', { class: 'num' }, 'Amount'))), txsBody))));

  let headers = [];
  // cons is GET /consensus on a PoA chain (null before it loads); consErr
  // why it could not be read.
  let cons = null; let consErr = null;
  const drawStats = () => {
    const s = currentStatus();
    clear(cards);
    const card = (k, v, id) => el('div', { class: 'card' }, el('div', { class: 'k' }, k), el('div', { class: 'v', id: id }, v));
    let sync = s.syncing ? 'syncing' : 'in sync';
    if (s.syncing && s.sync) sync += ' ' + num(s.sync.percent, 1) + '% (' + num(s.sync.height) + ' / ' + num(s.sync.target) + ')';
    append(cards, [
      card('Height', num(s.height), 'stat-height'),
      card('Tip', blockLink(s.tip), 'stat-tip'),
      poa ? [
        card('Consensus', 'proof of authority', 'stat-engine'),
        card('Period', cons ? period(cons.period_ms) : '—', 'stat-period'),
        card('In turn', cons && cons.in_turn ? acctLink(cons.in_turn.address) : '—', 'stat-inturn'),
      ] : [
        card('Difficulty', num(s.difficulty, 2)),
        card('Hash rate', rate(s.hashrate) + (s.mining ? '' : ' (not mining)')),
      ],
      card('Mempool', num(s.mempool) + ' txs, ' + bytes(s.mempool_bytes || 0), 'stat-mempool'),
      card('Peers', el('a', { href: '#/peers' }, num(s.peers))),
      card('Sync', sync),
      card('Chain', s.chain_id + ' · ' + s.version),
    ]);
  };
  // drawSigners lists the signer set, the one in turn for the next
  // height marked, with each signer's last block among the latest 50; and
  // the votes counted since the epoch began.
  const drawSigners = () => {
    clear(signersBody); clear(votesBox);
    if (!cons) {
      const why = consErr ? 'Cannot read the signer set: ' + consErr : 'Loading…';
      append(signersBody, [el('tr', null, el('td', { colspan: 4, class: 'muted' }, why))]);
      return;
    }
    const inTurn = cons.in_turn ? cons.in_turn.key : '';
    for (const sg of cons.signers || []) {
      const mine = headers.filter((h) => h.signer === sg.key);
      const mark = sg.key === inTurn;
      append(signersBody, [el('tr', { class: mark ? 'in-turn' : null },
        el('td', null, acctLink(sg.address), mark ? [' ', el('span', { class: 'badge ok', id: 'in-turn-mark' }, 'in turn')] : null),
        el('td', { class: 'mono hide-narrow' }, short(sg.key)),
        el('td', { class: 'num' }, mine.length ? blockLink(mine[0].hash, num(mine[0].height)) : el('span', { class: 'muted' }, '—')),
        el('td', { class: 'num' }, num(mine.length)))]);
    }
    const votes = cons.votes || [];
    if (!votes.length) append(votesBox, [el('p', { class: 'muted' }, 'No pending votes.')]);
    else {
      const body = el('tbody');
      for (const v of votes) {
        append(body, [el('tr', null, el('td', null, el('span', { class: 'badge' }, v.add ? 'add' : 'drop')), el('td', null, acctLink(v.address)),
          el('td', { class: 'num' }, num(v.votes) + ' of ' + num(cons.needed) + ' needed'))]);
      }
      append(votesBox, [el('table', null, el('thead', null, el('tr', null, el('th', null, 'Vote'), el('th', null, 'Signer'), el('th', { class: 'num' }, 'Votes'))), body)]);
    }
    for (const p of cons.proposals || []) {
      append(votesBox, [el('p', { class: 'proposal' }, 'This node proposes to ', p.add ? 'add ' : 'drop ', acctLink(p.address), '.')]);
    }
    if (cons.epoch) {
      const next = (Math.floor(cons.height / cons.epoch) + 1) * cons.epoch;
      append(votesBox, [el('p', { class: 'muted' }, 'A majority of the signers (' + num(cons.needed) + ' of ' + num((cons.signers || []).length) +
        ') changes the set; votes reset every ' + num(cons.epoch) + ' blocks, next at height ' + num(next) + '.')]);
    }
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
    const series = [{ values: times, color: '#7aa7f0', bars: true }];
    if (!poa) series.push({ values: diffs, color: '#d9822b' });
    drawChart(chart, hs.map((h) => h.height), series);
    drawChart(mchart, mempoolSamples.map((_, i) => i), [{ values: mempoolSamples.slice(), color: '#d9822b' }]);
  };
  const drawBlocks = (fresh) => {
    clear(blocksBody);
    for (const b of headers.slice(0, 15)) {
      append(blocksBody, [el('tr', { class: fresh === b.hash ? 'new' : null },
        el('td', null, blockLink(b.hash, num(b.height))),
        !poa ? el('td', null, blockLink(b.hash))
          : b.signer ? el('td', { class: 'signer' }, acctLink(b.miner), ' ', turnBadge(b.bits), b.vote ? [' ', voteBadge(b.vote)] : null)
            : el('td', { class: 'signer muted' }, b.height === 0 ? 'genesis' : '—'),
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
  // readConsensus reads the signer set, in turn and votes (PoA only): a
  // refusal is shown in the signers panel, an unreachable node thrown.
  const readConsensus = async () => {
    if (!poa) return null;
    try { const c = await api('/consensus'); consErr = null; return c; } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      consErr = e.message; return null;
    }
  };
  const refresh = async (fresh) => {
    const [s, bl, c] = await Promise.all([loadStatus(), api('/blocks?limit=50'), readConsensus()]);
    if (stale()) return;
    headers = (bl && bl.blocks) || [];
    if (poa) { cons = c; drawSigners(); }
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
