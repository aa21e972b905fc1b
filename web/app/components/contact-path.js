// contact-path.js - a contact's own digital path (docs/voice.md, "Digital paths") on its page:
// the channels (or interaction types) of its counted interactions from the first touch to its
// first purchase, churn or service outcome, repeats in a row shown as one step with their count.
//
//   GET /api/v1/voice/paths?contact={id}&outcome=&step=
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Loading, ErrorState, Empty } from './states.js';
import { outcomeLabel } from '../charts/paths-sankey.js';

export function ContactPath({ contactId, tick }) {
  const [outcome, setOutcome] = useState('purchase');
  const [step, setStep] = useState('channel');
  const q = useFetch((signal) => api.get('/api/v1/voice/paths', { contact: contactId, outcome, step }, { signal }),
    [contactId, outcome, step, tick]);
  const ids = { outcome: useId(), step: useId() };
  const c = q.data && q.data.contact;
  const word = outcomeLabel(outcome).toLowerCase();
  return html`
    <div class="contact-path">
      <div class="filters">
        <div class="field inline">
          <label for=${ids.outcome}>Path to</label>
          <select id=${ids.outcome} value=${outcome} onChange=${(e) => setOutcome(e.target.value)}>
            ${['purchase', 'churn', 'service'].map((o) => html`<option value=${o}>${outcomeLabel(o)}</option>`)}
          </select>
        </div>
        <div class="field inline">
          <label for=${ids.step}>Steps</label>
          <select id=${ids.step} value=${step} onChange=${(e) => setStep(e.target.value)}>
            <option value="channel">Channels</option>
            <option value="type">Interaction types</option>
          </select>
        </div>
      </div>
      ${q.error ? html`<${ErrorState} error=${q.error} onRetry=${q.reload} />`
        : !c ? html`<${Loading} what="Loading the path" />`
          : html`<div aria-busy=${q.loading ? 'true' : 'false'}>
            <p class="hint" data-testid="path-summary">${c.reached
              ? `Reached ${word} on ${fmt.date(c.outcome_at)}${c.days !== null ? `, ${fmt.decimal(c.days, 1)} days after the first touch` : ''}${c.steps.length ? '' : ', before any touch'}.`
              : `No ${word} yet${c.steps.length ? ': the path so far.' : '.'}`}</p>
            ${c.steps.length === 0 ? html`<${Empty}>No counted interaction ${c.reached ? `before the ${word}` : 'yet'}.<//>`
              : html`<ol class="path-steps" data-testid="path-steps" aria-label=${`Path to ${word}, first touch first`}>
                ${c.steps.map((s) => html`
                  <li data-step=${s.step}>
                    <strong>${s.step}</strong>${s.interactions > 1 ? html` <span class="sub">×${fmt.number(s.interactions)}</span>` : ''}
                    <span class="sub">${fmt.date(s.at)}${s.type && step === 'channel' ? ` · ${s.type.name}` : ''}</span>
                  </li>`)}
                ${c.reached && html`<li class="path-outcome" data-step="outcome"><strong>${outcomeLabel(outcome)}</strong><span class="sub">${fmt.date(c.outcome_at)}${c.outcome_type ? ` · ${c.outcome_type.name}` : ''}</span></li>`}
              </ol>`}
          </div>`}
    </div>`;
}
