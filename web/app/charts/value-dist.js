// value-dist.js - how customer value is spread (DESIGN.md §6): the Lorenz curve with its Gini
// coefficient, and each decile's share of the total. The data is the shape that
// value_json_dist() (src/io/value_json.h) gives `kith value --json` and the value API:
// {"customers": 2000, "total": 1234567.5, "mean": 617.3, "gini": 0.62, "top20_share": 0.71,
//  "deciles": [{"decile": 1, "customers": 200, "sum": 876543.2, "share": 0.71, "min": ..., "max": ...}, ...],
//  "lorenz": [[0, 0], [0.01, 0.0002], ..., [1, 1]]}
import { html, useMemo } from '../lib/html.js';
import { Chart, tipLine, esc } from './chart.js';

const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function lorenzOption(d) {
  return {
    grid: { left: 56, right: 16, top: 32, bottom: 48 },
    legend: { top: 0, data: ['Customers', 'Equal share'] },
    xAxis: { type: 'value', min: 0, max: 1, name: 'Share of customers (lowest value first)', nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: (v) => pct.format(v) } },
    yAxis: { type: 'value', min: 0, max: 1, name: 'Share of value', nameLocation: 'middle', nameGap: 42, axisLabel: { formatter: (v) => pct.format(v) } },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => `<div class="tip-title">${esc(pct.format(items[0].value[0]))} of customers</div>${tipLine(0, 'hold', pct.format(items[0].value[1]))}`,
    },
    series: [
      { name: 'Customers', type: 'line', data: d.lorenz, symbol: 'none', areaStyle: { opacity: 0.15 }, lineStyle: { width: 2 } },
      { name: 'Equal share', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', width: 1, color: '#5b6770' }, itemStyle: { color: '#5b6770' }, silent: true },
    ],
  };
}

export function decilesOption(d) {
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: d.deciles.map((x) => `D${x.decile}`), name: 'Decile (1 = most valuable)', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => pct.format(v) }, name: 'Share of value', nameLocation: 'middle', nameGap: 42 },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const x = d.deciles[items[0].dataIndex];
        return `<div class="tip-title">Decile ${esc(x.decile)}</div>${tipLine(0, 'share of value', pct.format(x.share))}${tipLine(0, 'customers', x.customers)}`;
      },
    },
    series: [{ name: 'Share of value', type: 'bar', data: d.deciles.map((x) => x.share) }],
  };
}

export function ValueDistribution({ data }) {
  const lorenz = useMemo(() => lorenzOption(data), [data]);
  const deciles = useMemo(() => decilesOption(data), [data]);
  return html`
    <div class="chart-pair">
      <${Chart} option=${lorenz} label=${`Lorenz curve of customer value; Gini coefficient ${data.gini === null ? 'unknown' : data.gini.toFixed(2)}`}
        caption=${`Gini ${data.gini === null ? '–' : data.gini.toFixed(2)} · the top 20% of customers hold ${data.top20_share === null ? '–' : pct.format(data.top20_share)} of the value`} />
      <${Chart} option=${deciles} label="Share of customer value held by each decile of customers" caption="Share of value by decile" />
    </div>`;
}
