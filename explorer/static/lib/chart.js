// Charts drawn by hand on a canvas (no library), and the difficulty
// target of compact bits.
import { num } from './format.js';

// targetOf turns compact bits ("0x1f00ffff") into a float target.
export function targetOf(bits) {
  const v = parseInt(String(bits), 16);
  if (!isFinite(v) || v <= 0) return 0;
  const exp = v >>> 24;
  const mant = v & 0x7fffff;
  return mant * Math.pow(256, exp - 3);
}

// drawChart draws series on a canvas by hand: each series has its own
// vertical scale (bars or a line); labels give the min and max.
export function drawChart(canvas, xs, series) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600;
  const h = canvas.clientHeight || 180;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const c = canvas.getContext('2d');
  if (!c) return;
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  c.clearRect(0, 0, w, h);
  const padL = 6, padR = 6, padT = 16, padB = 16;
  const n = xs.length;
  c.font = '11px system-ui, sans-serif';
  c.strokeStyle = '#dde1e6';
  c.beginPath(); c.moveTo(padL, h - padB + 0.5); c.lineTo(w - padR, h - padB + 0.5); c.stroke();
  if (n === 0) { c.fillStyle = '#667080'; c.fillText('no data yet', padL + 4, h / 2); return; }
  const step = (w - padL - padR) / Math.max(n, 1);
  series.forEach((s, si) => {
    const vals = s.values.filter((v) => v !== null && isFinite(v));
    if (!vals.length) return;
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (s.bars) lo = 0;
    if (hi === lo) { hi = lo + 1; lo = s.bars ? 0 : lo - 1; }
    const y = (v) => h - padB - (v - lo) / (hi - lo) * (h - padT - padB);
    c.fillStyle = s.color; c.strokeStyle = s.color; c.lineWidth = 2;
    if (s.bars) {
      s.values.forEach((v, i) => {
        if (v === null || !isFinite(v)) return;
        c.fillRect(padL + i * step + step * 0.15, y(v), step * 0.7, h - padB - y(v));
      });
    } else {
      c.beginPath();
      let started = false;
      s.values.forEach((v, i) => {
        if (v === null || !isFinite(v)) return;
        const px = padL + i * step + step / 2;
        if (started) c.lineTo(px, y(v)); else { c.moveTo(px, y(v)); started = true; }
      });
      c.stroke();
    }
    const fmt = (v) => (Math.abs(v) >= 100 ? num(v) : num(v, 2));
    c.fillStyle = s.color;
    c.textAlign = si === 0 ? 'left' : 'right';
    const x = si === 0 ? padL : w - padR;
    c.fillText('max ' + fmt(Math.max(...vals)), x, 11);
    c.fillText('min ' + fmt(Math.min(...vals)), x, h - 3);
  });
  c.textAlign = 'center';
  c.fillStyle = '#667080';
  if (n > 1 && xs[0] !== undefined && series.length > 1) c.fillText('#' + xs[0] + ' … #' + xs[n - 1], w / 2, h - 3);
}
