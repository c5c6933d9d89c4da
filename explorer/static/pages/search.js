// The search box: a height opens that block; 64 hex digits open the
// block or tx with that hash; 40 hex digits open the asset with that id;
// an address opens its account. Anything
// else lands on the not-found page (#/notfound/<query>).
import { el, show } from '../lib/dom.js';
import { exists, NetError } from '../lib/api.js';
import { setConn } from '../lib/conn.js';
import { route } from '../lib/router.js';
import { errorBox } from '../lib/views.js';

export function initSearch() {
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
      if (/^(0x)?[0-9a-fA-F]{40}$/.test(q)) {
        const id = q.replace(/^0x/, '').toLowerCase();
        if (await exists('/assets/' + id)) return go('#/asset/' + id);
        return go('#/notfound/' + id);
      }
      if (/^[a-z0-9]{1,83}1[02-9ac-hj-np-z]{6,}$/i.test(q)) {
        if (await exists('/accounts/' + q)) return go('#/account/' + q);
      }
      return go('#/notfound/' + encodeURIComponent(q));
    } catch (e) {
      if (e instanceof NetError) setConn(false, 'Cannot reach the node; try again in a moment.');
      else show(errorBox(e));
    }
  });
}

// notFoundPage says that nothing matches the query.
export async function notFoundPage(args) {
  show(el('h1', null, 'Not found'), el('div', { class: 'error', id: 'notfound' }, 'Nothing matches “' + args.join('/') + '”: enter a block height, a block hash, a tx id, an asset id or an address.'));
}
