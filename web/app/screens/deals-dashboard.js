// deals-dashboard.js - the deal analyses (docs/deals.md) over the deals the caller may read: the
// win rate per owner, team, unit, source, product or stage of the deals closed in a period, and
// the open pipeline (amount and weighted amount) per the same groups, each as bars with its
// numbers in a table. Every figure is the API's; the screen only arranges it.
//
//   GET /api/v1/deal-stats/winrate?by=&from=&to=, GET /api/v1/deal-stats/pipeline?by=
import { html, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { WinRateChart, PipelineChart, groupLabel } from '../charts/deal-bars.js';
import { loadECharts } from '../charts/chart.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

const BY = [
  { value: 'owner', label: 'Owner' }, { value: 'team', label: 'Team' }, { value: 'unit', label: 'Unit' },
  { value: 'source', label: 'Source' }, { value: 'product', label: 'Product' }, { value: 'stage', label: 'Stage' },
];
const DEFAULTS = { by: 'owner', from: '', to: '' };
const day = (s) => (s ? `${s}T00:00:00.000Z` : undefined); // a date input's day, from midnight UTC

export default function DealsDashboard({ query }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const ids = { by: useId(), from: useId(), to: useId() };
  const winrate = useFetch((signal) => api.get('/api/v1/deal-stats/winrate', { by: f.by, from: day(f.from), to: day(f.to) }, { signal }), [f.by, f.from, f.to]);
  const pipeline = useFetch((signal) => api.get('/api/v1/deal-stats/pipeline', { by: f.by }, { signal }), [f.by]);
  const byLabel = (BY.find((b) => b.value === f.by) || BY[0]).label.toLowerCase();
  return html`
    <${Page} title="Deal analytics" wide subtitle="Win rate and open pipeline over the deals you may see">
      <div class="chart-controls" role="search" aria-label="Group and period">
        <div class="field inline">
          <label for=${ids.by}>Group by</label>
          <select id=${ids.by} value=${f.by} onChange=${(e) => update({ by: e.target.value })}>
            ${BY.map((b) => html`<option value=${b.value}>${b.label}</option>`)}
          </select>
        </div>
        <div class="field inline">
          <label for=${ids.from}>Closed from</label>
          <input id=${ids.from} type="date" value=${f.from} onChange=${(e) => update({ from: e.target.value })} />
        </div>
        <div class="field inline">
          <label for=${ids.to}>to (not included)</label>
          <input id=${ids.to} type="date" value=${f.to} onChange=${(e) => update({ to: e.target.value })} />
        </div>
      </div>
      <${Section} title=${`Win rate by ${byLabel}`} id="winrate-title">
        ${winrate.error ? html`<${ErrorState} error=${winrate.error} onRetry=${winrate.reload} />`
          : !winrate.data ? html`<${Loading} what="Loading the win rates" />`
            : winrate.data.groups.length === 0 ? html`<${Empty}>No deal was won or lost${f.from || f.to ? ' in this period' : ''}.<//>`
              : html`<div aria-busy=${winrate.loading ? 'true' : 'false'}>
                  <${WinRateChart} data=${winrate.data} label=${`Win rate by ${byLabel}: won divided by won and lost`} />
                  <${WinRateTable} data=${winrate.data} by=${byLabel} />
                </div>`}
      <//>
      <${Section} title=${`Open pipeline by ${byLabel}`} id="pipeline-title">
        ${pipeline.error ? html`<${ErrorState} error=${pipeline.error} onRetry=${pipeline.reload} />`
          : !pipeline.data ? html`<${Loading} what="Loading the pipeline" />`
            : pipeline.data.groups.length === 0 ? html`<${Empty}>No open deals.<//>`
              : html`<div aria-busy=${pipeline.loading ? 'true' : 'false'}>
                  <${PipelineChart} data=${pipeline.data} label=${`Open pipeline by ${byLabel}: amount and amount weighted by probability`} />
                  <${PipelineTable} data=${pipeline.data} by=${byLabel} />
                </div>`}
      <//>
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
