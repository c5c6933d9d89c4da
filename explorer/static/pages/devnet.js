// The devnet's fault controls (#/devnet), on the first node of a
// `cairn devnet`: the nodes side by side, stop and start each, partition
// them into groups and heal.
import { el, append, clear, show } from '../lib/dom.js';
import { num, short } from '../lib/format.js';
import { api, post, ApiError, NetError } from '../lib/api.js';
import { setConn } from '../lib/conn.js';
import { every } from '../lib/router.js';
import { errorBox, kv } from '../lib/views.js';

// showDevnetLink shows the devnet link only where /devnet/nodes answers.
export function showDevnetLink() {
  fetch('/devnet/nodes', { cache: 'no-store' }).then((r) => {
    if (r.ok) document.getElementById('nav-devnet').hidden = false;
  }).catch(() => {});
}

// parseGroups reads "0 | 1 2" as [[0], [1, 2]].
function parseGroups(s) {
  const groups = s.split('|').map((g) => g.trim()).filter(Boolean).map((g) => g.split(/[\s,]+/).map((x) => {
    if (!/^\d+$/.test(x)) throw new Error('“' + x + '” is not a node index');
    return Number(x);
  }));
  if (groups.length < 2) throw new Error('give at least two groups separated by |, like “0 | 1 2”');
  return groups;
}

export async function devnetPage(args, stale) {
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
