// dosay.js - do vs say on the manager's dashboard (docs/voice.md, "Do vs say"): per segment of
// the manager's contacts, what they said (latest NPS, stated intents and how many were met) beside
// what their relationships did since (sales, churn, RV added), segments of fewer contacts than k
// suppressed; then the exceptions to act on: the contacts whose answers (shared with staff by
// their opt-in) and behaviour disagree.
//
//   GET /api/v1/voice/dosay?segment=&limit=50
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Loading, ErrorState, Empty } from './states.js';

export const RULE_TEXT = {
  promoter_falling: 'Promoter whose RV fell since',
  promoter_churned: 'Promoter who churned since',
  detractor_buying: 'Detractor who keeps buying',
  intent_unmet: 'Planned to buy, no such sale in time',
};
const SEGMENTS = [['unit', 'Unit'], ['team', 'Team'], ['rep', 'Rep'], ['industry', 'Industry'], ['territory', 'Territory'],
  ['source', 'Source'], ['revenue_band', 'Revenue band'], ['community', 'Community role'], ['all', 'All together']];

const n = (v) => (v === null || v === undefined ? '–' : fmt.number(v));
const score = (v) => (v === null || v === undefined ? '–' : fmt.decimal(v, 0));

function said(d) {
  if (d.rule === 'intent_unmet') return `“${d.said.intent}” (${d.said.horizon_months} months, due ${fmt.date(d.said.due)})`;
  return `NPS ${d.said.nps} on ${fmt.date(d.said.answered_at)}`;
}

function did(d) {
  const parts = [`RV ${fmt.rv(d.did.rv)}`, `${fmt.number(d.did.sales)} ${d.did.sales === 1 ? 'sale' : 'sales'}`];
  if (d.did.churned_at) parts.push(`churned ${fmt.date(d.did.churned_at)}`);
  return parts.join(' · ');
}

export function DoSay() {
  const [segment, setSegment] = useState('unit');
  const q = useFetch((signal) => api.get('/api/v1/voice/dosay', { segment, limit: 50 }, { signal }), [segment]);
  const id = useId();
  const d = q.data;
  return html`
    <div class="dosay">
      <div class="chart-controls">
        <div class="field inline">
          <label for=${id}>Segment</label>
          <select id=${id} value=${segment} onChange=${(e) => setSegment(e.target.value)}>
            ${SEGMENTS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          </select>
        </div>
      </div>
      ${q.error ? html`<${ErrorState} error=${q.error} onRetry=${q.reload} />`
        : !d ? html`<${Loading} what="Comparing what customers say with what they do" />`
          : html`<div aria-busy=${q.loading ? 'true' : 'false'}>
            <div class="table-wrap">
              <table class="data" data-testid="dosay-segments">
                <thead><tr><th>Segment</th><th class="num">Contacts</th><th class="num">NPS</th><th class="num">Intents met / due</th>
                  <th class="num">Buying since</th><th class="num">Churned since</th><th class="num">RV since</th><th class="num">Disagreements</th></tr></thead>
                <tbody>${[...d.segments, { ...d.total, key: { name: 'Total' } }].map((s) => html`
                  <tr data-segment=${s.key.name}>
                    <th>${s.key.name}</th>
                    ${s.suppressed ? html`<td colspan="7" class="sub">fewer than ${fmt.number(d.privacy.k)} contacts: not shown</td>`
                      : html`<td class="num">${n(s.contacts)}</td><td class="num">${score(s.nps.score)}</td>
                        <td class="num">${n(s.intents.met)} / ${n(s.intents.due)}</td><td class="num">${n(s.behaviour.buying)}</td>
                        <td class="num">${n(s.behaviour.churned)}</td><td class="num">${s.behaviour.rv === null ? '–' : fmt.rv(s.behaviour.rv)}</td>
                        <td class="num">${n(s.disagreements.total)}</td>`}
                  </tr>`)}
                </tbody>
              </table>
            </div>
            <h3>Exceptions to act on</h3>
            <p class="hint">Only contacts whose survey opt-in shares their answers with staff are listed; the others count in the segments above. ${fmt.number(d.listed)} listed${d.truncated ? `, the first ${fmt.number(d.disagreements.length)} below` : ''}.</p>
            ${d.disagreements.length === 0 ? html`<${Empty}>What your contacts say and what they do agree.<//>`
              : html`<div class="table-wrap">
                <table class="data" data-testid="dosay-exceptions">
                  <thead><tr><th>Contact</th><th>Disagreement</th><th>Said</th><th>Did since</th><th>Segment</th></tr></thead>
                  <tbody>${d.disagreements.map((x) => html`
                    <tr data-rule=${x.rule} data-contact=${x.contact_id}>
                      <th><a href=${`/contacts/${x.contact_id}`}>${x.contact || `Contact #${x.contact_id}`}</a></th>
                      <td>${RULE_TEXT[x.rule]}</td><td>${said(x)}</td><td>${did(x)}</td><td>${x.segment}</td>
                    </tr>`)}
                  </tbody>
                </table>
              </div>`}
          </div>`}
    </div>`;
}
