// The hash router: "#/<page>/<args...>" picks a page from the table given
// to start. A page is an async function (args, stale): args are the
// path's segments after the page name, each URL-decoded, and stale()
// turns true once the user has navigated away, so a slow page stops
// drawing. A page may
// repeat work with every(), and take live events through hooks; both end
// at the next navigation. When the node cannot be reached, the page is
// retried with a growing delay.
import { el, show, mainEl } from './dom.js';
import { NetError } from './api.js';
import { setConn, nextRetryDelay } from './conn.js';
import { currentStatus, loadStatus } from './status.js';
import { errorBox } from './views.js';

let routes = new Map();
let gen = 0; // incremented per navigation; stale renders stop
let timers = [];
let retryTimer = null;

// hooks are the current page's live-event handlers (see live.js): block
// gets block, reorg and gap events ({} on a gap or a reconnect), tx new
// txs, contract the events contracts emit in new main-chain blocks.
export const hooks = { block: null, tx: null, contract: null };

// every runs f every ms milliseconds until the next navigation.
export function every(ms, f) { timers.push(setInterval(f, ms)); }

// scheduleRetry draws the current page again after a delay, saying so in
// the connection banner.
export function scheduleRetry() {
  if (retryTimer) return;
  const d = nextRetryDelay();
  setConn(false, 'Cannot reach the node, retrying in ' + Math.round(d / 1000) + ' s…');
  retryTimer = setTimeout(() => { retryTimer = null; route(); }, d);
}

// route draws the page the location's hash names.
export async function route() {
  const my = ++gen;
  for (const t of timers) clearInterval(t);
  timers = [];
  hooks.block = hooks.tx = hooks.contract = null;
  if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
  // The query ("?after=...", see hashQuery) is not part of the path. Each
  // segment is decoded on its own, so an escaped "/" (%2F, in an item id
  // say) stays inside its segment.
  const parts = location.hash.replace(/^#/, '').split('?')[0].split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch (e) { return p; } // keep it raw
  });
  const stale = () => my !== gen;
  try {
    if (!currentStatus()) await loadStatus();
    if (stale()) return;
    const page = routes.get(parts[0] || '');
    if (page) await page(parts.slice(1), stale);
    else show(el('div', { class: 'error', id: 'notfound' }, 'Not found: no such page.'));
    if (!stale()) setConn(true);
  } catch (e) {
    if (stale()) return;
    if (e instanceof NetError) {
      const main = mainEl();
      if (!main.firstChild || main.querySelector('.loading')) show(el('p', { class: 'muted loading' }, 'Waiting for the node…'));
      scheduleRetry();
      return;
    }
    show(errorBox(e));
  }
}

// start routes with table (a Map from page name, '' for the dashboard, to
// page) and draws the current page.
export function start(table) {
  routes = table;
  window.addEventListener('hashchange', route);
  route();
}

// hashQuery returns the parameters after "?" in the location's hash
// ("#/assets?after=..."), read from the raw hash.
export function hashQuery() { return new URLSearchParams(location.hash.split('?')[1] || ''); }
