// deal-bars.js - the deal analyses as bars, one bar (or pair) per group: the win rate with its
// Wilson 95% interval in the tooltip, and the pipeline's amount beside its weighted amount. The
// data are the answers of GET /api/v1/deal-stats/winrate and /pipeline (docs/deals.md):
// {"by": "owner", "groups": [{"key": {"id", "name"}, "won", "lost", "closed", "win_rate",
//   "interval_low", "interval_high", "won_amount", "lost_amount"} | {"key", "count", "amount",
//   "weighted_amount", "stages": [...]}], "total": {...}}
import { html, useMemo } from '../lib/html.js';
import { Chart, tipLine, esc } from './chart.js';
import { percent, number, money } from '../lib/format.js';

// A group's name: the key's name, "None" for the group of deals without the key.
export function groupLabel(key) {
  if (!key || (key.id === null && (key.name === null || key.name === undefined))) return 'None';
  return (typeof key.name === 'string' && key.name.trim()) || `#${key.id}`;
}

const axisLabel = (n) => ({ interval: 0, rotate: n > 5 ? 30 : 0, width: n > 5 ? 120 : 160, overflow: 'truncate' });

export function winRateOption(data) {
  const groups = data.groups;
  return {
    grid: { left: 56, right: 16, top: 24, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: groups.map((g) => groupLabel(g.key)), axisLabel: axisLabel(groups.length) },
    yAxis: { type: 'value', min: 0, max: 1, name: 'Win rate', nameLocation: 'middle', nameGap: 42, axisLabel: { formatter: (v) => percent(v) } },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const g = groups[items[0].dataIndex];
        return `<div class="tip-title">${esc(groupLabel(g.key))}</div>${tipLine(0, 'win rate', percent(g.win_rate))}`
          + `<div class="tip-line">95% interval <b>${esc(percent(g.interval_low))} – ${esc(percent(g.interval_high))}</b></div>`
          + `<div class="tip-line">won <b>${esc(number(g.won))}</b>, lost <b>${esc(number(g.lost))}</b></div>`;
      },
    },
    series: [{ name: 'Win rate', type: 'bar', data: groups.map((g) => g.win_rate), barMaxWidth: 48 }],
  };
}

export function pipelineOption(data) {
  const groups = data.groups;
  return {
    grid: { left: 16, right: 16, top: 32, bottom: 24, containLabel: true },
    legend: { top: 0, data: ['Amount', 'Weighted'] },
    xAxis: { type: 'category', data: groups.map((g) => groupLabel(g.key)), axisLabel: axisLabel(groups.length) },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => number(v) } }, // the amounts' width varies: no axis name to collide with
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const g = groups[items[0].dataIndex];
        return `<div class="tip-title">${esc(groupLabel(g.key))}</div>${tipLine(0, 'amount', money(g.amount))}`
          + `${tipLine(1, 'weighted', money(g.weighted_amount))}<div class="tip-line">open deals <b>${esc(number(g.count))}</b></div>`;
      },
    },
    series: [
      { name: 'Amount', type: 'bar', data: groups.map((g) => Number(g.amount)), barMaxWidth: 40 },
      { name: 'Weighted', type: 'bar', data: groups.map((g) => Number(g.weighted_amount)), barMaxWidth: 40 },
    ],
  };
}

export function WinRateChart({ data, label }) {
  const option = useMemo(() => winRateOption(data), [data]);
  return html`<${Chart} option=${option} label=${label || 'Win rate by group'} />`;
}

export function PipelineChart({ data, label }) {
  const option = useMemo(() => pipelineOption(data), [data]);
  return html`<${Chart} option=${option} label=${label || 'Open pipeline amount and weighted amount by group'} />`;
}
