// v2t2-dashboard.js - the manager's V2T2 dashboard (docs/v2t2.md): where the relationships the
// caller may read are out of tune, as a heatmap of discord by lifecycle phase x channel agent,
// the most out-of-tune relationships with their recommendation, and the trend of the mean
// discord quarter by quarter.
//
//   GET /api/v1/v2t2/discord?phase=&limit=20          heatmap and top relationships
//   GET /api/v1/v2t2/discord?from=&to=&limit=1        one per quarter, for the trend
import { html, useMemo, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { Chart, loadECharts } from '../charts/chart.js';
import { heatmapOption, trendOption, PHASES, AGENTS, AGENT_LABELS } from '../charts/v2t2-frame.js';

loadECharts();

const QUARTERS = 8;
const dec = (v, d = 3) => (v === null || v === undefined ? '–' : Number(v).toLocaleString(undefined, { maximumFractionDigits: d }));

// The last QUARTERS calendar quarters up to now, oldest first: [{label, from, to}].
export function quarters(now = new Date()) {
  const out = [];
  let y = now.getUTCFullYear();
  let q = Math.floor(now.getUTCMonth() / 3);
  for (let i = 0; i < QUARTERS; i++) {
    const from = new Date(Date.UTC(y, q * 3, 1));
    const to = new Date(Date.UTC(q === 3 ? y + 1 : y, q === 3 ? 0 : q * 3 + 3, 1));
    out.unshift({ label: `${y} Q${q + 1}`, from: from.toISOString(), to: to.toISOString() });
    if (--q < 0) { q = 3; y--; }
  }
  return out;
}

async function loadTrend(signal) {
  const qs = quarters();
  const answers = await Promise.all(qs.map((q) => api.get('/api/v1/v2t2/discord', { from: q.from, to: q.to, limit: 1 }, { signal })));
  return qs.map((q, i) => ({ label: q.label, discord: answers[i].placed ? answers[i].mean_discord : null, placed: answers[i].placed }));
}

function HeatTable({ list }) {
  const cell = (ph, a) => list.heatmap.find((c) => c.phase === ph && c.agent === a);
  return html`
    <details class="chart-table">
      <summary>The numbers</summary>
      <table class="data" data-testid="v2t2-heat">
        <thead><tr><th>Phase</th>${AGENTS.map((a) => html`<th class="num">${AGENT_LABELS[a]}</th>`)}</tr></thead>
        <tbody>${PHASES.map((ph) => html`
          <tr><th>${fmt.label(ph)}</th>${AGENTS.map((a) => {
            const c = cell(ph, a);
            return html`<td class="num" data-cell=${`${ph}:${a}`}>${c.relationships ? dec(c.discord) : '–'}<span class="sub">${fmt.number(c.relationships)} rel.</span></td>`;
          })}</tr>`)}
        </tbody>
      </table>
    </details>`;
}

function Top({ list }) {
  if (!list.top.length) return html`<${Empty}>Every relationship is in tune.<//>`;
  return html`
    <div class="table-wrap">
      <table class="data" data-testid="v2t2-top">
        <thead><tr><th>Relationship</th><th>Zone</th><th class="num">Discord</th><th>Where</th><th>Recommendation</th></tr></thead>
        <tbody>${list.top.map((t) => html`
          <tr>
            <th>${t.relationship.kind === 'account'
              ? html`<a href=${`/accounts/${t.relationship.id}`}>${t.relationship.name || `Account ${t.relationship.id}`}</a>`
              : html`<a href=${`/contacts/${t.relationship.id}`}>${t.relationship.name || `Contact ${t.relationship.id}`}</a>`}</th>
            <td>${t.zone}</td>
            <td class="num">${dec(t.discord)}</td>
            <td>${t.worst ? `${AGENT_LABELS[t.worst.agent]}, ${t.worst.phase}` : '–'}</td>
            <td>${t.worst ? t.worst.recommendation : '–'}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}

export default function V2T2Dashboard() {
  const [phase, setPhase] = useState('all');
  const list = useFetch((signal) => api.get('/api/v1/v2t2/discord', { phase, limit: 20 }, { signal }), [phase]);
  const trend = useFetch((signal) => loadTrend(signal), []);
  const heat = useMemo(() => (list.data ? heatmapOption(list.data) : null), [list.data]);
  const line = useMemo(() => (trend.data ? trendOption(trend.data) : null), [trend.data]);
  const phaseId = useId();
  const d = list.data;
  return html`
    <${Page} title="V2T2 discord" wide subtitle="Where the touch and tech your relationships get are out of tune with what their customers' zones expect (the Knowledge Frame).">
      ${list.error ? html`<${ErrorState} error=${list.error} onRetry=${list.reload} />`
        : !d ? html`<${Loading} what="Loading the discord" />`
          : html`
            <${Section} title="Discord by phase and channel agent" id="v2t2-heat-title">
              <p class="hint" data-testid="v2t2-totals">${fmt.number(d.placed)} of ${fmt.number(d.relationships)} relationships placed (the others have no orders); mean discord <strong>${dec(d.mean_discord)}</strong>.</p>
              <${Chart} option=${heat} label="Heatmap of the mean discord of each lifecycle phase and channel agent" caption="Mean discord: 0 is in tune" />
              <${HeatTable} list=${d} />
            <//>
            <${Section} title="Most out of tune" id="v2t2-top-title" actions=${html`
              <div class="field inline">
                <label for=${phaseId}>Phase</label>
                <select id=${phaseId} value=${phase} onChange=${(e) => setPhase(e.target.value)}>
                  ${['all', ...PHASES].map((p) => html`<option value=${p}>${p === 'all' ? 'All phases' : fmt.label(p)}</option>`)}
                </select>
              </div>`}>
              <div aria-busy=${list.loading ? 'true' : 'false'}><${Top} list=${d} /></div>
            <//>`}
      <${Section} title="Trend" id="v2t2-trend-title">
        ${trend.error ? html`<${ErrorState} error=${trend.error} onRetry=${trend.reload} />`
          : !line ? html`<${Loading} what="Loading the trend" />`
            : html`<${Chart} option=${line} label="Mean discord per quarter over the interactions of that quarter" caption="Mean discord per quarter (interactions of the quarter; zones from the orders before its end)" />
              <p class="hint" data-testid="v2t2-trend">${trend.data.filter((p) => p.discord !== null).length} of ${trend.data.length} quarters have placed relationships.</p>`}
      <//>
    <//>`;
}
