// paths-sankey.js - the digital paths (docs/voice.md, "Digital paths") as an ECharts Sankey
// chart: the frequent nodes of GET /api/v1/voice/paths become flows from step to step, the
// steps placed by their position on the path (first touch, second step, ...), and each position
// ends in the outcome, in "no outcome (yet)" or in the rarer continuations that fall below the
// support. ECharts (already vendored for every chart) lays the Sankey out; nothing is computed
// here but the sums of the tree's counts into flows between (position, step) pairs.
import { esc, tipLine } from './chart.js';
import { number, percent } from '../lib/format.js';

const OUTCOMES = { purchase: 'Purchase', churn: 'Churn', service: 'Service outcome' };

export const outcomeLabel = (o) => OUTCOMES[o] || o;

// The flows of answer (the common-paths answer): {nodes: [{name, label}], links: [{source,
// target, value}]}. A node's name is unique ("2·web"); its label is what the chart shows.
export function sankeyFlows(answer) {
  const byId = new Map(answer.nodes.map((n) => [n.id, n]));
  const nodes = new Map();
  const links = new Map();
  const node = (name, label) => { if (!nodes.has(name)) nodes.set(name, { name, label }); return name; };
  const link = (a, b, v) => {
    if (v <= 0) return;
    const k = `${a}\u0000${b}`;
    const l = links.get(k);
    if (l) l.value += v; else links.set(k, { source: a, target: b, value: v });
  };
  const done = node('outcome', outcomeLabel(answer.outcome));
  const open = node('open', `No ${outcomeLabel(answer.outcome).toLowerCase()} (yet)`);
  const childSum = new Map();
  for (const n of answer.nodes) {
    if (n.parent !== null) childSum.set(n.parent, (childSum.get(n.parent) || 0) + n.contacts);
  }
  for (const n of answer.nodes) {
    const me = node(`${n.depth}\u00b7${n.step}`, n.step);
    if (n.parent !== null) {
      const p = byId.get(n.parent);
      link(`${p.depth}\u00b7${p.step}`, me, n.contacts);
    }
    link(me, done, n.here);
    link(me, open, n.stopped);
    const rest = n.contacts - n.here - n.stopped - (childSum.get(n.id) || 0);
    link(me, node('rare', `Rarer steps (< ${number(answer.min_support)} contacts)`), rest);
  }
  const used = new Set();
  for (const l of links.values()) { used.add(l.source); used.add(l.target); }
  return { nodes: [...nodes.values()].filter((n) => used.has(n.name)), links: [...links.values()] };
}

export function sankeyOption(answer) {
  const flows = sankeyFlows(answer);
  const labelOf = new Map(flows.nodes.map((n) => [n.name, n.label]));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (it) => {
        if (it.dataType === 'edge') {
          const d = it.data;
          return `<div class="tip-title">${esc(labelOf.get(d.source))} → ${esc(labelOf.get(d.target))}</div>${tipLine(0, 'contacts', number(d.value))}`;
        }
        return `<div class="tip-title">${esc(labelOf.get(it.name))}</div>${tipLine(0, 'contacts', number(it.value))}`;
      },
    },
    series: [{
      type: 'sankey',
      left: 8,
      right: 170,
      top: 8,
      bottom: 8,
      nodeGap: 10,
      draggable: false,
      emphasis: { focus: 'adjacency' },
      data: flows.nodes.map((n) => ({ name: n.name, label: { formatter: () => n.label } })),
      links: flows.links,
      lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
      label: { fontSize: 12 },
    }],
  };
}

// A path's steps in words: "web → email → phone".
export function pathText(steps, cut) {
  return `${steps.join(' → ')}${cut ? ' → …' : ''}`;
}

export const conversionText = (v) => (v === null || v === undefined ? '–' : percent(v));
