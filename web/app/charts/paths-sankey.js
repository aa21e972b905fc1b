// paths-sankey.js - the digital paths (docs/voice.md, "Digital paths") as a small SVG Sankey
// chart: the frequent nodes of GET /api/v1/voice/paths become flows from step to step, a step at
// each position of the path being one node (first touch on the left), and every position ends in
// the outcome, in "no outcome (yet)" or in the rarer continuations below the support (the column
// on the right). Nothing is computed here but the sums of the tree's counts into flows and their
// positions. Plain SVG (no library, no canvas): the flows are elements a test or a screen reader
// can read, each with its <title>, and presentation attributes only, so the Content-Security-
// Policy holds (no inline style).
import { html } from '../lib/html.js';
import { number, percent } from '../lib/format.js';
import { PALETTE } from './chart.js';

const OUTCOMES = { purchase: 'Purchase', churn: 'Churn', service: 'Service outcome' };

export const outcomeLabel = (o) => OUTCOMES[o] || o;

// The flows of answer (the common-paths answer): {nodes: [{name, label, column, terminal}],
// links: [{source, target, value}]}. A node's name is unique ("2·web"); column 0 is the first
// touch; the terminal nodes are in the column after the deepest step.
export function sankeyFlows(answer) {
  const byId = new Map(answer.nodes.map((n) => [n.id, n]));
  const nodes = new Map();
  const links = new Map();
  const node = (name, label, column, terminal = false) => {
    if (!nodes.has(name)) nodes.set(name, { name, label, column, terminal });
    return name;
  };
  const link = (a, b, v) => {
    if (v <= 0) return;
    const k = `${a}\u0000${b}`;
    const l = links.get(k);
    if (l) l.value += v; else links.set(k, { source: a, target: b, value: v });
  };
  const last = answer.nodes.reduce((m, n) => Math.max(m, n.depth), 0);
  const done = node('outcome', outcomeLabel(answer.outcome), last, true);
  const open = node('open', `No ${outcomeLabel(answer.outcome).toLowerCase()} (yet)`, last, true);
  const rare = node('rare', `Rarer steps (< ${number(answer.min_support)} contacts)`, last, true);
  const childSum = new Map();
  for (const n of answer.nodes) {
    if (n.parent !== null) childSum.set(n.parent, (childSum.get(n.parent) || 0) + n.contacts);
  }
  for (const n of answer.nodes) {
    const me = node(`${n.depth}\u00b7${n.step}`, n.step, n.depth - 1);
    if (n.parent !== null) {
      const p = byId.get(n.parent);
      link(`${p.depth}\u00b7${p.step}`, me, n.contacts);
    }
    link(me, done, n.here);
    link(me, open, n.stopped);
    link(me, rare, n.contacts - n.here - n.stopped - (childSum.get(n.id) || 0));
  }
  const used = new Set();
  for (const l of links.values()) { used.add(l.source); used.add(l.target); }
  return { nodes: [...nodes.values()].filter((n) => used.has(n.name)), links: [...links.values()] };
}

const W = 960; // the drawing's units; the SVG scales to its box
const H = 440;
const NODE_W = 12;
const GAP = 8;
const LABEL_W = 170; // room on the right for the terminal labels

// Positions: each node {x, y, h, value}, each link {sy, ty, w} (flow centre lines and width).
export function sankeyLayout(flows) {
  const columns = [];
  for (const n of flows.nodes) (columns[n.column] ||= []).push(n);
  const ncol = columns.length;
  const inflow = new Map();
  const outflow = new Map();
  for (const l of flows.links) {
    inflow.set(l.target, (inflow.get(l.target) || 0) + l.value);
    outflow.set(l.source, (outflow.get(l.source) || 0) + l.value);
  }
  for (const n of flows.nodes) n.value = Math.max(inflow.get(n.name) || 0, outflow.get(n.name) || 0);
  // one scale for every column: the fullest one fills the height
  let k = Infinity;
  for (const col of columns) {
    if (!col) continue;
    const sum = col.reduce((s, n) => s + n.value, 0);
    if (sum > 0) k = Math.min(k, (H - GAP * (col.length - 1)) / sum);
  }
  if (!Number.isFinite(k)) k = 1;
  const span = ncol > 1 ? (W - LABEL_W - NODE_W) / (ncol - 1) : 0;
  const byName = new Map();
  columns.forEach((col, c) => {
    if (!col) return;
    col.sort((a, b) => (a.terminal - b.terminal) || (b.value - a.value) || a.label.localeCompare(b.label));
    let y = 0;
    for (const n of col) {
      n.x = c * span;
      n.y = y;
      n.h = Math.max(1, n.value * k);
      y += n.h + GAP;
      byName.set(n.name, n);
    }
  });
  // flows leave and enter a node stacked in the order of the other end's position
  const out = flows.links.map((l) => ({ ...l, s: byName.get(l.source), t: byName.get(l.target), w: Math.max(1, l.value * k) }));
  const sOff = new Map();
  const tOff = new Map();
  for (const l of [...out].sort((a, b) => a.t.y - b.t.y)) {
    const o = sOff.get(l.source) || 0;
    l.sy = l.s.y + o + l.w / 2;
    sOff.set(l.source, o + l.w);
  }
  for (const l of [...out].sort((a, b) => a.s.y - b.s.y)) {
    const o = tOff.get(l.target) || 0;
    l.ty = l.t.y + o + l.w / 2;
    tOff.set(l.target, o + l.w);
  }
  return { nodes: [...byName.values()], links: out, width: W, height: H };
}

// The colour of a step (stable: by the order of the names met), grey for the terminal nodes.
function colours(nodes) {
  const names = [...new Set(nodes.filter((n) => !n.terminal).map((n) => n.label))];
  const map = new Map(names.map((name, i) => [name, PALETTE[i % PALETTE.length]]));
  return (n) => (n.terminal ? (n.name === 'outcome' ? '#2e8540' : '#8a939c') : map.get(n.label));
}

// answer: the common-paths answer of /api/v1/voice/paths.
export function PathsSankey({ answer, label }) {
  const layout = sankeyLayout(sankeyFlows(answer));
  const colour = colours(layout.nodes);
  const total = answer.contacts || 1;
  return html`
    <figure class="chart">
      <svg class="sankey" viewBox=${`-4 -4 ${layout.width + 8} ${layout.height + 8}`} role="img" aria-label=${label} data-testid="paths-sankey">
        <g class="sankey-links" fill="none">
          ${layout.links.map((l) => {
            const x0 = l.s.x + NODE_W;
            const x1 = l.t.x;
            const xm = (x0 + x1) / 2;
            return html`<path d=${`M${x0},${l.sy}C${xm},${l.sy} ${xm},${l.ty} ${x1},${l.ty}`} stroke=${colour(l.s)} stroke-opacity="0.35"
              stroke-width=${l.w} data-source=${l.source} data-target=${l.target} data-value=${l.value}>
              <title>${l.s.label} → ${l.t.label}: ${number(l.value)} contacts</title></path>`;
          })}
        </g>
        <g class="sankey-nodes">
          ${layout.nodes.map((n) => html`
            <g data-node=${n.name} data-value=${n.value}>
              <rect x=${n.x} y=${n.y} width=${NODE_W} height=${n.h} fill=${colour(n)}><title>${n.label}: ${number(n.value)} contacts (${percent(n.value / total)})</title></rect>
              ${n.h >= 9 && html`<text x=${n.x + NODE_W + 4} y=${n.y + n.h / 2} dominant-baseline="middle" font-size="12" fill="#1c2430">${n.label}</text>`}
            </g>`)}
        </g>
      </svg>
      <figcaption>Flows of contacts from step to step (width: contacts); hover a flow or a step for its count.</figcaption>
    </figure>`;
}

// A path's steps in words: "web → email → phone".
export function pathText(steps, cut) {
  return `${steps.join(' → ')}${cut ? ' → …' : ''}`;
}

export const conversionText = (v) => (v === null || v === undefined ? '–' : percent(v));
