// A data tx: a transfer of 0 whose memo is the data. A 32-byte memo is an
// anchored hash (a batch root or, before batches, a document's SHA-256, as
// `cairn anchor` sends it); a topic anchor's memo names its topic and root
// (docs/receipts.md): the topic links to its page.
import { el } from '../lib/dom.js';
import { hexBytes } from '../lib/hex.js';
import { short } from '../lib/format.js';
import { transfer } from './transfer.js';

const topicMagic = [0xca, 0x54, 0x50, 0x31]; // 0xCA 'T' 'P' '1'

// topicAnchor reads a topic anchor's memo: {topic, root} or null.
export function topicAnchor(memo) {
  if (!memo || memo.length < topicMagic.length + 2 + 32) return null;
  for (let i = 0; i < topicMagic.length; i++) if (memo[i] !== topicMagic[i]) return null;
  const n = memo[topicMagic.length];
  const start = topicMagic.length + 1;
  if (n < 1 || memo.length !== start + n + 32) return null;
  let topic;
  try {
    topic = new TextDecoder('utf-8', { fatal: true }).decode(memo.slice(start, start + n));
  } catch (e) {
    return null;
  }
  const root = Array.from(memo.slice(start + n), (b) => b.toString(16).padStart(2, '0')).join('');
  return { topic, root };
}

export function data(t) {
  const memo = hexBytes(t.memo);
  const ta = topicAnchor(memo);
  return {
    body: transfer(t).body,
    memo: [
      ['Anchored hash', memo && memo.length === 32 ? el('span', { class: 'hash' }, 'SHA-256 ' + t.memo) : null],
      ['Anchor topic', ta ? el('a', { href: '#/topic/' + encodeURIComponent(ta.topic), id: 'anchor-topic' }, ta.topic) : null],
      ['Anchored root', ta ? el('span', { class: 'hash', id: 'anchor-root' }, ta.root) : null],
    ],
  };
}

export function dataSummary(t) {
  const ta = topicAnchor(hexBytes(t.memo));
  if (ta) return ['anchor under ', el('span', { class: 'mono' }, ta.topic)];
  return ['data (', el('span', { class: 'mono' }, short(t.memo)), ')'];
}
