// The chain's account permissions (#/permissions): its admins and, for
// each role (submit, issue, deploy), whether the genesis restricts it and
// its members, each with the block that granted it; a list of more than
// pageSize links to its own pages (#/permissions?role=R[&after=ADDRESS]).
// Members change with perm_grant and perm_revoke txs, from the block
// after theirs.
import { el, append, show } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { hashQuery } from '../lib/router.js';
import { blockLink, errorBox } from '../lib/views.js';

const pageSize = 50;

const roleText = {
  submit: 'send any tx',
  issue: 'create assets (asset_create)',
  deploy: 'deploy contracts (contract_deploy)',
};

export async function permissionsPage(args, stale) {
  const q = hashQuery();
  if (q.get('role')) return rolePage(q.get('role'), q.get('after') || '', stale);
  let p;
  try { p = await api('/permissions?limit=' + pageSize); } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Permissions'), errorBox(e, 'permissions')); return; }
    throw e;
  }
  if (stale()) return;
  const at = el('p', { class: 'muted' }, 'At block ', blockLink(String(p.height), '#' + p.height), '.');
  if (!p.enabled) {
    show(el('h1', null, 'Permissions'), at,
      el('p', { id: 'perm-open' }, 'This chain has no account permissions: anyone may send any tx, and there are no admins.'));
    return;
  }
  const roles = el('tbody', { id: 'perm-roles' });
  for (const r of p.roles || []) {
    append(roles, [el('tr', { 'data-role': r.role },
      el('td', null, el('span', { class: 'badge' }, r.role)),
      el('td', null, roleText[r.role] || ''),
      el('td', { class: 'perm-state' }, r.restricted
        ? el('span', { class: 'badge warn' }, 'restricted')
        : el('span', { class: 'badge ok' }, 'open')),
      el('td', { class: 'num' }, r.restricted ? String(r.count) : '—'))]);
  }
  const sections = [];
  sections.push(members('admin', 'Admins', adminText, p.admins || [], p.admins_count,
    p.admins_next ? moreLink('admin', p.admins_count) : null));
  for (const r of p.roles || []) {
    if (r.restricted) sections.push(members(r.role, 'Role ' + r.role, roleWhat(r.role), r.members || [], r.count, r.next ? moreLink(r.role, r.count) : null));
  }
  show(
    el('h1', null, 'Permissions'), at,
    el('p', { class: 'muted' }, 'Which roles are restricted is fixed by the genesis; admins grant and revoke members with perm_grant and perm_revoke txs, effective from the next block. A sender without a restricted role is refused (403 not_permitted).'),
    el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Role'), el('th', null, 'Lets a sender'),
      el('th', null, 'Genesis'), el('th', { class: 'num' }, 'Members'))), roles)),
    ...sections);
}

const adminText = 'Grant and revoke every role (admin included) and hold every role.';
const roleWhat = (role) => 'May ' + (roleText[role] || role) + ', with the admins.';

// moreLink leads to a role's own pages.
function moreLink(role, count) {
  return el('a', { class: 'perm-more', href: '#/permissions?role=' + role }, 'all ' + count + ' →');
}

// rolePage is one page of a role's members (#/permissions?role=R&after=A).
async function rolePage(role, after, stale) {
  let pg;
  try {
    pg = await api('/permissions/roles/' + encodeURIComponent(role) + '?limit=' + pageSize + (after ? '&after=' + encodeURIComponent(after) : ''));
  } catch (e) {
    if (e instanceof ApiError) { show(el('h1', null, 'Permissions: ' + role), errorBox(e, 'role ' + role)); return; }
    throw e;
  }
  if (stale()) return;
  if (!pg.enabled) {
    show(el('h1', null, 'Permissions: ', role),
      el('p', { id: 'perm-open' }, 'This chain has no account permissions: anyone may send any tx, and there are no admins.'));
    return;
  }
  const title = role === 'admin' ? 'Admins' : 'Role ' + role;
  show(
    el('h1', null, 'Permissions: ', role),
    el('p', { class: 'muted' }, 'At block ', blockLink(String(pg.height), '#' + pg.height), '. ',
      el('a', { href: '#/permissions' }, '← all roles')),
    pg.restricted
      ? members(role, title, role === 'admin' ? adminText : roleWhat(role), pg.members || [], pg.count,
        pg.next ? el('a', { id: 'more', href: '#/permissions?role=' + role + '&after=' + encodeURIComponent(pg.next) }, 'next →') : null)
      : el('p', { id: 'perm-open' }, 'The genesis leaves ' + role + ' open: anyone may ' + (roleText[role] || role) + '.'));
}

// members is a role's list (of count in all): address (linked) and the
// block that granted it, and a link to more if there are more.
function members(role, title, what, list, count, more) {
  const body = el('tbody', { id: 'perm-' + role });
  for (const m of list) {
    append(body, [el('tr', null,
      el('td', null, el('a', { href: '#/account/' + m.address, class: 'mono' }, m.address)),
      el('td', { class: 'num' }, m.since === 0 ? el('span', { class: 'muted' }, 'genesis') : blockLink(String(m.since), '#' + m.since)))]);
  }
  return el('section', { 'data-members': role },
    el('h2', null, title, ' (', String(count), ')'),
    el('p', { class: 'muted' }, what),
    list.length ? el('div', { class: 'panel' }, el('table', null, el('thead', null, el('tr', null, el('th', null, 'Address'), el('th', { class: 'num' }, 'Since'))), body))
      : el('p', { class: 'muted', id: 'perm-' + role + '-none' }, 'No members: only the admins.'),
    more);
}

// showPermissionsLink shows the nav link on a chain with permissions.
export function showPermissionsLink() {
  api('/permissions').then((p) => {
    if (p && p.enabled) document.getElementById('nav-permissions').hidden = false;
  }).catch(() => {});
}
