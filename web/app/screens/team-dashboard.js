// team-dashboard.js - PLANNED (routes.js keeps it hidden): the manager's view of their team's
// Relationship Value: the norm by team, the exceptions as they arrive (server-sent events) and
// the rep scorecards. It waits for the RV API; the adapters below turn its answers into the
// shapes the components take (docs/web.md, "Chart data") and are the one place to adjust when
// the real answers differ.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState } from '../components/states.js';
import { NormGroupsChart } from '../charts/norm-groups.js';
import { useEventSource, ExceptionFeed, Scorecards } from '../components/live.js';

// GET /api/v1/rv/norm?by=team -> {"title", "groups": [{label, n, p10, p25, p50, p75, p90, own}]}
const adaptNorm = (answer) => answer;
// GET /api/v1/rv/scorecards -> {"items": [{user_id, name, rv, cost, rv_per_cost, ...}]}
const adaptScorecards = (answer) => answer.items;

export default function TeamDashboard() {
  const norm = useFetch((signal) => api.get('/api/v1/rv/norm', { by: 'team' }, { signal }).then(adaptNorm), []);
  const cards = useFetch((signal) => api.get('/api/v1/rv/scorecards', {}, { signal }).then(adaptScorecards), []);
  const live = useEventSource('/api/v1/rv/stream', 'exception');
  const body = (r, draw) => (r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />` : r.data ? draw(r.data) : html`<${Loading} />`);
  return html`
    <${Page} title="Team dashboard" wide>
      <div class="columns">
        <div class="col-main">
          <${Section} title="RV norm by team" id="norm-title">${body(norm, (d) => html`<${NormGroupsChart} data=${d} />`)}<//>
          <${Section} title="Rep scorecards" id="cards-title">${body(cards, (d) => html`<${Scorecards} reps=${d} />`)}<//>
        </div>
        <div class="col-side">
          <${Section} title="Exceptions, live" id="live-title"><${ExceptionFeed} items=${live.items} status=${live.status} /><//>
        </div>
      </div>
    <//>`;
}
