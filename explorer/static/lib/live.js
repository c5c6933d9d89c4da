// Live events: the node's event stream (/api/v1/events, server-sent
// events) feeds the current page's hooks; the footer says whether it is live.
import { API } from './api.js';
import { hooks } from './router.js';

let es = null;

export function connectEvents() {
  const live = document.getElementById('live');
  if (es) es.close();
  es = new EventSource(API + '/events');
  live.textContent = 'connecting to live events…';
  es.onopen = () => { live.textContent = 'live'; if (hooks.block) hooks.block({}); };
  es.onerror = () => {
    live.textContent = 'live events reconnecting…';
    if (es.readyState === EventSource.CLOSED) setTimeout(connectEvents, 3000);
  };
  const parse = (e) => { try { return JSON.parse(e.data); } catch (x) { return null; } };
  es.addEventListener('block', (e) => { const d = parse(e); if (d && hooks.block) hooks.block(d); });
  es.addEventListener('reorg', (e) => { const d = parse(e); if (d && hooks.block) hooks.block(d); });
  es.addEventListener('gap', () => { if (hooks.block) hooks.block({}); });
  es.addEventListener('tx', (e) => { const d = parse(e); if (d && hooks.tx) hooks.tx(d); });
  es.addEventListener('contract_event', (e) => { const d = parse(e); if (d && hooks.contract) hooks.contract(d); });
}
