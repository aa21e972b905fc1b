// interval.js - an estimate and its interval drawn on a given scale beside a reference line (0
// for an effect, or any value), as one small SVG: used where a table lists estimates with their
// intervals (the moments of truth, NPS and CSAT by channel), so that an interval that excludes
// the reference is seen at a glance. Classes only (app.css, "forest"), no inline style.
import { html } from '../lib/html.js';

export const IW = 220;
export const IH = 20;
const PAD = 6;

// A scale mapping [lo, hi] onto the drawing's width.
export function scale(lo, hi) {
  const b = hi === lo ? lo + 1 : hi;
  return (v) => PAD + ((v - lo) / (b - lo)) * (IW - 2 * PAD);
}

// x: a scale; low, high, value: the interval and the estimate; ref: the reference line.
export function IntervalBar({ x, low, high, value, ref = 0, label }) {
  const cls = low > ref ? 'up' : high < ref ? 'down' : 'none';
  return html`
    <svg class="forest" width=${IW} height=${IH} viewBox=${`0 0 ${IW} ${IH}`} role="img" aria-label=${label}>
      <line class="forest-zero" x1=${x(ref)} x2=${x(ref)} y1="1" y2=${IH - 1} />
      <line class=${`forest-ci ${cls}`} x1=${x(low)} x2=${x(high)} y1=${IH / 2} y2=${IH / 2} />
      <circle class=${`forest-dot ${cls}`} cx=${x(value)} cy=${IH / 2} r="4" />
    </svg>`;
}
