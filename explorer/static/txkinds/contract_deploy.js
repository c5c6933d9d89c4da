// contract_deploy: a new contract, its WebAssembly code (size and SHA-256,
// the code hash its page shows) and the input its init runs with. The
// contract's address is in the confirmed tx's receipt; a deploy whose init
// failed made none.
import { el } from '../lib/dom.js';
import { bytes } from '../lib/format.js';
import { hexBytes } from '../lib/hex.js';
import { codeSummary, contractLink, longHex } from '../lib/contracts.js';
import { body, kindRow } from './common.js';

export function contractDeploy(t, kind, info) {
  const b = body(t);
  return {
    body: [
      kindRow(kind),
      ['Contract', el('span', { id: 'deployed-contract' }, deployed(info))],
      ['Code', codeSummary(b.code)],
      ['Init input', longHex(b.init_input, { id: 'init-input' })],
    ],
  };
}

// deployed says where the contract is, from the receipt.
function deployed(info) {
  const r = info && info.receipt;
  if (!info || info.status !== 'confirmed') return el('span', { class: 'muted' }, 'known once the tx is in a block');
  if (r && r.contract) return contractLink(r.contract);
  if (r && r.status === 'failed') return el('span', { class: 'muted' }, 'none: the deploy failed (see the receipt)');
  return el('span', { class: 'muted' }, 'unknown');
}

export function contractDeploySummary(t) {
  const code = hexBytes(body(t).code);
  return ['deploy contract, ', bytes(code ? code.length : 0), ' of code'];
}
