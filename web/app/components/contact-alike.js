// contact-alike.js - "someone like me" on the contact page (docs/voice.md, "Someone like me"):
// the contacts most like this one among those the user may read, each with how similar it is,
// how its relationship went (RV trend over the last two 180-day windows, churn) and what it
// bought next, and the products their next purchases recommend, as GET /api/v1/voice/alike
// computes them (the same answer as `kith voice alike --contact ID --json`).
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Loading, ErrorState, Empty } from './states.js';

const K = 5;
const TREND = { up: 'RV up', down: 'RV down', flat: 'RV flat' };

function Neighbour({ n }) {
  const next = n.bought_next || [];
  return html`
    <li class="alike" data-testid="alike-neighbour" data-id=${n.id}>
      <div class="alike-head">
        <a href=${`/contacts/${n.id}`}>${n.name || `Contact #${n.id}`}</a>
        <span class="badge" title="Similarity: attributes, purchases, spend and stated intent (docs/voice.md)">${fmt.percent(n.similarity)} alike</span>
      </div>
      <div class="tl-meta">
        <span class=${`trend ${n.relationship.trend}`} title=${`RV ${fmt.rv(n.relationship.rv_recent)} in the last 180 days, ${fmt.rv(n.relationship.rv_before)} the 180 before`}>${TREND[n.relationship.trend]}</span>${n.relationship.churned ? html`${' · '}<strong>churned</strong>` : ''}${` · ${fmt.number(n.shared_products)} product${n.shared_products === 1 ? '' : 's'} in common`}
      </div>
      <div class="tl-meta" data-testid="alike-next">${next.length
        ? html`Bought next: ${next.map((p, i) => html`${i ? ', ' : ''}<span title=${`${p.sku}, ${fmt.date(p.at)}`}>${p.name}</span>`)}`
        : 'Bought nothing this contact lacks'}</div>
    </li>`;
}

export function ContactAlike({ contactId }) {
  const r = useFetch((signal) => api.get('/api/v1/voice/alike', { contact: contactId, k: K }, { signal }), [contactId]);
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} what="Customers like this one" />`;
  if (!r.data) return html`<${Loading} what="Finding customers like this one" />`;
  const d = r.data;
  if (d.neighbours.length === 0) return html`<${Empty}>No other contact to compare with.<//>`;
  return html`
    <div data-testid="alike">
      <ol class="alike-list" aria-label="Most alike first">
        ${d.neighbours.map((n) => html`<${Neighbour} key=${n.id} n=${n} />`)}
      </ol>
      <p class="hint" data-testid="alike-recommended">${d.recommended.length
        ? html`Their next purchases suggest: ${d.recommended.map((p, i) => html`${i ? ', ' : ''}<strong>${p.name}</strong>`)}.`
        : 'Their purchases suggest nothing this contact lacks.'}</p>
    </div>`;
}
