// A topic's anchors (#/topic/<topic, URL-escaped>): every batch anchored
// under a shipment, lot or case id with `cairn anchor --topic`, oldest
// first, as GET /api/v1/anchors?topic= lists them (main chain only: an
// anchor whose block is reorganised out leaves the list). Without a topic:
// a form to look one up.
import { el, append, clear, show } from '../lib/dom.js';
import { num, time } from '../lib/format.js';
import { api, ApiError, NetError } from '../lib/api.js';
import { acctLink, errorBox, txLink } from '../lib/views.js';

const pageSize = 200; // anchors per request
const autoPages = 5; // requests drawn at once before offering more

// topicProblem says what is wrong with a topic as the node reads it (1 to
// 64 bytes of UTF-8 without control characters); "" if nothing.
export function topicProblem(t) {
  if (!t) return 'a topic is 1 to 64 bytes of text';
  const n = new TextEncoder().encode(t).length;
  if (n > 64) return 'a topic is at most 64 bytes (this is ' + n + ')';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(t)) return 'a topic has no control characters';
  return '';
}

function lookupForm(value) {
  const input = el('input', { id: 'topic-input', name: 'topic', placeholder: 'SHIP-2026-0042', size: 40, value: value || '' });
  return el('form', { id: 'topic-form', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = '#/topic/' + encodeURIComponent(input.value.trim());
  } }, input, ' ', el('button', { type: 'submit' }, 'Show anchors'));
}

export async function topicPage(args, stale) {
  const topic = args.join('/');
  const intro = el('p', { class: 'muted' }, 'Documents anchored under a shipment, lot or case id (cairn anchor --topic), oldest first. ',
    'Each entry is one batch: its receipts lead to the batch root shown; cairn verify-anchor checks a receipt against its file.');
  if (!topic) {
    show(el('h1', null, 'Anchors by topic'), intro, lookupForm());
    return;
  }
  const bad = topicProblem(topic);
  if (bad) {
    show(el('h1', null, 'Anchors by topic'), el('div', { class: 'error', id: 'notfound' }, 'Not a topic: “' + topic + '”: ' + bad + '.'), lookupForm(topic));
    return;
  }
  const path = '/anchors?topic=' + encodeURIComponent(topic) + '&limit=' + pageSize;
  let first;
  try {
    first = await api(path);
  } catch (e) {
    if (e instanceof ApiError) {
      show(el('h1', null, 'Anchors by topic'), errorBox(e, 'topic'));
      return;
    }
    throw e;
  }
  if (stale()) return;
  const timeline = el('ol', { class: 'timeline', id: 'anchors' });
  const more = el('div', { class: 'pager' });
  show(el('h1', null, 'Topic ', el('span', { id: 'topic-name' }, topic)), intro, lookupForm(topic), timeline, more);
  let next = addAnchors(timeline, first);
  const load = async (pages) => {
    for (let i = 0; i < pages && next; i++) {
      const p = await api(path + '&after=' + encodeURIComponent(next));
      if (stale()) return;
      next = addAnchors(timeline, p);
    }
    clear(more);
    if (next) {
      append(more, [el('button', { id: 'more', onclick: async () => {
        try { await load(autoPages); } catch (e) { if (!(e instanceof NetError)) append(more, [errorBox(e)]); }
      } }, 'Show later anchors')]);
    }
  };
  await load(autoPages - 1);
  if (!timeline.firstChild) append(timeline, [el('li', { class: 'muted', id: 'no-anchors' }, 'No anchors under this topic on the main chain.')]);
}

// addAnchors draws a page of anchors; it returns the next cursor.
function addAnchors(ol, page) {
  for (const a of (page && page.anchors) || []) {
    append(ol, [el('li', { class: 'event anchor', 'data-tx': a.tx_id },
      el('div', { class: 'when' }, el('time', { datetime: a.time ? new Date(a.time).toISOString() : null }, time(a.time))),
      el('div', { class: 'what' }, el('strong', { class: 'label' }, 'Anchored'), ' by ', acctLink(a.from), ', batch root ', el('span', { class: 'hash root' }, a.root)),
      el('div', { class: 'where muted' }, 'tx ', txLink(a.tx_id), ' · block ', el('a', { href: '#/block/' + a.height, class: 'block-link' }, num(a.height))))]);
  }
  return page && page.next;
}
