// account-value.js - an account's customer value on its page: lifetime, to date, current and
// predicted value, P(alive), cost to serve and profit (GET /api/v1/value/clv?account=), its RFM
// segment (/value/rfm), its REAP lever with the reason and, for a low-value customer, the
// treatment (/value/reap), and the cross-sell and up-sell offers with the rule behind each
// (/value/xsell). An account without orders is not a customer yet: the API answers 404 for it.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { LEVER_TEXT, products, noModel, noModelText } from '../lib/value.js';
import { Loading, ErrorState, Empty } from './states.js';

const HORIZON_MONTHS = 36; // the API's default, named so the label can say it

// The four answers, fetched together; null while loading. A 404 on the first means "no orders".
async function load(id, signal) {
  const q = (sub, params = {}) => api.get(`/api/v1/value/${sub}`, { account: id, ...params }, { signal });
  const [clv, rfm, reap, xsell] = await Promise.all([
    q('clv', { horizon: HORIZON_MONTHS }), q('rfm'), q('reap'), q('xsell', { offers: 5 }),
  ]);
  return { clv, rfm, reap, xsell };
}

export function AccountValue({ id, currency }) {
  const r = useFetch((signal) => load(id, signal), [id]);
  // 404 not_customer: the account has no order by the as-of day
  if (r.error && r.error.status === 404) return html`<${Empty}>No orders yet: this account is not a customer, so it has no customer value.<//>`;
  if (r.error && (r.error.code === 'no_customers' || r.error.code === 'not_converged')) return html`<${Empty}>${r.error.message}.<//>`;
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} what="The customer value" />`;
  if (!r.data) return html`<${Loading} what="Loading the customer value" />`;
  const { clv: c, rfm, reap, xsell } = r.data;
  const money = (v) => fmt.money(v, currency);
  const row = (term, value, hint) => html`<div><dt>${term}</dt><dd>${value}${hint ? html`<span class="sub">${hint}</span>` : ''}</dd></div>`;
  const unfitted = noModel(c); // no model: predicted is the proxy from own history
  return html`
    ${unfitted && html`<p class="notice" role="status" data-warning="model_not_fitted">${noModelText(c)}</p>`}
    <dl class="details" aria-label="Customer value">
      ${row('Lifetime value', html`<strong>${money(c.value_lifetime)}</strong>`, c.proxy ? `to date plus a proxy from its own history: ${c.proxy_reason}` : 'to date plus predicted')}
      ${row('Customer since', fmt.date(c.first_order), 'the first order')}
      ${row('Value to date', money(c.value_to_date), `${c.value_kind === 'revenue' ? 'revenue (no margin is known)' : 'margin'} of ${fmt.number(c.orders)} orders`)}
      ${row('Last 12 months', money(c.value_current))}
      ${row(`Next ${HORIZON_MONTHS} months`, money(c.value_predicted), c.proxy ? 'its net value to date as a yearly rate, discounted' : `about ${fmt.decimal(c.expected_orders)} orders, discounted`)}
      ${!unfitted && row('Still active', fmt.percent(c.p_alive), 'P(alive), BG/NBD')}
      ${row('Cost to serve', money(c.cost_to_serve), 'interaction cost to date')}
      ${row('Profit', money(c.profit), 'value to date minus cost to serve')}
      ${row('RFM segment', fmt.label(rfm.segment), `recency ${rfm.r}, frequency ${rfm.f}, monetary ${rfm.m} (of 5)`)}
      ${row('Lever', LEVER_TEXT[reap.lever] || fmt.label(reap.lever), reap.reason)}
      ${reap.low_value && row('Low value', fmt.label(reap.low_value.rule), `${reap.low_value.why}. ${reap.low_value.treatment}.`)}
    </dl>
    <h3 class="offers-title">Offers</h3>
    ${xsell.offers.length === 0 ? html`<p class="hint">No product is bought often enough with this customer's to suggest one.</p>` : html`
      <ul class="plain" aria-label="Offers for this customer">${xsell.offers.map((o) => html`
        <li><strong>${o.product.name}</strong> <span class="badge muted">${fmt.label(o.kind)}</span>
          ${o.rule && html`<span class="sub">bought by ${fmt.percent(o.rule.confidence)} of those who bought ${products(o.rule.if)} (lift ${fmt.decimal(o.rule.lift)})</span>`}</li>`)}
      </ul>`}`;
}
