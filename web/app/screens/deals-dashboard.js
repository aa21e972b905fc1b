// deals-dashboard.js - the deal analyses (docs/deals.md) over the deals the caller may read: the
// win rate per owner, manager, team, unit, source, product, stage or period of the deals closed
// in a period; the open pipeline (amount and weighted amount), the conversion funnel with the
// median days in each stage and the sales cycle, and the forecast of a quarter by category per
// the same groups (by owner when win rates are grouped by period, which only they accept); quota
// attainment per quota holder, or per manager when grouped by manager, over the quotas meeting
// the quarter. Each is drawn with its numbers in a table. Every figure is the API's; the screen
// only arranges it.
//
//   GET /api/v1/deal-stats/winrate?by=&period=&from=&to=, /pipeline?by=, /conversion?by=,
//   /forecast?by=&quarter=, /quota?by=owner|manager&from=&to= (the quarter's bounds)
import { html, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { WinRateChart, PipelineChart, groupLabel } from '../charts/deal-bars.js';
import { loadECharts } from '../charts/chart.js';
import { quarterOf, shiftQuarter, quarterBounds } from '../lib/deals.js';
import { ConversionPanel, ForecastPanel, QuotaPanel, ManagerCycles } from '../components/deal-stats.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

const BY = [
  { value: 'owner', label: 'Owner' }, { value: 'manager', label: 'Manager' }, { value: 'team', label: 'Team' },
  { value: 'unit', label: 'Unit' }, { value: 'source', label: 'Source' }, { value: 'product', label: 'Product' },
  { value: 'stage', label: 'Stage' }, { value: 'period', label: 'Period (win rate)' },
];
const PERIODS = [{ value: 'month', label: 'Month' }, { value: 'quarter', label: 'Quarter' }, { value: 'year', label: 'Year' }];
const DEFAULTS = { by: 'owner', period: 'month', from: '', to: '', quarter: '' };
const day = (s) => (s ? `${s}T00:00:00.000Z` : undefined); // a date input's day, from midnight UTC
const QUARTER = /^\d{4}Q[1-4]$/;

export default function DealsDashboard({ query }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const ids = { by: useId(), period: useId(), from: useId(), to: useId(), quarter: useId() };
  const by = BY.some((b) => b.value === f.by) ? f.by : 'owner';
  const byPeriod = by === 'period';
  const period = PERIODS.some((p) => p.value === f.period) ? f.period : 'month';
  // the groups of the analyses other than the win rate: period is the win rate's only
  const other = byPeriod ? 'owner' : by;
  const quotaBy = by === 'manager' ? 'manager' : 'owner';
  const now = quarterOf();
  const quarter = QUARTER.test(f.quarter) ? f.quarter : now;
  const quarters = [];
  for (let n = -4; n <= 4; n++) quarters.push(shiftQuarter(now, n));
  if (!quarters.includes(quarter)) quarters.push(quarter);
  quarters.sort();
  const bounds = quarterBounds(quarter);
  const winrate = useFetch((signal) => api.get('/api/v1/deal-stats/winrate', { by, period: byPeriod ? period : undefined, from: day(f.from), to: day(f.to) }, { signal }), [by, period, f.from, f.to]);
  const pipeline = useFetch((signal) => api.get('/api/v1/deal-stats/pipeline', { by: other }, { signal }), [other]);
  const conversion = useFetch((signal) => api.get('/api/v1/deal-stats/conversion', { by: other }, { signal }), [other]);
  const forecast = useFetch((signal) => api.get('/api/v1/deal-stats/forecast', { by: other, quarter }, { signal }), [other, quarter]);
  const quota = useFetch((signal) => api.get('/api/v1/deal-stats/quota', { by: quotaBy, from: bounds.from, to: bounds.to }, { signal }), [quotaBy, quarter]);
  const byLabel = byPeriod ? period : (BY.find((b) => b.value === by) || BY[0]).label.toLowerCase();
  const otherLabel = (BY.find((b) => b.value === other) || BY[0]).label.toLowerCase();
  return html`
    <${Page} title="Deal analytics" wide subtitle="Win rate, pipeline, conversion, forecast and quotas over the deals you may see">
      <div class="chart-controls" role="search" aria-label="Group and period">
        <div class="field inline">
          <label for=${ids.by}>Group by</label>
          <select id=${ids.by} value=${by} onChange=${(e) => update({ by: e.target.value })}>
            ${BY.map((b) => html`<option value=${b.value}>${b.label}</option>`)}
          </select>
        </div>
        ${byPeriod && html`<div class="field inline">
          <label for=${ids.period}>Period</label>
          <select id=${ids.period} value=${period} onChange=${(e) => update({ period: e.target.value })}>
            ${PERIODS.map((p) => html`<option value=${p.value}>${p.label}</option>`)}
          </select>
        </div>`}
        <div class="field inline">
          <label for=${ids.from}>Closed from</label>
          <input id=${ids.from} type="date" value=${f.from} onChange=${(e) => update({ from: e.target.value })} />
        </div>
        <div class="field inline">
          <label for=${ids.to}>to (not included)</label>
          <input id=${ids.to} type="date" value=${f.to} onChange=${(e) => update({ to: e.target.value })} />
        </div>
        <div class="field inline">
          <label for=${ids.quarter}>Quarter</label>
          <select id=${ids.quarter} value=${quarter} onChange=${(e) => update({ quarter: e.target.value === now ? '' : e.target.value })}>
            ${quarters.map((q) => html`<option value=${q}>${q}${q === now ? ' (this quarter)' : ''}</option>`)}
          </select>
        </div>
        <p class="hint">The closing period applies to the win rate; the quarter to the forecast and the quotas.${byPeriod ? ' Only the win rate is grouped by period; the other panels by owner.' : ''}</p>
      </div>
      <${Section} title=${`Win rate by ${byLabel}`} id="winrate-title">
        ${winrate.error ? html`<${ErrorState} error=${winrate.error} onRetry=${winrate.reload} />`
          : !winrate.data ? html`<${Loading} what="Loading the win rates" />`
            : winrate.data.groups.length === 0 ? html`<${Empty}>No deal was won or lost${f.from || f.to ? ' in this period' : ''}.<//>`
              : html`<div aria-busy=${winrate.loading ? 'true' : 'false'}>
                  <${ManagerCycles} cycles=${winrate.data.manager_cycles} />
                  <${WinRateChart} data=${winrate.data} label=${`Win rate by ${byLabel}: won divided by won and lost`} />
                  <${WinRateTable} data=${winrate.data} by=${byLabel} />
                </div>`}
      <//>
      <${Section} title=${`Open pipeline by ${otherLabel}`} id="pipeline-title">
        ${pipeline.error ? html`<${ErrorState} error=${pipeline.error} onRetry=${pipeline.reload} />`
          : !pipeline.data ? html`<${Loading} what="Loading the pipeline" />`
            : pipeline.data.groups.length === 0 ? html`<${Empty}>No open deals.<//>`
              : html`<div aria-busy=${pipeline.loading ? 'true' : 'false'}>
                  <${PipelineChart} data=${pipeline.data} label=${`Open pipeline by ${otherLabel}: amount and amount weighted by probability`} />
                  <${PipelineTable} data=${pipeline.data} by=${otherLabel} />
                </div>`}
      <//>
      <${ConversionPanel} conversion=${conversion} by=${otherLabel} />
      <${ForecastPanel} forecast=${forecast} by=${otherLabel} quarter=${quarter} />
      <${QuotaPanel} quota=${quota} quarter=${quarter} />
    <//>`;
}

function WinRateTable({ data, by }) {
  const row = (g, head) => html`
    <tr class=${head ? 'total' : ''}>
      <th scope="row">${head || groupLabel(g.key)}</th>
      <td class="num">${fmt.number(g.won)}</td><td class="num">${fmt.number(g.lost)}</td>
      <td class="num" data-testid="win-rate">${fmt.percent(g.win_rate)}</td>
      <td class="num opt">${fmt.percent(g.interval_low)} – ${fmt.percent(g.interval_high)}</td>
      <td class="num opt">${fmt.money(g.won_amount)}</td><td class="num opt">${fmt.money(g.lost_amount)}</td>
    </tr>`;
  return html`
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="winrate-table">
        <caption class="visually-hidden">Win rate by ${by}</caption>
        <thead><tr><th scope="col">${fmt.label(by)}</th><th scope="col" class="num">Won</th><th scope="col" class="num">Lost</th>
          <th scope="col" class="num">Win rate</th><th scope="col" class="num opt">95% interval</th>
          <th scope="col" class="num opt">Won amount</th><th scope="col" class="num opt">Lost amount</th></tr></thead>
        <tbody>${data.groups.map((g) => row(g))}</tbody>
        <tfoot>${row(data.total, 'All deals')}</tfoot>
      </table>
    </div>`;
}

function PipelineTable({ data, by }) {
  const row = (g, head) => html`
    <tr class=${head ? 'total' : ''}>
      <th scope="row">${head || groupLabel(g.key)}</th>
      <td class="num">${fmt.number(g.count)}</td><td class="num" data-testid="pipeline-amount">${fmt.money(g.amount)}</td>
      <td class="num">${fmt.money(g.weighted_amount)}</td>
      <td class="opt">${(g.stages || []).map((s) => `${groupLabel(s.stage)} ${fmt.number(s.count)}`).join(' · ') || '–'}</td>
    </tr>`;
  return html`
    <div class="table-wrap">
      <table class="data deal-stats" data-testid="pipeline-table">
        <caption class="visually-hidden">Open pipeline by ${by}</caption>
        <thead><tr><th scope="col">${fmt.label(by)}</th><th scope="col" class="num">Open deals</th><th scope="col" class="num">Amount</th>
          <th scope="col" class="num">Weighted</th><th scope="col" class="opt">By stage</th></tr></thead>
        <tbody>${data.groups.map((g) => row(g))}</tbody>
        <tfoot>${row(data.total, 'All deals')}</tfoot>
      </table>
    </div>`;
}
