// moments.js - the moments of truth (docs/voice.md, "Moments of truth"): the interaction types
// and touchpoints whose first occurrence most changes a contact's later RV, NPS or churn,
// against matched contacts without it. One row per candidate tested, the moments first, each
// with its effect and 95% interval drawn on one shared scale beside a zero line (a forest plot),
// so an interval that excludes zero is seen at a glance.
//
//   GET /api/v1/voice/moments?outcome=rv|nps|churn
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { IntervalBar, scale } from '../components/interval.js';

const OUTCOMES = [
  ['rv', 'RV gained'],
  ['churn', 'Churn (notice given)'],
  ['nps', 'NPS of the answers'],
];

// The effect in the outcome's unit: RV units, NPS points, churn as percentage points.
export function effectText(outcome, v) {
  if (v === null || v === undefined) return '–';
  const x = outcome === 'churn' ? v * 100 : v;
  const s = fmt.decimal(Math.abs(x), 1);
  const sign = x > 0 ? '+' : x < 0 ? '−' : '';
  return `${sign}${s}${outcome === 'churn' ? ' pt' : ''}`;
}

// A mean outcome: a churn rate as a percentage, else RV units or NPS points.
function meanText(outcome, v) {
  return outcome === 'churn' ? fmt.percent(v) : fmt.decimal(v, 1);
}

// The common scale of the drawn intervals: every shown interval and zero fit.
export function scaleOf(rows) {
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    lo = Math.min(lo, r.interval_low);
    hi = Math.max(hi, r.interval_high);
  }
  return scale(lo, hi);
}

function Table({ body }) {
  const rows = body.effects.filter((e) => e.tested && !e.suppressed);
  if (!rows.length) return html`<${Empty}>No candidate has enough first occurrences to be tested.<//>`;
  const x = scaleOf(rows);
  return html`
    <div class="table-wrap">
      <table class="data" data-testid="moments-table">
        <thead><tr>
          <th>Candidate</th><th>Kind</th><th class="num">First occurrences</th><th class="num">Matched</th>
          <th class="num">Mean after</th><th class="num">Controls' mean</th>
          <th class="num">Effect</th><th>95% interval</th><th>Drawn (0 marked)</th><th class="num">q</th><th>Moment</th>
        </tr></thead>
        <tbody>${rows.map((e) => html`
          <tr data-code=${e.code} data-kind=${e.kind} class=${e.moment ? 'moment' : ''}>
            <th>${e.kind === 'type' ? html`${e.name}<span class="sub">${e.code}</span>` : e.name}</th>
            <td>${e.kind === 'type' ? 'Interaction type' : 'Touchpoint'}</td>
            <td class="num">${fmt.number(e.treated)}</td>
            <td class="num">${fmt.number(e.matched)}</td>
            <td class="num">${meanText(body.outcome, e.mean_treated)}</td>
            <td class="num">${meanText(body.outcome, e.mean_controls)}</td>
            <td class="num" data-col="effect">${effectText(body.outcome, e.effect)}</td>
            <td data-col="interval">${effectText(body.outcome, e.interval_low)} to ${effectText(body.outcome, e.interval_high)}</td>
            <td><${IntervalBar} x=${x} low=${e.interval_low} high=${e.interval_high} value=${e.effect}
              label=${`effect ${e.effect}, 95% interval ${e.interval_low} to ${e.interval_high}`} /></td>
            <td class="num">${fmt.decimal(e.q, 4)}</td>
            <td>${e.moment ? html`<span class="badge moment">moment</span>` : ''}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}

export default function Moments() {
  const [outcome, setOutcome] = useState('rv');
  const res = useFetch((signal) => api.get('/api/v1/voice/moments', { outcome }, { signal }), [outcome]);
  const outcomeId = useId();
  const b = res.data;
  return html`
    <${Page} title="Moments of truth" wide subtitle="The interaction types and touchpoints whose first occurrence most changes what happens next, each against matched contacts without it.">
      <${Section} title="What changes after each moment" id="moments-title" actions=${html`
        <div class="field inline">
          <label for=${outcomeId}>Outcome</label>
          <select id=${outcomeId} value=${outcome} onChange=${(e) => setOutcome(e.target.value)}>
            ${OUTCOMES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          </select>
        </div>`}>
        ${res.error ? html`<${ErrorState} error=${res.error} onRetry=${res.reload} />`
          : !b ? html`<${Loading} what="Estimating the moments" />`
            : html`
              <p class="hint" data-testid="moments-summary">${fmt.number(b.study.moments)} moments among ${fmt.number(b.study.tested)} candidates tested (${fmt.number(b.study.candidates)} in all; fewer than ${fmt.number(b.min_treated)} matched first occurrences are not tested), over ${fmt.number(b.study.contacts)} contacts and ${fmt.number(b.study.periods)} periods of ${b.period_days} days; the outcome over the ${b.window_days} days after each. A moment's false discovery rate is at most ${fmt.percent(b.alpha)} (Benjamini–Hochberg).</p>
              <div aria-busy=${res.loading ? 'true' : 'false'}><${Table} body=${b} /></div>`}
      <//>
    <//>`;
}
