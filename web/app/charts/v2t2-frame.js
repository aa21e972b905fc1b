// v2t2-frame.js - the V2T2 Knowledge Frame (docs/v2t2.md) as ECharts options: the Value x
// Volume plane with each point of view placed (GET /api/v1/v2t2/zones), the Touch x Tech plane
// with the tone delivered in each phase beside the quadrant the customer's zone expects
// (GET /api/v1/v2t2/discord?account=), the discord heatmap by phase x channel agent and the trend
// of the mean discord (GET /api/v1/v2t2/discord).
//
// Both planes put quadrant n where the frame puts Qn: Q1 top left, Q2 top right, Q3 bottom
// right, Q4 bottom left (value and touch up, volume and tech right), so a zone and the tone it
// expects sit in the same corner.
import { esc, tipLine } from './chart.js';

export const PHASES = ['acquisition', 'closing', 'retention'];
export const AGENTS = ['rep', 'team', 'unit', 'partner', 'self_service'];
export const AGENT_LABELS = { rep: 'Rep', team: 'Team', unit: 'Unit', partner: 'Partner', self_service: 'Self-service' };
const POV_LABELS = { customer: 'Customer', rep: 'Rep', manager: 'Manager', unit: 'Unit', enterprise: 'Enterprise' };
const LIMIT = 4; // the Value x Volume plane shows log10 ratios in [-LIMIT, LIMIT]

const num = (v, d = 2) => (v === null || v === undefined ? '–' : Number(v).toLocaleString(undefined, { maximumFractionDigits: d }));

// log10(x / threshold), clamped to the plane; null or 0 goes to the low edge, +inf to the high.
function logRatio(x, threshold) {
  if (x === null || x === undefined) return LIMIT;
  if (!(x > 0) || !(threshold > 0)) return x > 0 ? LIMIT : -LIMIT;
  return Math.max(-LIMIT, Math.min(LIMIT, Math.log10(x / threshold)));
}

// The four quadrants as mark areas with their names, for a plane split at (mx, my).
function quadrants([x0, mx, x1], [y0, my, y1], names, highlight) {
  const area = (xa, xb, ya, yb, name, q) => [
    { name, xAxis: xa, yAxis: ya, itemStyle: { color: q === highlight ? 'rgba(46, 133, 64, 0.16)' : 'rgba(31, 95, 139, 0.04)' }, label: { position: 'insideTop', color: '#5b6770', fontSize: 12 } },
    { xAxis: xb, yAxis: yb },
  ];
  return {
    silent: true,
    data: [
      area(x0, mx, my, y1, names[0], 'Q1'),
      area(mx, x1, my, y1, names[1], 'Q2'),
      area(mx, x1, y0, my, names[2], 'Q3'),
      area(x0, mx, y0, my, names[3], 'Q4'),
    ],
  };
}

// zones: the answer of /api/v1/v2t2/zones. Suppressed places are left out.
export function zonesOption(zones) {
  const places = zones.places.filter((p) => !p.suppressed && p.zone);
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'value', min: -LIMIT, max: LIMIT, name: 'Volume (per period, against its threshold)', nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: (v) => (v === 0 ? 'threshold' : `10^${v}`) }, splitLine: { show: false } },
    yAxis: { type: 'value', min: -LIMIT, max: LIMIT, name: 'Value (against its baseline)', nameLocation: 'middle', nameGap: 42, axisLabel: { formatter: (v) => (v === 0 ? '' : `10^${v}`) }, splitLine: { show: false } },
    tooltip: {
      trigger: 'item',
      formatter: (it) => {
        const p = places[it.dataIndex];
        return `<div class="tip-title">${esc(POV_LABELS[p.pov])}: ${esc(p.party.name)} · ${esc(p.zone)}</div>`
          + tipLine(0, `value ${p.value}`, `${num(p.value_ratio, 4)} × baseline`)
          + tipLine(0, `volume ${p.volume}`, `${num(p.per_period, 3)} per period`);
      },
    },
    series: [{
      type: 'scatter',
      symbolSize: 14,
      data: places.map((p) => [logRatio(p.per_period, p.volume_threshold), logRatio(p.value_ratio, p.value_threshold)]),
      label: { show: true, position: 'right', formatter: (it) => POV_LABELS[places[it.dataIndex].pov] },
      markLine: { silent: true, symbol: 'none', lineStyle: { color: '#5b6770', type: 'solid' }, label: { show: false }, data: [{ xAxis: 0 }, { yAxis: 0 }] },
      markArea: quadrants([-LIMIT, 0, LIMIT], [-LIMIT, 0, LIMIT], ['Q1 high value, low volume', 'Q2 high value, high volume', 'Q3 low value, high volume', 'Q4 low value, low volume'], null),
    }],
  };
}

// rel: the answer of /api/v1/v2t2/discord?account= (zone, phases, thresholds).
export function tonesOption(rel) {
  const th = rel.thresholds;
  const phases = rel.phases.filter((p) => p.interactions > 0);
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'value', min: 0, max: 1, name: 'Tech', nameLocation: 'middle', nameGap: 30, splitLine: { show: false } },
    yAxis: { type: 'value', min: 0, max: 1, name: 'Touch', nameLocation: 'middle', nameGap: 42, splitLine: { show: false } },
    tooltip: {
      trigger: 'item',
      formatter: (it) => {
        const p = phases[it.dataIndex];
        return `<div class="tip-title">${esc(p.phase)}: ${esc(p.tone)}</div>`
          + tipLine(0, 'touch', num(p.touch)) + tipLine(0, 'tech', num(p.tech))
          + (p.discord === undefined ? '' : tipLine(0, 'discord', num(p.discord, 3)));
      },
    },
    series: [{
      type: 'scatter',
      symbolSize: 14,
      data: phases.map((p) => [p.tech, p.touch]),
      label: { show: true, position: 'right', formatter: (it) => phases[it.dataIndex].phase },
      markLine: { silent: true, symbol: 'none', lineStyle: { color: '#5b6770', type: 'solid' }, label: { show: false }, data: [{ xAxis: th.tech }, { yAxis: th.touch }] },
      markArea: quadrants([0, th.tech, 1], [0, th.touch, 1], ['high touch, low tech', 'high touch, high tech', 'low touch, high tech', 'low touch, low tech'], rel.zone && rel.zone.zone),
    }],
  };
}

// list: the answer of /api/v1/v2t2/discord (its heatmap).
export function heatmapOption(list) {
  const data = list.heatmap.map((c) => [AGENTS.indexOf(c.agent), PHASES.indexOf(c.phase), c.discord === null ? '-' : Number(c.discord.toFixed(3))]);
  const max = Math.max(0.05, ...list.heatmap.map((c) => c.discord || 0));
  return {
    grid: { left: 96, right: 16, top: 8, bottom: 72 },
    xAxis: { type: 'category', data: AGENTS.map((a) => AGENT_LABELS[a]), splitArea: { show: true } },
    yAxis: { type: 'category', data: PHASES, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: ['out of tune', 'in tune'], inRange: { color: ['#e8f3ea', '#f2c14e', '#b5293d'] } },
    tooltip: {
      trigger: 'item',
      formatter: (it) => {
        const c = list.heatmap.find((h) => h.agent === AGENTS[it.value[0]] && h.phase === PHASES[it.value[1]]);
        return `<div class="tip-title">${esc(AGENT_LABELS[c.agent])} in ${esc(c.phase)}</div>`
          + tipLine(0, 'mean discord', num(c.discord, 3)) + tipLine(0, 'relationships', num(c.relationships, 0))
          + tipLine(0, 'out of tune', c.out_of_tune === null ? '–' : `${Math.round(c.out_of_tune * 100)}%`);
      },
    },
    series: [{ type: 'heatmap', data, label: { show: true, formatter: (it) => (it.value[2] === '-' ? '–' : num(it.value[2], 2)) } }],
  };
}

// points: [{label, discord}] oldest first.
export function trendOption(points) {
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: points.map((p) => p.label) },
    yAxis: { type: 'value', min: 0, name: 'Mean discord', nameLocation: 'middle', nameGap: 42 },
    tooltip: { trigger: 'axis', formatter: (items) => `<div class="tip-title">${esc(items[0].name)}</div>${tipLine(0, 'mean discord', num(items[0].value, 3))}` },
    series: [{ type: 'line', data: points.map((p) => (p.discord === null ? '-' : p.discord)), connectNulls: false, symbolSize: 8 }],
  };
}
