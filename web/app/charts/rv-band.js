// rv-band.js - a contact's cumulative Relationship Value by relationship age against its norm:
// the p10-p90 and p25-p75 bands and the median of the contacts it is compared with (DESIGN.md §4).
//
// Data (docs/web.md, "Chart data"):
// {
//   "bucket_days": 7,
//   "norm":    {"label": "Automation Closing team", "ages": [0, 7, ...],
//               "n": [120, 118, ...], "p10": [...], "p25": [...], "p50": [...], "p75": [...], "p90": [...]},
//   "contact": {"label": "Hiroshi Jackson", "ages": [0, 7, ...], "rv": [0, 5, ...]}
// }
// ages are days since the first interaction; percentiles may be null where the norm has too
// few members; p25 and p75 are optional (no inner band). "contact" is optional (a norm alone).
import { html, useMemo } from '../lib/html.js';
import { Chart, tipLine, esc } from './chart.js';
import { number, decimal } from '../lib/format.js';

export function rvBandOption(data) {
  const { norm, contact } = data;
  const pairs = (ys) => norm.ages.map((a, i) => [a, ys[i]]);
  const diff = (hi, lo) => norm.ages.map((a, i) => [a, hi[i] === null || lo[i] === null ? null : hi[i] - lo[i]]);
  const band = (name, stack, lo, hi, opacity) => [
    { name: `${name} low`, type: 'line', stack, data: pairs(lo), lineStyle: { opacity: 0 }, symbol: 'none', silent: true, tooltip: { show: false } },
    {
      name, type: 'line', stack, data: diff(hi, lo), lineStyle: { opacity: 0 }, symbol: 'none', silent: true,
      areaStyle: { color: '#1f5f8b', opacity }, itemStyle: { color: '#1f5f8b', opacity: opacity * 3 },
    },
  ];
  const inner = Boolean(norm.p25 && norm.p75); // the contact API sends p10, p50 and p90 only
  const series = [
    ...band('p10–p90', 'outer', norm.p10, norm.p90, 0.12),
    ...(inner ? band('p25–p75', 'inner', norm.p25, norm.p75, 0.18) : []),
    {
      name: 'Median (p50)', type: 'line', data: pairs(norm.p50), symbol: 'none',
      lineStyle: { type: 'dashed', width: 1.5, color: '#1f5f8b' }, itemStyle: { color: '#1f5f8b' },
    },
  ];
  if (contact) {
    series.push({
      name: contact.label, type: 'line', data: contact.ages.map((a, i) => [a, contact.rv[i]]), symbol: 'circle', symbolSize: 4,
      lineStyle: { width: 3, color: '#d9822b' }, itemStyle: { color: '#d9822b' },
    });
  }
  const at = (ys, age) => ys[norm.ages.indexOf(age)];
  return {
    grid: { left: 56, right: 16, top: 40, bottom: 48 },
    legend: { top: 0, data: ['p10–p90', ...(inner ? ['p25–p75'] : []), 'Median (p50)', ...(contact ? [contact.label] : [])] },
    xAxis: { type: 'value', name: 'Relationship age (days)', nameLocation: 'middle', nameGap: 30, min: 0 },
    yAxis: { type: 'value', name: 'Cumulative RV', nameLocation: 'middle', nameGap: 42 },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const age = items[0].value[0];
        const lines = [`<div class="tip-title">Age ${esc(number(age))} days</div>`];
        if (norm.ages.includes(age)) {
          lines.push(tipLine(0, 'p10–p90', `${decimal(at(norm.p10, age))} to ${decimal(at(norm.p90, age))}`),
            tipLine(0, 'Median', decimal(at(norm.p50, age))));
          if (norm.n) lines.push(tipLine(5, 'Contacts in the norm', number(at(norm.n, age))));
        }
        const mine = items.find((x) => contact && x.seriesName === contact.label);
        if (mine) lines.push(tipLine(1, contact.label, number(mine.value[1])));
        return lines.join('');
      },
    },
    series,
  };
}

export function RvBandChart({ data }) {
  const option = useMemo(() => rvBandOption(data), [data]);
  const { norm, contact } = data;
  const last = contact ? contact.ages.length - 1 : -1;
  const label = contact
    ? `Cumulative RV of ${contact.label} by relationship age, against the p10 to p90 band of ${norm.label}`
    : `Cumulative RV by relationship age: the p10 to p90 band of ${norm.label}`;
  // contact.current: {age, rv} today, when the caller knows it (the last row is its age bucket's)
  const now = contact && (contact.current || (last >= 0 ? { age: contact.ages[last], rv: contact.rv[last] } : null));
  const caption = now
    ? `${contact.label}: RV ${number(now.rv)} at ${number(now.age)} days. Band: ${norm.label}.`
    : `Band: ${norm.label}.`;
  const mine = contact ? Object.fromEntries(contact.ages.map((a, i) => [a, contact.rv[i]])) : {};
  const ages = [...new Set([...norm.ages, ...(contact ? contact.ages : [])])].sort((a, b) => a - b);
  return html`
    <${Chart} option=${option} label=${label} caption=${caption} />
    <details class="chart-table">
      <summary>Show the numbers</summary>
      <div class="table-wrap">
        <table class="data rv-numbers">
          <caption class="visually-hidden">${label}</caption>
          <thead><tr><th scope="col" class="num">Age (days)</th>${contact && html`<th scope="col" class="num">${contact.label}</th>`}
            <th scope="col" class="num">p10</th><th scope="col" class="num">Median</th><th scope="col" class="num">p90</th>
            ${norm.n && html`<th scope="col" class="num opt">Contacts</th>`}</tr></thead>
          <tbody>${ages.map((a) => {
            const i = norm.ages.indexOf(a);
            const v = (ys) => (i < 0 || !ys ? '–' : ys[i]);
            return html`
            <tr><th scope="row" class="num">${number(a)}</th>${contact && html`<td class="num">${a in mine ? number(mine[a]) : '–'}</td>`}
              <td class="num">${decimal(v(norm.p10))}</td><td class="num">${decimal(v(norm.p50))}</td><td class="num">${decimal(v(norm.p90))}</td>
              ${norm.n && html`<td class="num opt">${number(v(norm.n))}</td>`}</tr>`;
          })}
          </tbody>
        </table>
      </div>
    </details>`;
}
