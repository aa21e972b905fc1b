// deal-flow.js - the deal analyses that follow deals through time, as charts: the conversion
// funnel of one group (deals that reached each open stage, advanced from it and were won after
// it), the forecast of a quarter per group (won, commit, best case and pipeline stacked) and
// quota attainment per quota holder or manager as bars against the 100% line. The data are the
// answers of GET /api/v1/deal-stats/conversion, /forecast and /quota (docs/deals.md); nothing is
// computed here but the positions of the bars.
import { html, useMemo } from '../lib/html.js';
import { Chart, tipLine, esc, PALETTE } from './chart.js';
import { percent, number, money, decimal } from '../lib/format.js';
import { groupLabel } from './deal-bars.js';

const axisLabel = (n) => ({ interval: 0, rotate: n > 5 ? 30 : 0, width: n > 5 ? 120 : 160, overflow: 'truncate' });
const days = (d) => (d === null || d === undefined ? '–' : `${decimal(d, 1)} d`);

// stages: a group's "stages" of /conversion, in the list's order.
export function funnelOption(stages) {
  return {
    grid: { left: 16, right: 24, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, data: ['Reached', 'Advanced', 'Won'] },
    yAxis: { type: 'category', inverse: true, data: stages.map((s) => groupLabel(s.stage)), axisLabel: { width: 110, overflow: 'truncate' } },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v) => number(v) } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const s = stages[items[0].dataIndex];
        return `<div class="tip-title">${esc(groupLabel(s.stage))}</div>${tipLine(0, 'reached', number(s.reached))}`
          + `${tipLine(1, 'advanced', `${number(s.advanced)} (${percent(s.conversion)})`)}`
          + `${tipLine(2, 'won after it', `${number(s.won)} (${percent(s.win_rate)})`)}`
          + `<div class="tip-line">median days in stage <b>${esc(days(s.median_days))}</b> over ${esc(number(s.stays))} stays</div>`;
      },
    },
    series: [
      { name: 'Reached', type: 'bar', data: stages.map((s) => s.reached), barMaxWidth: 18 },
      { name: 'Advanced', type: 'bar', data: stages.map((s) => s.advanced), barMaxWidth: 18 },
      { name: 'Won', type: 'bar', data: stages.map((s) => s.won), barMaxWidth: 18 },
    ],
  };
}

export const CATEGORIES = [
  { key: 'won', label: 'Won' },
  { key: 'commit', label: 'Commit' },
  { key: 'best_case', label: 'Best case' },
  { key: 'pipeline', label: 'Pipeline' },
];

// data: the answer of /forecast; one stacked bar per group of its amounts by category.
export function forecastOption(data) {
  const groups = data.groups;
  return {
    grid: { left: 16, right: 16, top: 32, bottom: 24, containLabel: true },
    legend: { top: 0, data: CATEGORIES.map((c) => c.label) },
    xAxis: { type: 'category', data: groups.map((g) => groupLabel(g.key)), axisLabel: axisLabel(groups.length) },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => number(v) } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const g = groups[items[0].dataIndex];
        return `<div class="tip-title">${esc(groupLabel(g.key))} · ${esc(data.quarter)}</div>`
          + CATEGORIES.map((c, i) => tipLine(i, c.label.toLowerCase(), `${money(g[c.key].amount)} (${number(g[c.key].count)})`)).join('')
          + `<div class="tip-line">weighted expected <b>${esc(money(g.weighted_amount))}</b></div>`;
      },
    },
    series: CATEGORIES.map((c) => ({
      name: c.label, type: 'bar', stack: 'forecast', barMaxWidth: 48, data: groups.map((g) => Number(g[c.key].amount)),
    })),
  };
}

// rows: [{label, attainment, quota, won_amount}] (the groups of /quota with their labels).
export function quotaOption(rows) {
  const top = Math.max(1.2, ...rows.map((r) => (r.attainment === null ? 0 : r.attainment)));
  return {
    grid: { left: 56, right: 48, top: 24, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: axisLabel(rows.length) },
    yAxis: { type: 'value', min: 0, max: Math.ceil(top * 10) / 10, name: 'Attainment', nameLocation: 'middle', nameGap: 42, axisLabel: { formatter: (v) => percent(v) } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const r = rows[items[0].dataIndex];
        return `<div class="tip-title">${esc(r.label)}</div>${tipLine(0, 'attainment', percent(r.attainment))}`
          + `<div class="tip-line">won <b>${esc(money(r.won_amount))}</b> of <b>${esc(money(r.quota))}</b></div>`;
      },
    },
    series: [{
      name: 'Attainment',
      type: 'bar',
      barMaxWidth: 48,
      data: rows.map((r) => ({ value: r.attainment, itemStyle: { color: r.attainment !== null && r.attainment >= 1 ? PALETTE[2] : PALETTE[0] } })),
      markLine: {
        symbol: 'none',
        silent: true,
        lineStyle: { color: PALETTE[3], type: 'dashed', width: 2 },
        label: { formatter: '100%', position: 'end' },
        data: [{ yAxis: 1 }],
      },
    }],
  };
}

export function FunnelChart({ stages, label }) {
  const option = useMemo(() => funnelOption(stages), [stages]);
  return html`<${Chart} option=${option} label=${label || 'Conversion funnel by stage'} />`;
}

export function ForecastChart({ data, label }) {
  const option = useMemo(() => forecastOption(data), [data]);
  return html`<${Chart} option=${option} label=${label || 'Forecast by category'} />`;
}

export function QuotaChart({ rows, label }) {
  const option = useMemo(() => quotaOption(rows), [rows]);
  return html`<${Chart} option=${option} label=${label || 'Quota attainment against 100%'} />`;
}
