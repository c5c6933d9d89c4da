// Cairn block explorer: a single-page app over the node's REST API.
// Plain JavaScript, no framework, no build step. Chain data is only ever
// put in the page as text (textContent / text nodes), never as HTML.
'use strict';

(function () {
  const API = '/api/v1';
  const main = document.getElementById('main');
  const conn = document.getElementById('conn');
  const live = document.getElementById('live');

  // ---------- DOM helpers (text only) ----------

  // el builds an element: attrs sets properties (class, href, ...), and
  // children are nodes or strings (added as text nodes).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'onclick') e.addEventListener('click', v);
        else if (k === 'onsubmit') e.addEventListener('submit', v);
        else if (k === 'href') e.setAttribute('href', safeHref(v));
        else if (k === 'hidden' || k === 'disabled') e[k] = true;
        else e.setAttribute(k, String(v));
      }
    }
    append(e, children);
    return e;
  }
  function append(e, children) {
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) append(e, c);
      else if (c instanceof Node) e.appendChild(c);
      else e.appendChild(document.createTextNode(String(c)));
    }
  }
  // safeHref allows only in-page routes and http(s) URLs.
  function safeHref(v) {
    const s = String(v);
    if (s.startsWith('#/')) return s;
    if (/^https?:\/\//i.test(s)) return s;
    return '#/';
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function show(...nodes) { clear(main); append(main, nodes); }

  // ---------- formatting ----------

  let decimals = 8;
  function amount(n) {
    if (n === undefined || n === null) return '';
    let v = BigInt(n);
    const neg = v < 0n;
    if (neg) v = -v;
    const base = 10n ** BigInt(decimals);
    let s = (v / base).toString();
    if (decimals > 0) {
      const frac = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
      if (frac) s += '.' + frac;
    }
    return (neg ? '-' : '') + s;
  }
  function short(h) { h = String(h || ''); return h.length > 20 ? h.slice(0, 10) + '…' + h.slice(-8) : h; }
  function ago(ms) {
    if (!ms) return '';
    const s = Math.round((Date.now() - ms) / 1000);
    if (s < 0) return 'in the future';
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' d ago';
  }
  function time(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') + ' (' + ago(ms) + ')' : ''; }
  function rate(h) {
    const u = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s'];
    let i = 0; h = Number(h) || 0;
    while (h >= 1000 && i < u.length - 1) { h /= 1000; i++; }
    return h.toFixed(h < 10 && i > 0 ? 2 : 0) + ' ' + u[i];
  }
  function num(x, d) { return Number(x).toLocaleString('en-US', { maximumFractionDigits: d || 0 }); }
  function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'; }

  function blockLink(id, text) { return el('a', { href: '#/block/' + id, class: 'mono' }, text === undefined ? short(id) : text); }
  function txLink(id) { return el('a', { href: '#/tx/' + id, class: 'mono' }, short(id)); }
  function acctLink(a) { return a ? el('a', { href: '#/account/' + a, class: 'mono' }, short(a)) : el('span', { class: 'muted' }, '—'); }

  // ---------- API ----------

  class NetError extends Error {}
  class ApiError extends Error {
    constructor(status, detail, code) { super(detail); this.status = status; this.code = code; }
  }

  async function api(path, opts) {
    let r;
    try {
      // The devnet controls live at the root (/devnet/...), the rest under /api/v1.
      const url = path.startsWith('/devnet/') ? path : API + path;
      r = await fetch(url, Object.assign({ headers: { Accept: 'application/json' }, cache: 'no-store' }, opts || {}));
    } catch (e) {
      throw new NetError('cannot reach the node');
    }
    if (r.status === 502 || r.status === 504) throw new NetError('the node is not answering');
    let body = null;
    const text = await r.text();
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!r.ok) {
      const detail = body && (body.detail || body.title) ? (body.detail || body.title) : (r.status + ' ' + r.statusText);
      throw new ApiError(r.status, detail, body && body.code);
    }
    setConn(true);
    return body;
  }
  function post(path, body) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body || {}) });
  }

  // ---------- connection state and retry ----------

  let retryTimer = null;
  let retryDelay = 1000;
  function setConn(ok, msg) {
    if (ok) {
      conn.hidden = true;
      retryDelay = 1000;
      return;
    }
    conn.hidden = false;
    conn.textContent = msg || 'Cannot reach the node, retrying…';
  }
  function scheduleRetry() {
    if (retryTimer) return;
    const d = retryDelay;
    retryDelay = Math.min(retryDelay * 2, 10000);
    setConn(false, 'Cannot reach the node, retrying in ' + Math.round(d / 1000) + ' s…');
    retryTimer = setTimeout(() => { retryTimer = null; route(); }, d);
  }

  // errorBox shows an API error (problem detail) or a not-found message.
  function errorBox(e, what) {
    if (e instanceof ApiError) {
      if (e.status === 404) return el('div', { class: 'error', id: 'notfound' }, 'Not found: ' + (what || 'no such object') + '. ', e.message);
      return el('div', { class: 'error' }, 'Error ' + e.status + (e.code ? ' (' + e.code + ')' : '') + ': ' + e.message);
    }
    return el('div', { class: 'error' }, String(e && e.message || e));
  }

  // ---------- status (decimals, header info) ----------

  let status = null;
  async function loadStatus() {
    status = await api('/status');
    decimals = Number(status.decimals) || 0;
    return status;
  }

  // ---------- router ----------

  let gen = 0; // incremented per navigation; stale renders stop
  let timers = [];
  let onBlock = null; // the current page's live hooks
  let onTx = null;
  function every(ms, f) { timers.push(setInterval(f, ms)); }

  async function route() {
    const my = ++gen;
    for (const t of timers) clearInterval(t);
    timers = [];
    onBlock = onTx = null;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    let h = location.hash.replace(/^#/, '');
    try { h = decodeURIComponent(h); } catch (e) { /* keep it raw */ }
    h = h || '/';
    const parts = h.split('/').filter(Boolean);
    const stale = () => my !== gen;
    try {
      if (!status) await loadStatus();
      if (stale()) return;
      switch (parts[0]) {
        case undefined: await dashboard(stale); break;
        case 'block': await blockPage(parts[1] || '', stale); break;
        case 'tx': await txPage(parts[1] || '', stale); break;
        case 'account': await accountPage(parts[1] || '', stale); break;
        case 'peers': await peersPage(stale); break;
        case 'devnet': await devnetPage(stale); break;
        case 'notfound': show(el('h1', null, 'Not found'), el('div', { class: 'error', id: 'notfound' }, 'Nothing matches “' + (parts.slice(1).join('/')) + '”: enter a block height, a block hash, a tx id or an address.')); break;
        default: show(el('div', { class: 'error', id: 'notfound' }, 'Not found: no such page.'));
      }
      if (!stale()) setConn(true);
    } catch (e) {
      if (stale()) return;
      if (e instanceof NetError) {
        if (!main.firstChild || main.querySelector('.loading')) show(el('p', { class: 'muted loading' }, 'Waiting for the node…'));
        scheduleRetry();
        return;
      }
      show(errorBox(e));
    }
  }
  window.addEventListener('hashchange', route);

  // ---------- search ----------

  document.getElementById('search').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = document.getElementById('q');
    const q = input.value.trim();
    if (!q) return;
    const go = (h) => { input.value = ''; if (location.hash === h) route(); else location.hash = h; };
    try {
      if (/^\d+$/.test(q)) return go('#/block/' + q);
      if (/^(0x)?[0-9a-fA-F]{64}$/.test(q)) {
        const id = q.replace(/^0x/, '').toLowerCase();
        if (await exists('/blocks/' + id)) return go('#/block/' + id);
        if (await exists('/txs/' + id)) return go('#/tx/' + id);
        return go('#/notfound/' + id);
      }
      if (/^[a-z0-9]{1,83}1[02-9ac-hj-np-z]{6,}$/i.test(q)) {
        if (await exists('/accounts/' + q)) return go('#/account/' + q);
      }
      return go('#/notfound/' + q);
    } catch (e) {
      if (e instanceof NetError) setConn(false, 'Cannot reach the node; try again in a moment.');
      else show(errorBox(e));
    }
  });
  async function exists(path) {
    try { await api(path); return true; } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return false;
      throw e;
    }
  }

  // ---------- live events ----------

  let es = null;
  function connectEvents() {
    if (es) es.close();
    es = new EventSource(API + '/events');
    live.textContent = 'connecting to live events…';
    es.onopen = () => { live.textContent = 'live'; if (onBlock) onBlock({}); };
    es.onerror = () => {
      live.textContent = 'live events reconnecting…';
      if (es.readyState === EventSource.CLOSED) setTimeout(connectEvents, 3000);
    };
    const parse = (e) => { try { return JSON.parse(e.data); } catch (x) { return null; } };
    es.addEventListener('block', (e) => { const d = parse(e); if (d && onBlock) onBlock(d); });
    es.addEventListener('reorg', (e) => { const d = parse(e); if (d && onBlock) onBlock(d); });
    es.addEventListener('gap', () => { if (onBlock) onBlock({}); });
    es.addEventListener('tx', (e) => { const d = parse(e); if (d && onTx) onTx(d); });
  }

  // ---------- dashboard ----------

  const mempoolSamples = [];
  async function dashboard(stale) {
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
      const s = status;
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
      txRows.unshift({ id: t.id, from: t.from_address, to: t.to, amount: t.amount, fresh: fresh });
      txRows.sort((a, b) => (b.fresh ? 1 : 0) - (a.fresh ? 1 : 0));
      if (txRows.length > 15) txRows.length = 15;
    };
    const drawTxs = () => {
      clear(txsBody);
      if (!txRows.length) append(txsBody, [el('tr', null, el('td', { colspan: 3, class: 'muted' }, 'No recent transactions.'))]);
      for (const t of txRows) {
        append(txsBody, [el('tr', { class: t.fresh ? 'new' : null }, el('td', null, txLink(t.id)),
          el('td', null, acctLink(t.from), ' → ', acctLink(t.to)), el('td', { class: 'num' }, amount(t.amount)))]);
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
    onBlock = async (d) => {
      if (pending) return;
      pending = true;
      try { await refresh(d && d.hash); } catch (e) { if (e instanceof NetError) scheduleRetry(); } finally { pending = false; }
    };
    onTx = (d) => { addTx(d, true); drawTxs(); };
    every(5000, () => onBlock(null));
    window.onresize = () => { if (!stale()) drawCharts(); };
  }

  // targetOf turns compact bits ("0x1f00ffff") into a float target.
  function targetOf(bits) {
    const v = parseInt(String(bits), 16);
    if (!isFinite(v) || v <= 0) return 0;
    const exp = v >>> 24;
    const mant = v & 0x7fffff;
    return mant * Math.pow(256, exp - 3);
  }

  // drawChart draws series on a canvas by hand: each series has its own
  // vertical scale (bars or a line); labels give the min and max.
  function drawChart(canvas, xs, series) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 600;
    const h = canvas.clientHeight || 180;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const c = canvas.getContext('2d');
    if (!c) return;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, w, h);
    const padL = 6, padR = 6, padT = 16, padB = 16;
    const n = xs.length;
    c.font = '11px system-ui, sans-serif';
    c.strokeStyle = '#dde1e6';
    c.beginPath(); c.moveTo(padL, h - padB + 0.5); c.lineTo(w - padR, h - padB + 0.5); c.stroke();
    if (n === 0) { c.fillStyle = '#667080'; c.fillText('no data yet', padL + 4, h / 2); return; }
    const step = (w - padL - padR) / Math.max(n, 1);
    series.forEach((s, si) => {
      const vals = s.values.filter((v) => v !== null && isFinite(v));
      if (!vals.length) return;
      let lo = Math.min(...vals), hi = Math.max(...vals);
      if (s.bars) lo = 0;
      if (hi === lo) { hi = lo + 1; lo = s.bars ? 0 : lo - 1; }
      const y = (v) => h - padB - (v - lo) / (hi - lo) * (h - padT - padB);
      c.fillStyle = s.color; c.strokeStyle = s.color; c.lineWidth = 2;
      if (s.bars) {
        s.values.forEach((v, i) => {
          if (v === null || !isFinite(v)) return;
          c.fillRect(padL + i * step + step * 0.15, y(v), step * 0.7, h - padB - y(v));
        });
      } else {
        c.beginPath();
        let started = false;
        s.values.forEach((v, i) => {
          if (v === null || !isFinite(v)) return;
          const px = padL + i * step + step / 2;
          if (started) c.lineTo(px, y(v)); else { c.moveTo(px, y(v)); started = true; }
        });
        c.stroke();
      }
      const fmt = (v) => (Math.abs(v) >= 100 ? num(v) : num(v, 2));
      c.fillStyle = s.color;
      c.textAlign = si === 0 ? 'left' : 'right';
      const x = si === 0 ? padL : w - padR;
      c.fillText('max ' + fmt(Math.max(...vals)), x, 11);
      c.fillText('min ' + fmt(Math.min(...vals)), x, h - 3);
    });
    c.textAlign = 'center';
    c.fillStyle = '#667080';
    if (n > 1 && xs[0] !== undefined && series.length > 1) c.fillText('#' + xs[0] + ' … #' + xs[n - 1], w / 2, h - 3);
  }

  // ---------- block page ----------

  function kv(rows) {
    const dl = el('dl', { class: 'kv' });
    for (const [k, v] of rows) {
      if (v === undefined || v === null) continue;
      append(dl, [el('dt', null, k), el('dd', null, v)]);
    }
    return dl;
  }

  async function blockPage(id, stale) {
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

  function txTable(txs) {
    if (!txs.length) return el('p', { class: 'muted' }, 'No transactions.');
    const body = el('tbody');
    for (const t of txs) {
      append(body, [el('tr', null, el('td', null, txLink(t.id)), el('td', null, acctLink(t.from_address)),
        el('td', null, acctLink(t.to)), el('td', { class: 'num' }, amount(t.amount)), el('td', { class: 'num hide-narrow' }, amount(t.fee)))]);
    }
    return el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'From'), el('th', null, 'To'),
      el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num hide-narrow' }, 'Fee'))), body));
  }

  // ---------- tx page ----------

  function hexBytes(h) {
    h = String(h || '');
    if (h.length % 2 || !/^[0-9a-fA-F]*$/.test(h)) return null;
    const b = new Uint8Array(h.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
    return b;
  }
  function toHex(b) { return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join(''); }
  // printable decodes memo bytes as UTF-8 text if they are valid and free
  // of control characters (tab and newlines allowed); else null.
  function printable(b) {
    if (!b || !b.length) return null;
    let s;
    try { s = new TextDecoder('utf-8', { fatal: true }).decode(b); } catch (e) { return null; }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(s)) return null;
    return s;
  }

  async function sha256(...parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const buf = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { buf.set(p, o); o += p.length; }
    return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  }
  // verifyProof checks an RFC 6962 inclusion proof by RFC 9162 2.1.3.2:
  // leaf = SHA-256(0x00 || id), node = SHA-256(0x01 || left || right).
  async function verifyProof(p, txid) {
    if (!crypto || !crypto.subtle) return { ok: false, why: 'this browser has no Web Crypto here (needs a secure context such as http://127.0.0.1)' };
    if (p.tx_id !== txid) return { ok: false, why: 'the proof is for another tx' };
    const id = hexBytes(p.tx_id), root = hexBytes(p.tx_root);
    if (!id || id.length !== 32 || !root || root.length !== 32) return { ok: false, why: 'malformed id or root' };
    let fn = Number(p.index), sn = Number(p.size) - 1;
    if (!(fn >= 0) || !(sn >= 0) || fn > sn) return { ok: false, why: 'index ' + p.index + ' not below size ' + p.size };
    let r = await sha256(new Uint8Array([0]), id);
    for (const hx of p.branch || []) {
      const q = hexBytes(hx);
      if (!q || q.length !== 32) return { ok: false, why: 'malformed branch hash' };
      if (sn === 0) return { ok: false, why: 'branch longer than the tree' };
      if ((fn & 1) === 1 || fn === sn) {
        r = await sha256(new Uint8Array([1]), q, r);
        if ((fn & 1) === 0) while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(new Uint8Array([1]), r, q);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) return { ok: false, why: 'branch shorter than the tree' };
    const got = toHex(r);
    if (got !== String(p.tx_root).toLowerCase()) return { ok: false, why: 'computed root ' + got + ' differs from tx_root' };
    return { ok: true };
  }

  async function txPage(id, stale) {
    id = String(id).toLowerCase();
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
    const memo = hexBytes(t.memo);
    const text = printable(memo);
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
        ['To', t.to ? el('a', { href: '#/account/' + t.to, class: 'hash' }, t.to) : null],
        ['Amount', amount(t.amount)],
        ['Fee', amount(t.fee)],
        ['Nonce', String(t.nonce)],
        ['Memo (hex)', t.memo ? el('span', { class: 'hash', id: 'memo-hex' }, t.memo) : el('span', { class: 'muted' }, 'empty')],
        ['Memo (text)', text !== null ? el('span', { class: 'hash', id: 'memo-text' }, text) : null],
        ['Anchored hash', memo && memo.length === 32 && Number(t.amount) === 0 ? el('span', { class: 'hash' }, 'SHA-256 ' + t.memo) : null],
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

  // ---------- account page ----------

  async function accountPage(addr, stale) {
    const before = new URLSearchParams(location.hash.split('?')[1] || '').get('before');
    addr = addr.split('?')[0];
    let a, h;
    try {
      [a, h] = await Promise.all([api('/accounts/' + encodeURIComponent(addr)),
        api('/accounts/' + encodeURIComponent(addr) + '/txs?limit=25' + (before ? '&before=' + encodeURIComponent(before) : ''))]);
    } catch (e) {
      if (e instanceof ApiError) { show(el('h1', null, 'Account'), errorBox(e, 'account ' + addr)); return; }
      throw e;
    }
    if (stale()) return;
    const body = el('tbody', { id: 'history' });
    for (const i of h.txs || []) {
      const t = i.tx || {};
      const out = t.from_address === a.address;
      append(body, [el('tr', null,
        el('td', null, txLink(t.id)),
        el('td', null, el('span', { class: 'badge ' + (i.status === 'confirmed' ? 'ok' : 'warn') }, i.status)),
        el('td', null, out ? 'to ' : 'from ', acctLink(out ? t.to : t.from_address)),
        el('td', { class: 'num' }, (out ? '-' : '+') + amount(t.amount)),
        el('td', { class: 'num hide-narrow' }, out ? amount(t.fee) : ''),
        el('td', { class: 'num hide-narrow' }, i.status === 'confirmed' ? blockLink(i.block_hash, num(i.height)) : ''))]);
    }
    show(
      el('h1', null, 'Account'),
      kv([
        ['Address', el('span', { class: 'hash' }, a.address)],
        ['Balance', el('span', { id: 'balance' }, amount(a.balance))],
        ['Nonce', String(a.nonce)],
        ['Pending balance', amount(a.pending_balance)],
        ['Pending nonce', String(a.pending_nonce)],
      ]),
      el('h2', null, 'History', before ? ' (older)' : ''),
      (h.txs || []).length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Tx'), el('th', null, 'Status'),
        el('th', null, 'Counterparty'), el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num hide-narrow' }, 'Fee'), el('th', { class: 'num hide-narrow' }, 'Block'))), body))
        : el('p', { class: 'muted' }, 'No transactions.'),
      el('div', { class: 'pager' },
        before ? el('a', { href: '#/account/' + a.address }, 'newest') : null,
        h.next ? el('a', { id: 'more', href: '#/account/' + a.address + '?before=' + h.next }, 'older →') : null));
  }

  // ---------- peers page ----------

  async function peersPage(stale, again) {
    const peers = await api('/peers');
    let bans = null;
    try { bans = await api('/peers/bans'); } catch (e) { if (e instanceof NetError) throw e; }
    if (stale()) return;
    const list = Array.isArray(peers) ? peers : (peers && peers.peers) || [];
    const body = el('tbody');
    for (const p of list) {
      append(body, [el('tr', null, el('td', { class: 'hash' }, p.id), el('td', { class: 'hash hide-narrow' }, (p.addrs || []).join(' ')),
        el('td', null, p.direction), el('td', { class: 'num' }, num(p.height)), el('td', { class: 'num' }, num(p.latency_ms, 1) + ' ms'))]);
    }
    const banList = Array.isArray(bans) ? bans : (bans && bans.bans) || [];
    const bbody = el('tbody');
    for (const b of banList) {
      append(bbody, [el('tr', null, el('td', { class: 'hash' }, b.peer_id), el('td', null, new Date(b.until).toISOString()), el('td', null, b.reason))]);
    }
    show(
      el('h1', null, 'Peers (', String(list.length), ')'),
      list.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'ID'), el('th', { class: 'hide-narrow' }, 'Address'),
        el('th', null, 'Direction'), el('th', { class: 'num' }, 'Height'), el('th', { class: 'num' }, 'Latency'))), body))
        : el('p', { class: 'muted' }, 'No connected peers.'),
      bans !== null ? el('h2', null, 'Bans') : null,
      bans !== null ? (banList.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Peer'), el('th', null, 'Until'), el('th', null, 'Reason'))), bbody))
        : el('p', { class: 'muted' }, 'No banned peers.')) : null);
    if (!again) every(5000, () => { if (!stale()) peersPage(stale, true).catch(() => {}); });
  }

  // ---------- devnet page ----------

  // parseGroups reads "0 | 1 2" as [[0], [1, 2]].
  function parseGroups(s) {
    const groups = s.split('|').map((g) => g.trim()).filter(Boolean).map((g) => g.split(/[\s,]+/).map((x) => {
      if (!/^\d+$/.test(x)) throw new Error('“' + x + '” is not a node index');
      return Number(x);
    }));
    if (groups.length < 2) throw new Error('give at least two groups separated by |, like “0 | 1 2”');
    return groups;
  }

  async function devnetPage(stale) {
    let d;
    try { d = await api('/devnet/nodes'); } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        show(el('h1', null, 'Devnet'), el('div', { class: 'notice' }, 'This node is not the first node of a `cairn devnet`: no fault controls here.'));
        return;
      }
      throw e;
    }
    if (stale()) return;
    const grid = el('div', { class: 'nodes', id: 'devnet-nodes' });
    const msg = el('div', { id: 'devnet-msg' });
    const groups = el('input', { id: 'groups', type: 'text', placeholder: '0 | 1 2', 'aria-label': 'Partition groups' });
    const act = async (f) => {
      clear(msg);
      try { d = await f(); draw(); append(msg, [el('div', { class: 'notice' }, 'Done.')]); } catch (e) {
        if (e instanceof NetError) append(msg, [el('div', { class: 'error' }, 'Cannot reach the node.')]);
        else append(msg, [errorBox(e)]);
      }
    };
    const draw = () => {
      clear(grid);
      for (const n of d.nodes || []) {
        const api2 = String(n.api || '');
        const url = /^https?:\/\//.test(api2) ? api2 : (api2 ? 'http://' + api2 + '/' : '');
        append(grid, [el('div', { class: 'card node' + (n.running ? '' : ' down'), 'data-index': n.index },
          el('h2', null, 'Node ', String(n.index), ' ', el('span', { class: 'badge ' + (n.running ? 'ok' : 'bad') }, n.running ? 'running' : 'stopped')),
          kv([
            ['Height', el('span', { class: 'node-height' }, num(n.height))],
            ['Tip', el('span', { class: 'hash node-tip' }, short(n.tip))],
            ['Digest', el('span', { class: 'hash' }, short(n.state_digest))],
            ['Peers', num(n.peers)],
            ['Group', d.partitioned ? String(n.group) : '— (healed)'],
            ['API', url ? el('a', { href: url }, api2) : '—'],
          ]),
          el('div', { class: 'row' },
            el('button', { class: 'danger', disabled: !n.running || n.index === 0, title: n.index === 0 ? 'node 0 serves these controls' : null, onclick: () => act(() => post('/devnet/nodes/' + n.index + '/stop')) }, 'Stop'),
            el('button', { disabled: n.running, onclick: () => act(() => post('/devnet/nodes/' + n.index + '/start')) }, 'Start')))]);
      }
    };
    show(
      el('h1', null, 'Devnet'),
      el('p', { class: 'muted' }, 'The nodes side by side; partition them, watch the tips diverge, heal, watch them converge.'),
      el('div', { class: 'controls' },
        el('label', { for: 'groups' }, 'Groups'), groups,
        el('button', { class: 'primary', id: 'partition', onclick: () => act(() => post('/devnet/partition', { groups: parseGroups(groups.value) })) }, 'Partition'),
        el('button', { id: 'heal', onclick: () => act(() => post('/devnet/heal')) }, 'Heal'),
        el('span', { id: 'partitioned', class: 'badge ' + (d.partitioned ? 'warn' : 'ok') }, d.partitioned ? 'partitioned' : 'connected')),
      msg, grid);
    draw();
    const badge = document.getElementById('partitioned');
    every(2000, async () => {
      try {
        const n = await api('/devnet/nodes');
        if (stale()) return;
        d = n; draw();
        badge.className = 'badge ' + (d.partitioned ? 'warn' : 'ok');
        badge.textContent = d.partitioned ? 'partitioned' : 'connected';
      } catch (e) { if (e instanceof NetError) setConn(false, 'Cannot reach the node, retrying…'); }
    });
  }

  // ---------- start ----------

  // Show the devnet link only where /devnet/nodes answers.
  fetch('/devnet/nodes', { cache: 'no-store' }).then((r) => {
    if (r.ok) document.getElementById('nav-devnet').hidden = false;
  }).catch(() => {});
  connectEvents();
  route();
})();
