// Bytes as hex, and bytes as text when they are printable.

// hexBytes decodes hex into bytes; null if it is not hex.
export function hexBytes(h) {
  h = String(h || '');
  if (h.length % 2 || !/^[0-9a-fA-F]*$/.test(h)) return null;
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
  return b;
}

export function toHex(b) { return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join(''); }

// printable decodes memo bytes as UTF-8 text if they are valid and free
// of control characters (tab and newlines allowed); else null.
export function printable(b) {
  if (!b || !b.length) return null;
  let s;
  try { s = new TextDecoder('utf-8', { fatal: true }).decode(b); } catch (e) { return null; }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(s)) return null;
  return s;
}
