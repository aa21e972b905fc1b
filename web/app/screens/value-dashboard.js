// value-dashboard.js - customer value (DESIGN.md §6): how value is spread over customers (Lorenz
// curve, Gini, deciles, by unit), the most valuable customers by lifetime value, the RFM grid and
// segments, the REAP levers and the cross-sell offers. The answers are those of `kith value <sub>
// --json` (src/io/value_json.c), computed over the accounts the caller may read.
//
//   GET /api/v1/value/dist?measure=     {as_of, measure, overall: {customers, total, mean, gini, top20_share,
//                                        deciles, lorenz}, by: {unit: [{...dist, group}], ...}}
//   GET /api/v1/value/clv?limit=10      {customers_total, customers: [{account_id, unit, orders, value_*, p_alive, proxy}]}
//   GET /api/v1/value/rfm?limit=10000   {segments: [{segment, rule, customers, value_to_date}], customers: [{r, f, m, segment}]}
//   GET /api/v1/value/reap?limit=1      {levers: [{lever, customers, value_lifetime}], low_value_rules: [...]}
//   GET /api/v1/value/xsell?limit=10&rules=10  {rules: [{if, then, confidence, lift}], offers: [{account_id, product, kind, rule}]}
//
// When the lifetime value models cannot be fitted (no repeat purchases, or no convergence), the
// answers that want predictions still come (200) with warnings: [{code: "model_not_fitted"}] and
// lifetime value = value to date: the page then says so once, at the top, and labels what it
// shows as value to date instead of showing an error per section.
import { html, useMemo, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { RefName } from '../components/refname.js';
import { ValueDistribution } from '../charts/value-dist.js';
import { loadECharts } from '../charts/chart.js';
import { LEVER_TEXT, products, noModel, noModelText } from '../lib/value.js';
import { ValueFitSection } from '../components/value-fit.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

const MEASURES = [
  { value: 'lifetime', label: 'Lifetime value' },
  { value: 'to_date', label: 'Value to date' },
  { value: 'current', label: 'Current value (12 months)' },
  { value: 'profit', label: 'Profit (margin minus cost to serve)' },
];

const RFM_LIMIT = 10000; // the API's most; the grid is drawn when it holds every customer

// One section's body: error, loading or draw(data). Two answers are states, not failures: 422
// no_customers (nobody in the caller's scope has ordered yet) and 422 not_converged (from a
// server older than the model_not_fitted warning: the model cannot predict from these orders).
function body(r, draw, what) {
  if (r.error && r.error.code === 'no_customers') return html`<${Empty}>No customer has an order yet.<//>`;
  if (r.error && r.error.code === 'not_converged') return html`<${Empty}>${r.error.message}.<//>`;
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} what=${what} />`;
  return html`<div aria-busy=${r.loading ? 'true' : 'false'}>${draw(r.data)}</div>`;
}

export default function ValueDashboard() {
  const [measure, setMeasure] = useState('lifetime');
  const measureId = useId();
  const dist = useFetch((signal) => api.get('/api/v1/value/dist', { measure }, { signal }), [measure]);
  const clv = useFetch((signal) => api.get('/api/v1/value/clv', { limit: 10 }, { signal }), []);
  const rfm = useFetch((signal) => api.get('/api/v1/value/rfm', { limit: RFM_LIMIT }, { signal }), []);
  const reap = useFetch((signal) => api.get('/api/v1/value/reap', { limit: 1 }, { signal }), []);
  const xsell = useFetch((signal) => api.get('/api/v1/value/xsell', { limit: 10, rules: 10 }, { signal }), []);
  const unfitted = [clv, dist, reap].map((r) => r.data).find(noModel);
  const toDate = Boolean(unfitted);
  return html`
    <${Page} title="Customer value" wide subtitle=${dist.data && `Customers are accounts with orders. Figures as of ${fmt.date(dist.data.as_of)}.`}>
      ${unfitted && html`<p class="notice" role="status" data-warning="model_not_fitted">${noModelText(clv.data || unfitted)}</p>`}
      <${Section} title="How value is spread" id="dist-title" actions=${html`
        <div class="field inline">
          <label for=${measureId}>Measure</label>
          <select id=${measureId} value=${measure} onChange=${(e) => setMeasure(e.target.value)}>
            ${MEASURES.map((m) => html`<option value=${m.value}>${m.label}</option>`)}
          </select>
        </div>`}>
        ${body(dist, (d) => html`<${Distribution} d=${d} />`, 'Loading the distribution')}
      <//>
      <div class="columns even">
        <div>
          <${Section} title=${toDate ? 'Top customers by value to date' : 'Top customers by lifetime value'} id="clv-title">
            ${body(clv, (d) => html`<${TopCustomers} d=${d} />`, 'Loading the customers')}
          <//>
          <${Section} title="REAP levers" id="reap-title">
            ${body(reap, (d) => html`<${Levers} d=${d} toDate=${noModel(d)} />`, 'Loading the levers')}
          <//>
        </div>
        <div>
          <${Section} title="RFM: recency and frequency" id="rfm-title">
            ${body(rfm, (d) => html`<${Rfm} d=${d} />`, 'Loading the RFM scores')}
          <//>
        </div>
      </div>
      <${Section} title="Cross-sell offers" id="xsell-title">
        ${body(xsell, (d) => html`<${CrossSell} d=${d} />`, 'Loading the offers')}
      <//>
      <${ValueFitSection} />
    <//>`;
}

function Distribution({ d }) {
  const o = d.overall;
  if (!o || !o.customers) return html`<${Empty}>No customer has an order yet.<//>`;
  const units = (d.by && d.by.unit) || [];
  return html`
    <p>${fmt.number(o.customers)} customers, ${fmt.money(o.total)} in all, ${fmt.money(o.mean)} on average.
      The top 20% hold ${fmt.percent(o.top20_share)}; Gini ${fmt.decimal(o.gini, 2)}.</p>
    <${ValueDistribution} data=${o} />
    ${units.length > 0 && html`
      <details class="chart-table">
        <summary>By unit</summary>
        <div class="table-wrap">
          <table class="data">
            <caption class="visually-hidden">Customer value by unit</caption>
            <thead><tr><th scope="col">Unit</th><th scope="col" class="num">Customers</th><th scope="col" class="num">Total</th>
              <th scope="col" class="num opt">Mean</th><th scope="col" class="num">Top 20% share</th><th scope="col" class="num opt">Gini</th></tr></thead>
            <tbody>${units.map((u) => html`
              <tr><th scope="row">${u.group || 'No unit'}</th><td class="num">${fmt.number(u.customers)}</td><td class="num">${fmt.money(u.total)}</td>
                <td class="num opt">${fmt.money(u.mean)}</td><td class="num">${fmt.percent(u.top20_share)}</td><td class="num opt">${fmt.decimal(u.gini, 2)}</td></tr>`)}
            </tbody>
          </table>
        </div>
      </details>`}`;
}

function TopCustomers({ d }) {
  const rows = d.customers || [];
  if (!rows.length) return html`<${Empty}>No customer has an order yet.<//>`;
  if (noModel(d)) {
    return html`
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">The customers with the highest value to date</caption>
          <thead><tr><th scope="col">Customer</th><th scope="col" class="num">Value to date</th>
            <th scope="col" class="num opt">Last 12 months</th><th scope="col" class="num opt">Orders</th></tr></thead>
          <tbody>${rows.map((c) => html`
            <tr key=${c.account_id}>
              <th scope="row"><${RefName} kind="account" id=${c.account_id} href=${`/accounts/${c.account_id}`} />
                ${c.unit && html`<span class="sub">${c.unit}</span>`}</th>
              <td class="num">${fmt.money(c.value_to_date)}</td>
              <td class="num opt">${fmt.money(c.value_current)}</td>
              <td class="num opt">${fmt.number(c.orders)}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      <p class="hint">${fmt.number(d.customers_total)} customers in all. Value to date: the ${d.value_kind === 'revenue' ? 'revenue (no order has a margin)' : 'margin'} of every order up to ${fmt.date(d.as_of)}.</p>`;
  }
  return html`
    <div class="table-wrap">
      <table class="data">
        <caption class="visually-hidden">The customers with the highest lifetime value</caption>
        <thead><tr><th scope="col">Customer</th><th scope="col" class="num">Lifetime value</th><th scope="col" class="num opt">To date</th>
          <th scope="col" class="num opt">Orders</th><th scope="col" class="num">P(alive)</th></tr></thead>
        <tbody>${rows.map((c) => html`
          <tr key=${c.account_id}>
            <th scope="row"><${RefName} kind="account" id=${c.account_id} href=${`/accounts/${c.account_id}`} />
              ${c.unit && html`<span class="sub">${c.unit}</span>`}</th>
            <td class="num">${fmt.money(c.value_lifetime)}${c.proxy ? html`<abbr class="noised" title="a proxy value: too little history for the model"> *</abbr>` : ''}</td>
            <td class="num opt">${fmt.money(c.value_to_date)}</td>
            <td class="num opt">${fmt.number(c.orders)}</td>
            <td class="num">${fmt.percent(c.p_alive)}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>
    <p class="hint">${fmt.number(d.customers_total)} customers in all. Lifetime value: value to date plus the predicted value over ${fmt.number(d.horizon_months)} months (BG/NBD and Gamma-Gamma)${rows.some((c) => c.proxy) ? '; * a proxy value for a young customer' : ''}.</p>`;
}

// R (rows, 5 = most recent) by F (columns, 5 = most frequent): customers in each cell.
export function rfmGrid(customers) {
  const grid = Array.from({ length: 5 }, () => Array(5).fill(0));
  for (const c of customers) if (c.r >= 1 && c.r <= 5 && c.f >= 1 && c.f <= 5) grid[5 - c.r][c.f - 1] += 1;
  return grid;
}

function Rfm({ d }) {
  const customers = d.customers || [];
  const grid = useMemo(() => rfmGrid(customers), [customers]);
  const max = Math.max(1, ...grid.flat());
  const complete = customers.length >= d.customers_total;
  const segments = (d.segments || []).filter((s) => s.customers > 0);
  if (!d.customers_total) return html`<${Empty}>No customer has an order yet.<//>`;
  return html`
    ${complete && html`
      <div class="table-wrap">
        <table class="data rfm-grid">
          <caption>Customers by recency score (rows) and frequency score (columns); 5 is the best fifth.</caption>
          <thead><tr><th scope="col"><span class="visually-hidden">Recency score</span>R \\ F</th>${[1, 2, 3, 4, 5].map((f) => html`<th scope="col" class="num">F${f}</th>`)}</tr></thead>
          <tbody>${grid.map((row, i) => html`
            <tr><th scope="row">R${5 - i}</th>${row.map((n, j) => html`
              <td class=${`num heat-${Math.min(5, Math.ceil((n / max) * 5))}`} aria-label=${`R${5 - i}, F${j + 1}: ${n} customers`}>${fmt.number(n)}</td>`)}</tr>`)}
          </tbody>
        </table>
      </div>`}
    ${!complete && html`<p class="hint">More than ${fmt.number(RFM_LIMIT)} customers: the grid is left out; the segments count all ${fmt.number(d.customers_total)}.</p>`}
    <div class="table-wrap">
      <table class="data">
        <caption class="visually-hidden">RFM segments</caption>
        <thead><tr><th scope="col">Segment</th><th scope="col" class="num">Customers</th><th scope="col" class="num opt">Value to date</th></tr></thead>
        <tbody>${segments.map((s) => html`
          <tr><th scope="row"><span title=${s.rule}>${fmt.label(s.segment)}</span><span class="sub">${s.rule}</span></th>
            <td class="num">${fmt.number(s.customers)}</td><td class="num opt">${fmt.money(s.value_to_date)}</td></tr>`)}
        </tbody>
      </table>
    </div>`;
}

function Levers({ d, toDate }) {
  const levers = (d.levers || []).filter((l) => l.customers > 0);
  if (!levers.length) return html`<${Empty}>No customer has an order yet.<//>`;
  const max = Math.max(1, ...levers.map((l) => l.customers));
  return html`
    <ul class="bars" aria-label="Customers by REAP lever">
      ${levers.map((l) => html`
        <li>
          <span class="bar-label">${LEVER_TEXT[l.lever] || fmt.label(l.lever)}</span>
          <span class="bar-track" aria-hidden="true"><span class="bar" style=${{ width: `${(100 * l.customers) / max}%` }}></span></span>
          <span class="bar-value">${fmt.number(l.customers)}<span class="sub">${fmt.money(l.value_lifetime)} ${toDate ? 'to date' : 'lifetime'}</span></span>
        </li>`)}
    </ul>
    ${d.low_value_rules && d.low_value_rules.some((r) => r.customers > 0) && html`
      <details class="chart-table">
        <summary>Low-value customers and what to do</summary>
        <ul class="plain">${d.low_value_rules.filter((r) => r.customers > 0).map((r) => html`
          <li><strong>${fmt.label(r.rule)}</strong> (${fmt.number(r.customers)}): ${r.why}. <em>${r.treatment}.</em></li>`)}
        </ul>
      </details>`}`;
}

function CrossSell({ d }) {
  const offers = d.offers || [];
  const rules = d.rules || [];
  if (!rules.length && !offers.length) return html`<${Empty}>No association between products is strong enough to suggest an offer.<//>`;
  return html`
    <div class="columns even">
      <div>
        <h3>Offers</h3>
        ${offers.length === 0 ? html`<${Empty}>No offer for the customers shown.<//>` : html`
          <div class="table-wrap">
            <table class="data">
              <caption class="visually-hidden">Offers per customer, with the rule behind each</caption>
              <thead><tr><th scope="col">Customer</th><th scope="col">Offer</th><th scope="col" class="opt">Because they bought</th></tr></thead>
              <tbody>${offers.map((o) => html`
                <tr><th scope="row"><${RefName} kind="account" id=${o.account_id} href=${`/accounts/${o.account_id}`} /></th>
                  <td>${o.product.name}<span class="sub">${fmt.label(o.kind)}</span></td>
                  <td class="opt">${o.rule ? html`${products(o.rule.if)}<span class="sub">confidence ${fmt.percent(o.rule.confidence)}, lift ${fmt.decimal(o.rule.lift)}</span>` : '–'}</td></tr>`)}
              </tbody>
            </table>
          </div>
          <p class="hint">${fmt.number(d.customers_with_offers)} customers have an offer.</p>`}
      </div>
      <div>
        <h3>Strongest rules</h3>
        <div class="table-wrap">
          <table class="data">
            <caption class="visually-hidden">Association rules over order baskets</caption>
            <thead><tr><th scope="col">Who buys</th><th scope="col">also buys</th><th scope="col" class="num">Confidence</th><th scope="col" class="num opt">Lift</th></tr></thead>
            <tbody>${rules.map((r) => html`
              <tr><th scope="row">${products(r.if)}</th><td>${r.then.name}</td><td class="num">${fmt.percent(r.confidence)}</td><td class="num opt">${fmt.decimal(r.lift)}</td></tr>`)}
            </tbody>
          </table>
        </div>
        <p class="hint">${fmt.number(d.rules_total)} rules over ${fmt.number(d.baskets)} orders.</p>
      </div>
    </div>`;
}
