// How the explorer shows each kind of tx. kinds maps a kind name to its
// renderer: render(tx, kind, info) returns the rows ([label, value], as
// for kv) the kind adds to the tx page's definition list: `body` rows
// after the sender (what the tx does), `memo` rows after the memo (what
// the kind makes of it); summary(tx, kind) returns the one line (nodes
// and text) that tables of txs show for it. info is the tx as GET
// /txs/{id} gives it (status, receipt) on the tx page, else undefined.
// The envelope (id, sender, fee, nonce, memo, chain, signature) and the
// receipt are the tx page's own.
//
// A tx without a `kind` is a transfer (version 1), and a transfer of 0
// with a memo is a data tx (it anchors data, usually a hash). Protocol v2
// adds `kind` and a `body` object; a kind without a renderer here shows
// its name and its body's fields (unknown.js).
import { el } from '../lib/dom.js';
import { loadAsset } from '../lib/assets.js';
import { transfer, transferSummary } from './transfer.js';
import { data, dataSummary } from './data.js';
import { unknown, unknownSummary } from './unknown.js';
import { assetCreate, assetCreateSummary } from './asset_create.js';
import { assetTransfer, assetTransferSummary } from './asset_transfer.js';
import { assetMint, assetMintSummary } from './asset_mint.js';
import { assetBurn, assetBurnSummary } from './asset_burn.js';
import { assetFreeze, assetFreezeSummary } from './asset_freeze.js';
import { assetClawback, assetClawbackSummary } from './asset_clawback.js';
import { assetConfig, assetConfigSummary } from './asset_config.js';
import { itemMint, itemMintSummary } from './item_mint.js';
import { itemTransfer, itemTransferSummary } from './item_transfer.js';
import { itemAttest, itemAttestSummary } from './item_attest.js';
import { itemBurn, itemBurnSummary } from './item_burn.js';
import { contractDeploy, contractDeploySummary } from './contract_deploy.js';
import { contractCall, contractCallSummary } from './contract_call.js';
import { permGrant, permGrantSummary } from './perm_grant.js';
import { permRevoke, permRevokeSummary } from './perm_revoke.js';

export const kinds = new Map([
  ['transfer', { render: transfer, summary: transferSummary }],
  ['data', { render: data, summary: dataSummary }],
  ['asset_create', { render: assetCreate, summary: assetCreateSummary }],
  ['asset_transfer', { render: assetTransfer, summary: assetTransferSummary }],
  ['asset_mint', { render: assetMint, summary: assetMintSummary }],
  ['asset_burn', { render: assetBurn, summary: assetBurnSummary }],
  ['asset_freeze', { render: assetFreeze, summary: assetFreezeSummary }],
  ['asset_clawback', { render: assetClawback, summary: assetClawbackSummary }],
  ['asset_config', { render: assetConfig, summary: assetConfigSummary }],
  ['item_mint', { render: itemMint, summary: itemMintSummary }],
  ['item_transfer', { render: itemTransfer, summary: itemTransferSummary }],
  ['item_attest', { render: itemAttest, summary: itemAttestSummary }],
  ['item_burn', { render: itemBurn, summary: itemBurnSummary }],
  ['contract_deploy', { render: contractDeploy, summary: contractDeploySummary }],
  ['contract_call', { render: contractCall, summary: contractCallSummary }],
  ['perm_grant', { render: permGrant, summary: permGrantSummary }],
  ['perm_revoke', { render: permRevoke, summary: permRevokeSummary }],
]);

const fallback = { render: unknown, summary: unknownSummary };

// kindOf names the renderer's kind of tx t.
export function kindOf(t) {
  const k = t.kind === undefined || t.kind === null || t.kind === '' ? 'transfer' : String(t.kind);
  if (k === 'transfer' && Number(t.amount) === 0 && t.memo) return 'data';
  return k;
}

// movesCoins says whether t is a coin transfer (a data tx too): tables
// show its receiver and amount; other kinds get a summary.
export function movesCoins(t) { const k = kindOf(t); return k === 'transfer' || k === 'data'; }

// renderTx returns the kind of tx t and the rows its renderer gives;
// info (GET /txs/{id}: status, receipt), if given, goes to the renderer.
export function renderTx(t, info) {
  const kind = kindOf(t);
  const r = (kinds.get(kind) || fallback).render(t, kind, info) || {};
  return { kind, body: r.body || [], memo: r.memo || [] };
}

// summarizeTx returns a span with the one-line summary of tx t.
export function summarizeTx(t) {
  const kind = kindOf(t);
  const s = (kinds.get(kind) || fallback).summary || fallback.summary;
  return el('span', { class: 'tx-summary', 'data-kind': kind }, s(t, kind));
}

// prepareTx loads what tx t's renderer shows (its asset or collection), so
// the tx page draws it at once with the asset's decimals and symbol.
export async function prepareTx(t) {
  const b = t.body || {};
  const id = b.asset || b.collection;
  if (id) await loadAsset(id);
}
