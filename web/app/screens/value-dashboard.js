// value-dashboard.js - PLANNED (routes.js keeps it hidden): customer value (DESIGN.md §6): how value
// is spread over customers (Lorenz curve, Gini, deciles). Waits for the value API, whose answers
// follow src/io/value_json.h (the same JSON as `kith value --json`).
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState } from '../components/states.js';
import { ValueDistribution } from '../charts/value-dist.js';

// GET /api/v1/value/distribution -> value_json_dist(): {customers, total, mean, gini, top20_share, deciles, lorenz}
const adaptDistribution = (answer) => answer;

export default function ValueDashboard() {
  const r = useFetch((signal) => api.get('/api/v1/value/distribution', {}, { signal }).then(adaptDistribution), []);
  return html`
    <${Page} title="Customer value" wide>
      <${Section} title="How value is spread" id="dist-title">
        ${r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`
          : r.data ? html`
              <p>${fmt.number(r.data.customers)} customers, ${fmt.money(r.data.total)} in all, ${fmt.money(r.data.mean)} on average.</p>
              <${ValueDistribution} data=${r.data} />`
            : html`<${Loading} />`}
      <//>
    <//>`;
}
