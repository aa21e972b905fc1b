// norm-groups.js - the RV norm of several groups side by side (teams for a manager, units for an
// executive): for each group a box from p25 to p75 with whiskers to p10 and p90 and the median.
// Suppressed groups (fewer than k members, in the confidential unit comparison) are named but
// drawn empty.
//
// Data (docs/web.md, "Chart data"):
// {"title": "Cumulative RV at 90 days", "groups": [
//    {"label": "Automation Closing", "n": 120, "p10": -2, "p25": 10, "p50": 24, "p75": 40, "p90": 61,
//     "own": false, "suppressed": false}, ...]}
import { html, useMemo } from '../lib/html.js';
import { Chart, esc } from './chart.js';
import { number, decimal } from '../lib/format.js';

export function normGroupsOption(data) {
  const groups = data.groups;
  return {
    grid: { left: 56, right: 24, top: 24, bottom: 24, containLabel: true },
    xAxis: {
      type: 'category',
      data: groups.map((g) => (g.suppressed ? `${g.label} (suppressed)` : g.own ? `${g.label} (yours)` : g.label)),
      axisLabel: { interval: 0, rotate: groups.length > 4 ? 25 : 0, width: groups.length > 4 ? 170 : 200, overflow: 'truncate' },
    },
    yAxis: { type: 'value', name: data.title || 'Cumulative RV', nameLocation: 'middle', nameGap: 42 },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const g = groups[p.dataIndex];
        if (g.suppressed) return `<div class="tip-title">${esc(g.label)}</div><div class="tip-line">${esc(data.suppressedText || 'Fewer members than the threshold: not shown')}</div>`;
        return `<div class="tip-title">${esc(g.label)}${g.own ? ' (yours)' : ''}</div>`
          + `<div class="tip-line">${esc(number(Math.round(g.n)))} contacts${g.noised ? ' (noised figures)' : ''}</div>`
          + `<div class="tip-line">p90 <b>${esc(decimal(g.p90))}</b></div><div class="tip-line">p75 <b>${esc(decimal(g.p75))}</b></div>`
          + `<div class="tip-line">median <b>${esc(decimal(g.p50))}</b></div><div class="tip-line">p25 <b>${esc(decimal(g.p25))}</b></div>`
          + `<div class="tip-line">p10 <b>${esc(decimal(g.p10))}</b></div>`;
      },
    },
    series: [{
      name: 'RV norm',
      type: 'boxplot',
      data: groups.map((g) => (g.suppressed ? [] : {
        value: [g.p10, g.p25, g.p50, g.p75, g.p90],
        itemStyle: g.own ? { color: '#fbe3cc', borderColor: '#d9822b' } : { color: '#d6e6f2', borderColor: '#1f5f8b' },
      })),
    }, {
      // "suppressed" written where a suppressed group's box would be
      name: 'suppressed', type: 'scatter', symbolSize: 0, silent: true, tooltip: { show: false },
      data: groups.map((g, i) => (g.suppressed ? [i, 0] : null)).filter(Boolean),
      label: { show: true, position: 'top', formatter: 'suppressed', color: '#5b6770', fontSize: 12 },
    }],
  };
}

export function NormGroupsChart({ data, label }) {
  const option = useMemo(() => normGroupsOption(data), [data]);
  return html`
    <${Chart} option=${option} label=${label || `${data.title || 'RV norm'} by group, p10 to p90`} />
    <details class="chart-table">
      <summary>Show the numbers</summary>
      <div class="table-wrap">
        <table class="data">
          <thead><tr><th scope="col">Group</th><th scope="col" class="num">Contacts</th><th scope="col" class="num">p10</th>
            <th scope="col" class="num">p25</th><th scope="col" class="num">Median</th><th scope="col" class="num">p75</th><th scope="col" class="num">p90</th></tr></thead>
          <tbody>${data.groups.map((g) => html`
            <tr><th scope="row">${g.label}${g.own ? ' (yours)' : ''}${g.noised ? ' (noised)' : ''}</th>
              ${g.suppressed ? html`<td colspan="6">${data.suppressedText || 'suppressed: too few members'}</td>`
                : ['n', 'p10', 'p25', 'p50', 'p75', 'p90'].map((k) => html`<td class="num">${decimal(g[k], k === 'n' ? 0 : 1)}</td>`)}</tr>`)}
          </tbody>
        </table>
      </div>
    </details>`;
}
