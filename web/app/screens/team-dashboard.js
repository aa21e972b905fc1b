// team-dashboard.js - the manager's view of their team's Relationship Value (DESIGN.md §4): the
// norm by team at a relationship age the manager picks, the exceptions as they happen (the
// current ones, then the live stream) and the rep scorecards, sortable by RV per cost.
//
//   GET /api/v1/rv/norm?by=team&every=13   norm rows every 13 weeks of relationship age (weekly
//                                          when every contact is younger than that)
//   GET /api/v1/rv/exceptions?by=team      the current exceptions (seed of the live list)
//   GET /api/v1/rv/stream                  server-sent events "exception"
//   GET /api/v1/rv/reps?from=              rep scorecards
//   GET /api/v1/voice/dosay?segment=       do vs say: what contacts said beside what they did,
//                                          and the exceptions (components/dosay.js)
//
// Everything is computed by the API over the contacts the caller may read.
import { html, useMemo, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { NormGroupsChart } from '../charts/norm-groups.js';
import { loadECharts } from '../charts/chart.js';
import { useExceptions, ExceptionFeed, Scorecards } from '../components/live.js';
import { DoSay } from '../components/dosay.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

const EVERY_WEEKS = 13; // norm rows are 7-day buckets; one row in 13 is a quarter of a year
const DEFAULT_AGE = 364; // 52 weeks

// GET /api/v1/rv/norm -> the ages it has rows for, and the NormGroupsChart data at one of them.
export function normAges(answer) {
  const ages = new Set();
  for (const g of answer.groups) for (const r of g.rows) if (r.age_days > 0 && r.p50 !== null) ages.add(r.age_days);
  return [...ages].sort((a, b) => a - b);
}

const ageText = (days) => (days % 7 === 0 ? `${fmt.number(days / 7)} week${days === 7 ? '' : 's'}` : `${fmt.number(days)} days`);

export function adaptNorm(answer, age, ownTeamId) {
  return {
    title: `Cumulative RV at ${ageText(age)}`,
    groups: answer.groups.map((g) => {
      const row = g.rows.find((r) => r.age_days === age);
      const label = g.key.value === null ? 'No team' : g.key.value;
      if (!row || row.p50 === null) return { label, n: row ? row.n : 0, suppressed: true };
      return { label, n: row.n, p10: row.p10, p25: row.p25, p50: row.p50, p75: row.p75, p90: row.p90, own: ownTeamId !== null && g.key.id === ownTeamId };
    }),
  };
}

// Quarterly rows keep the answer small (about 10 kB on the demo data); when every contact is
// younger than a quarter there is only the first week's row, and the weekly rows are asked for.
async function loadNorm(signal) {
  const quarterly = await api.get('/api/v1/rv/norm', { by: 'team', every: EVERY_WEEKS }, { signal });
  if (quarterly.groups.length === 0 || normAges(quarterly).length > 0) return quarterly;
  return api.get('/api/v1/rv/norm', { by: 'team' }, { signal });
}

const PERIODS = [
  { value: '', label: 'All time' },
  { value: '365', label: 'Last 12 months' },
  { value: '90', label: 'Last 90 days' },
];

function since(days) {
  if (!days) return undefined;
  const d = new Date(Date.now() - Number(days) * 86400000);
  return d.toISOString();
}

export default function TeamDashboard({ user }) {
  const norm = useFetch((signal) => loadNorm(signal), []);
  const [period, setPeriod] = useState('');
  const cards = useFetch((signal) => api.get('/api/v1/rv/reps', { from: since(period) }, { signal }), [period]);
  const feed = useExceptions({ by: 'team', limit: 50 });
  const periodId = useId();
  return html`
    <${Page} title="Team dashboard" wide subtitle="Relationship Value of your team's contacts: the norm, the exceptions as they happen, and what each rep creates per unit of cost.">
      <div class="columns">
        <div class="col-main">
          <${Section} title="RV norm by team" id="norm-title">
            ${norm.error ? html`<${ErrorState} error=${norm.error} onRetry=${norm.reload} />`
              : norm.data ? html`<${NormByTeam} answer=${norm.data} ownTeamId=${user.team_id ?? null} />`
                : html`<${Loading} what="Loading the norm" />`}
          <//>
        </div>
        <div class="col-side">
          <${Section} title="Exceptions, live" id="live-title">
            <p class="hint">Contacts below p10 or above p90 of their team's norm at their age, the most extreme first. New ones appear at the top as interactions are logged, by anyone.</p>
            <${ExceptionFeed} feed=${feed} />
          <//>
        </div>
      </div>
      <${Section} title="Rep scorecards" id="cards-title" actions=${html`
        <div class="field inline">
          <label for=${periodId}>Period</label>
          <select id=${periodId} value=${period} onChange=${(e) => setPeriod(e.target.value)}>
            ${PERIODS.map((p) => html`<option value=${p.value}>${p.label}</option>`)}
          </select>
        </div>`}>
        ${cards.error ? html`<${ErrorState} error=${cards.error} onRetry=${cards.reload} />`
          : cards.data ? html`<div aria-busy=${cards.loading ? 'true' : 'false'}><${Scorecards} reps=${cards.data.reps}
              showTeam=${new Set(cards.data.reps.map((r) => r.team && r.team.id)).size > 1} /></div>
              <p class="hint">RV per cost: RV units created per unit of interaction cost. Place in team: the rep's percentile among the reps of their team by RV per cost (100: the best).</p>`
            : html`<${Loading} what="Loading the scorecards" />`}
      <//>
      <${Section} title="Do vs say" id="dosay-title">
        <p class="hint">What your contacts said in surveys (their latest NPS, the purchases they planned) beside what their relationships did since. Rules: docs/voice.md.</p>
        <${DoSay} />
      <//>
    <//>`;
}

function NormByTeam({ answer, ownTeamId }) {
  const ages = useMemo(() => normAges(answer), [answer]);
  const [age, setAge] = useState(null);
  const id = useId();
  const chosen = age ?? (ages.includes(DEFAULT_AGE) ? DEFAULT_AGE : ages[ages.length - 1]);
  const data = useMemo(() => (chosen === undefined ? null : adaptNorm(answer, chosen, ownTeamId)), [answer, chosen, ownTeamId]);
  if (!data || answer.groups.length === 0) return html`<${Empty}>No contact has a Relationship Value yet.<//>`;
  return html`
    <div class="chart-controls">
      <div class="field inline">
        <label for=${id}>At relationship age</label>
        <select id=${id} value=${String(chosen)} onChange=${(e) => setAge(Number(e.target.value))}>
          ${ages.map((a) => html`<option value=${String(a)}>${ageText(a)}</option>`)}
        </select>
      </div>
      <p class="hint">Each box: the middle half of the team's contacts (p25 to p75), the line inside is the median, whiskers reach p10 and p90. Age: days since a contact's first interaction.</p>
    </div>
    <${NormGroupsChart} data=${data} label=${`${data.title} by team: p10, p25, median, p75 and p90 of each team`} />`;
}
