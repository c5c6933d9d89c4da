// A transfer of coins: the receiver and the amount.
import { el } from '../lib/dom.js';
import { amount, short } from '../lib/format.js';

export function transfer(t) {
  return {
    body: [
      ['To', t.to ? el('a', { href: '#/account/' + t.to, class: 'hash' }, t.to) : null],
      ['Amount', amount(t.amount)],
    ],
  };
}

export function transferSummary(t) {
  return ['send ', amount(t.amount), ' to ', t.to ? el('a', { href: '#/account/' + t.to, class: 'mono' }, short(t.to)) : '—'];
}
