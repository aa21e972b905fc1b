// deal-stats.js - the panels of the deal analytics screen that follow deals through time
// (docs/deals.md): the conversion funnel of a group with the median days in each stage and the
// sales cycle, the forecast of a quarter by category, and quota attainment. Each panel shows the
// API's answer as it came, as a chart with its numbers in a table; nothing is recomputed here.
import { html, useId, useState } from '../lib/html.js';
import * as fmt from '../lib/format.js';
import { periodLabel } from '../lib/deals.js';
import { Section } from './page.js';
import { Loading, ErrorState, Empty } from './states.js';
import { groupLabel } from '../charts/deal-bars.js';
import { FunnelChart, ForecastChart, QuotaChart, CATEGORIES } from '../charts/deal-flow.js';

const days = (d) => fmt.decimal(d, 1);

// The loops found in the manager chain (the answer's manager_cycles), said once above the figures.
export function ManagerCycles({ cycles }) {
  if (!cycles || cycles.length === 0) return null;
  return html`<p class="notice" role="status" data-testid="manager-cycles">The manager chain loops:
    ${cycles.map((c) => [...c, c[0]].map(groupLabel).join(' → ')).join('; ')}. Each loop is followed once.</p>`;
}

// The body of a panel by the state of its fetch: error, loading, empty or the figures.
function body(r, { loading, empty, isEmpty, draw }) {
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} what=${loading} />`;
  return html`<div aria-busy=${r.loading ? 'true' : 'false'}>
    <${ManagerCycles} cycles=${r.data.manager_cycles} />
    ${isEmpty(r.data) ? html`<${Empty}>${empty}<//>` : draw(r.data)}
  </div>`;
}

// conversion: the fetch of /deal-stats/conversion; by: the grouping's label.
export function ConversionPanel({ conversion, by }) {
  return html`
    <${Section} title=${`Conversion and time in stage by ${by}`} id="conversion-title">
      ${body(conversion, {
        loading: 'Loading the conversion',
        empty: 'No deal has a stage history yet.',
        isEmpty: (d) => d.total.stages.length === 0 && d.total.sales_cycle.won.count === 0 && d.total.sales_cycle.lost.count === 0,
        draw: (d) => html`<${Conversion} key=${d.by} data=${d} by=${by} />`, // a new grouping starts from all deals
      })}
    <//>`;
}

function Conversion({ data, by }) {
  const id = useId();
  const [pick, setPick] = useState('total');
  const groups = data.groups;
  const index = pick === 'total' ? -1 : Number(pick);
  const chosen = index >= 0 && index < groups.length ? groups[index] : data.total;
  const name = chosen === data.total ? 'all deals' : groupLabel(chosen.key);
  return html`
    <div class="chart-controls">
      <div class="field inline">
        <label for=${id}>Funnel of</label>
        <select id=${id} value=${chosen === data.total ? 'total' : String(index)} onChange=${(e) => setPick(e.target.value)}>
          <option value="total">All deals</option>
          ${groups.map((g, i) => html`<option value=${String(i)}>${groupLabel(g.key)}</option>`)}
        </select>
      </div>
      <p class="hint">Per open stage: the deals that reached it, advanced to a later stage and were won after it; the median days of the completed stays in it.</p>
    </div>
    ${chosen.stages.length === 0 ? html`<${Empty}>No stage history for ${name}.<//>`
      : html`<${FunnelChart} stages=${chosen.stages} label=${`Conversion funnel of ${name}: deals that reached, advanced from and were won after each stage`} />`}
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="conversion-table" data-group=${chosen === data.total ? 'total' : String(index)}>
        <caption class="visually-hidden">Conversion per stage of ${name}</caption>
        <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Reached</th><th scope="col" class="num">Advanced</th>
          <th scope="col" class="num">Conversion</th><th scope="col" class="num opt">Won after</th><th scope="col" class="num opt">Win rate</th>
          <th scope="col" class="num">Median days in stage</th><th scope="col" class="num opt">Stays</th></tr></thead>
        <tbody>${chosen.stages.map((s) => html`
          <tr data-stage=${s.stage.id}>
            <th scope="row">${groupLabel(s.stage)}</th>
            <td class="num" data-testid="reached">${fmt.number(s.reached)}</td><td class="num" data-testid="advanced">${fmt.number(s.advanced)}</td>
            <td class="num" data-testid="conversion">${fmt.percent(s.conversion)}</td>
            <td class="num opt" data-testid="won-after">${fmt.number(s.won)}</td><td class="num opt">${fmt.percent(s.win_rate)}</td>
            <td class="num" data-testid="median-days">${days(s.median_days)}</td><td class="num opt">${fmt.number(s.stays)}</td>
          </tr>`)}</tbody>
      </table>
    </div>
    <h3>Sales cycle of ${name}</h3>
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="cycle-table">
        <caption class="visually-hidden">Sales cycle of ${name}: days from creation to close</caption>
        <thead><tr><th scope="col">Closed</th><th scope="col" class="num">Deals</th><th scope="col" class="num">Median days</th>
          <th scope="col" class="num">Mean days</th></tr></thead>
        <tbody>${['won', 'lost'].map((k) => html`
          <tr data-outcome=${k}>
            <th scope="row">${fmt.label(k)}</th>
            <td class="num" data-testid="cycle-count">${fmt.number(chosen.sales_cycle[k].count)}</td>
            <td class="num" data-testid="cycle-median">${days(chosen.sales_cycle[k].median_days)}</td>
            <td class="num" data-testid="cycle-mean">${days(chosen.sales_cycle[k].mean_days)}</td>
          </tr>`)}</tbody>
      </table>
    </div>`;
}

// forecast: the fetch of /deal-stats/forecast for quarter.
export function ForecastPanel({ forecast, by, quarter }) {
  return html`
    <${Section} title=${`Forecast for ${quarter} by ${by}`} id="forecast-title">
      ${body(forecast, {
        loading: 'Loading the forecast',
        empty: `No open deal is expected to close in ${quarter}, and none was won in it.`,
        isEmpty: (d) => d.groups.length === 0,
        draw: (d) => html`
          <p class="hint">Open deals expected to close in ${d.quarter} by probability: commit from ${fmt.percent(d.commit_probability)},
            best case from ${fmt.percent(d.best_case_probability)}, pipeline below; won: the deals won in the quarter.</p>
          <${ForecastChart} data=${d} label=${`Forecast for ${d.quarter} by ${by}: won, commit, best case and pipeline amounts stacked`} />
          <${ForecastTable} data=${d} by=${by} />`,
      })}
    <//>`;
}

function ForecastTable({ data, by }) {
  const row = (g, head) => html`
    <tr class=${head ? 'total' : ''}>
      <th scope="row">${head || groupLabel(g.key)}</th>
      ${CATEGORIES.map((c) => html`<td class=${`num${c.key === 'won' || c.key === 'commit' ? '' : ' opt'}`} data-testid=${`forecast-${c.key}`}>${fmt.money(g[c.key].amount)}</td>`)}
      <td class="num opt" data-testid="forecast-expected">${fmt.money(g.expected.amount)}</td>
      <td class="num" data-testid="forecast-weighted">${fmt.money(g.weighted_amount)}</td>
    </tr>`;
  return html`
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="forecast-table" data-quarter=${data.quarter}>
        <caption class="visually-hidden">Forecast for ${data.quarter} by ${by}</caption>
        <thead><tr><th scope="col">${fmt.label(by)}</th>
          ${CATEGORIES.map((c) => html`<th scope="col" class=${`num${c.key === 'won' || c.key === 'commit' ? '' : ' opt'}`}>${c.label}</th>`)}
          <th scope="col" class="num opt">Expected</th><th scope="col" class="num">Weighted</th></tr></thead>
        <tbody>${data.groups.map((g) => row(g))}</tbody>
        <tfoot>${row(data.total, 'All deals')}</tfoot>
      </table>
    </div>`;
}

// quota: the fetch of /deal-stats/quota (by owner or manager) over the quotas meeting quarter.
export function QuotaPanel({ quota, quarter }) {
  const who = quota.data && quota.data.by === 'manager' ? 'manager' : 'quota holder';
  return html`
    <${Section} title=${`Quota attainment by ${who}`} id="quota-title">
      ${body(quota, {
        loading: 'Loading the quotas',
        empty: `No quota covers ${quarter}.`,
        isEmpty: (d) => d.groups.length === 0,
        draw: (d) => html`<${Quota} data=${d} quarter=${quarter} who=${who} />`,
      })}
    <//>`;
}

function Quota({ data, quarter, who }) {
  const periods = new Set(data.groups.map((g) => `${g.period_start} ${g.period_end}`));
  const rows = data.groups.map((g) => ({
    ...g,
    period: periodLabel(g.period_start, g.period_end),
    label: periods.size > 1 ? `${groupLabel(g.key)} · ${periodLabel(g.period_start, g.period_end)}` : groupLabel(g.key),
  }));
  const row = (g, head) => html`
    <tr class=${head ? 'total' : ''}>
      <th scope="row">${head || groupLabel(g.key)}</th>
      <td class="opt">${head ? '' : g.period}</td>
      <td class="num" data-testid="quota-amount">${fmt.money(g.quota)}</td>
      <td class="num" data-testid="quota-won">${fmt.money(g.won_amount)}</td>
      <td class="num" data-testid="quota-attainment">${fmt.percent(g.attainment)}</td>
      <td class="num opt">${fmt.number(g.quotas)}</td>
    </tr>`;
  return html`
    <p class="hint">The quotas whose period meets ${quarter}: what each ${who} won in the quota’s period against the quota${who === 'manager' ? ' of everyone below them' : ''}.</p>
    <${QuotaChart} rows=${rows} label=${`Quota attainment by ${who}, against the 100% line`} />
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="quota-table">
        <caption class="visually-hidden">Quota attainment by ${who}</caption>
        <thead><tr><th scope="col">${fmt.label(who)}</th><th scope="col" class="opt">Period</th><th scope="col" class="num">Quota</th>
          <th scope="col" class="num">Won</th><th scope="col" class="num">Attainment</th><th scope="col" class="num opt">Quotas</th></tr></thead>
        <tbody>${rows.map((g) => row(g))}</tbody>
        <tfoot>${row(data.total, 'All quotas')}</tfoot>
      </table>
    </div>`;
}
