// Formatting of chain values for display: amounts in coins, hashes,
// times (unix milliseconds), hash rates, counts and sizes.

let decimals = 8;

// setDecimals sets the coin's decimals (from the node's status).
export function setDecimals(d) { decimals = d; }

// amount formats an integer amount of base units as coins.
export function amount(n) { return units(n, decimals); }

// units formats an integer amount of base units with d decimals (an
// asset's own), exactly: "150000000" with 8 is "1.5".
export function units(n, d) {
  if (n === undefined || n === null || n === '') return '';
  let v;
  try { v = BigInt(n); } catch (e) { return String(n); }
  d = Math.max(0, Math.min(30, Number(d) || 0));
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(d);
  let s = (v / base).toString();
  if (d > 0) {
    const frac = (v % base).toString().padStart(d, '0').replace(/0+$/, '');
    if (frac) s += '.' + frac;
  }
  return (neg ? '-' : '') + s;
}

// short abbreviates a long hash or address: its head … its tail.
export function short(h) { h = String(h || ''); return h.length > 20 ? h.slice(0, 10) + '…' + h.slice(-8) : h; }

export function ago(ms) {
  if (!ms) return '';
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

export function time(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') + ' (' + ago(ms) + ')' : ''; }

export function rate(h) {
  const u = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s'];
  let i = 0; h = Number(h) || 0;
  while (h >= 1000 && i < u.length - 1) { h /= 1000; i++; }
  return h.toFixed(h < 10 && i > 0 ? 2 : 0) + ' ' + u[i];
}

export function num(x, d) { return Number(x).toLocaleString('en-US', { maximumFractionDigits: d || 0 }); }

export function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'; }
