// Merkle inclusion proofs of txs, checked in the page with Web Crypto.
import { hexBytes, toHex } from './hex.js';

// sha256 hashes the concatenation of byte arrays.
async function sha256(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

// verifyProof checks an RFC 6962 inclusion proof by RFC 9162 2.1.3.2:
// leaf = SHA-256(0x00 || id), node = SHA-256(0x01 || left || right).
export async function verifyProof(p, txid) {
  if (!crypto || !crypto.subtle) return { ok: false, why: 'this browser has no Web Crypto here (needs a secure context such as http://127.0.0.1)' };
  if (p.tx_id !== txid) return { ok: false, why: 'the proof is for another tx' };
  const id = hexBytes(p.tx_id), root = hexBytes(p.tx_root);
  if (!id || id.length !== 32 || !root || root.length !== 32) return { ok: false, why: 'malformed id or root' };
  let fn = Number(p.index), sn = Number(p.size) - 1;
  if (!(fn >= 0) || !(sn >= 0) || fn > sn) return { ok: false, why: 'index ' + p.index + ' not below size ' + p.size };
  let r = await sha256(new Uint8Array([0]), id);
  for (const hx of p.branch || []) {
    const q = hexBytes(hx);
    if (!q || q.length !== 32) return { ok: false, why: 'malformed branch hash' };
    if (sn === 0) return { ok: false, why: 'branch longer than the tree' };
    if ((fn & 1) === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), q, r);
      if ((fn & 1) === 0) while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(new Uint8Array([1]), r, q);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return { ok: false, why: 'branch shorter than the tree' };
  const got = toHex(r);
  if (got !== String(p.tx_root).toLowerCase()) return { ok: false, why: 'computed root ' + got + ' differs from tx_root' };
  return { ok: true };
}
