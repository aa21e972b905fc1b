// units-dashboard.js - the executive's (and a partner's) confidential comparison of units and
// partners by the depth of their relationships (DESIGN.md §4): RV distributions per unit and
// stage only, never a contact or an interaction. Groups smaller than k are suppressed and shown as
// such; with noise on, the figures carry Laplace noise of the stated epsilon. Whoever does not see
// every contact (a partner, a business unit's people) sees their own unit exactly beside the others.
//
//   GET /api/v1/rv/units?k=&epsilon=  {k, epsilon, epsilon_per_statistic, threshold, clip, mechanisms,
//                                      cells: [{unit: {field, value, id}, stage, own, suppressed, noised,
//                                               n, mean, p10, p25, p50, p75, p90}]}
import { html, useMemo, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { NormGroupsChart } from '../charts/norm-groups.js';
import { loadECharts } from '../charts/chart.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

const STAGES = ['all', 'acquisition', 'closing', 'retention'];
const NOISE = [
  { value: '', label: 'None: exact figures, small groups suppressed' },
  { value: '1', label: 'Laplace noise, ε = 1' },
  { value: '0.5', label: 'Laplace noise, ε = 0.5 (more noise)' },
];

export const unitLabel = (u) => (u.value === null || u.value === undefined ? 'No unit' : u.value);

// The units in the answer's order, own unit first.
function units(answer) {
  const seen = new Map();
  for (const c of answer.cells) if (!seen.has(unitLabel(c.unit))) seen.set(unitLabel(c.unit), c.own);
  return [...seen.entries()].sort((a, b) => Number(b[1]) - Number(a[1])).map(([label]) => label);
}

export function adaptUnits(answer, stage) {
  const order = units(answer);
  const cells = answer.cells.filter((c) => c.stage === stage);
  return {
    title: `Cumulative RV today${stage === 'all' ? '' : `, ${stage} stage`}`,
    suppressedText: `suppressed: fewer than ${answer.k} contacts`,
    groups: order.map((label) => cells.find((c) => unitLabel(c.unit) === label)).filter(Boolean)
      .map((c) => ({ ...c, label: unitLabel(c.unit) })),
  };
}

export default function UnitsDashboard() {
  const [stage, setStage] = useState('all');
  const [noise, setNoise] = useState('');
  const r = useFetch((signal) => api.get('/api/v1/rv/units', { epsilon: noise || undefined }, { signal }), [noise]);
  const stageId = useId();
  const noiseId = useId();
  const data = useMemo(() => (r.data ? adaptUnits(r.data, stage) : null), [r.data, stage]);
  return html`
    <${Page} title="Unit comparison" wide subtitle="Distributions of Relationship Value only: no contact or interaction leaves its unit.">
      <${Section} title="RV by unit" id="units-title">
        <div class="chart-controls">
          <div class="field inline">
            <label for=${stageId}>Stage</label>
            <select id=${stageId} value=${stage} onChange=${(e) => setStage(e.target.value)}>
              ${STAGES.map((s) => html`<option value=${s}>${s === 'all' ? 'All stages' : fmt.label(s)}</option>`)}
            </select>
          </div>
          <div class="field inline">
            <label for=${noiseId}>Noise</label>
            <select id=${noiseId} value=${noise} onChange=${(e) => setNoise(e.target.value)}>
              ${NOISE.map((n) => html`<option value=${n.value}>${n.label}</option>`)}
            </select>
          </div>
        </div>
        ${r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`
          : !data ? html`<${Loading} what="Loading the comparison" />`
            : data.groups.length === 0 ? html`<${Empty}>No unit has contacts with a Relationship Value yet.<//>`
              : html`
                <div aria-busy=${r.loading ? 'true' : 'false'}>
                  <${NormGroupsChart} data=${data} label=${`${data.title} by unit: p10, p25, median, p75 and p90; suppressed units are named but not drawn`} />
                  <p class="hint">${privacyNote(r.data)}</p>
                </div>`}
      <//>
      ${r.data && html`
        <${Section} title="Median RV by unit and stage" id="grid-title">
          <${UnitGrid} answer=${r.data} />
        <//>`}
    <//>`;
}

function privacyNote(a) {
  const parts = [`Units with fewer than ${fmt.number(a.k)} contacts are suppressed.`];
  if (a.epsilon > 0) parts.push(`Figures of other units carry Laplace noise (ε = ${fmt.decimal(a.epsilon, 2)} in all, ${fmt.decimal(a.epsilon_per_statistic, 3)} per figure; RV clipped to ${fmt.number(a.clip[0])}…${fmt.number(a.clip[1])}).`);
  else parts.push('Figures are exact.');
  if (a.cells.some((c) => c.own)) parts.push('Your own unit is always shown exactly.');
  return parts.join(' ');
}

function UnitGrid({ answer }) {
  const order = units(answer);
  const at = (label, stage) => answer.cells.find((c) => unitLabel(c.unit) === label && c.stage === stage);
  return html`
    <div class="table-wrap">
      <table class="data unit-grid">
        <caption class="visually-hidden">Median cumulative RV and number of contacts by unit and stage</caption>
        <thead><tr><th scope="col">Unit</th>${STAGES.map((s) => html`<th scope="col" class="num">${s === 'all' ? 'All stages' : fmt.label(s)}</th>`)}</tr></thead>
        <tbody>${order.map((label) => {
          const own = at(label, 'all') && at(label, 'all').own;
          return html`
            <tr class=${own ? 'own' : ''}>
              <th scope="row">${label}${own ? html` <span class="badge own">yours</span>` : ''}</th>
              ${STAGES.map((s) => {
                const c = at(label, s);
                if (!c) return html`<td class="num">–</td>`;
                if (c.suppressed) return html`<td class="num suppressed"><span class="badge muted">suppressed</span></td>`;
                return html`<td class="num">${c.noised ? html`<abbr title="noised: Laplace noise added" class="noised">≈ </abbr>` : ''}${fmt.decimal(c.p50)}
                  <span class="sub">n ${fmt.number(Math.round(c.n))}</span></td>`;
              })}
            </tr>`;
        })}
        </tbody>
      </table>
    </div>`;
}
