// contract_call: runs a contract's call with an input, after moving
// amount coins to it; gas_limit bounds the gas (the fee covers it). What
// it did (status, gas, events) is in the receipt.
import { amount, num } from '../lib/format.js';
import { contractLink, longHex } from '../lib/contracts.js';
import { body, kindRow } from './common.js';

export function contractCall(t, kind) {
  const b = body(t);
  return {
    body: [
      kindRow(kind),
      ['Contract', contractLink(b.contract)],
      ['Input', longHex(b.input, { id: 'call-input' })],
      ['Amount', amount(b.amount || 0)],
      ['Gas limit', num(b.gas_limit || 0)],
    ],
  };
}

export function contractCallSummary(t) {
  const b = body(t);
  return ['call ', contractLink(b.contract, true), Number(b.amount) > 0 ? [' with ', amount(b.amount)] : ''];
}
