// account-v2t2.js - an account's V2T2 Knowledge Frame on its page (docs/v2t2.md): where each
// point of view places the relationship (its latest order) on the Value x Volume plane
// (GET /api/v1/v2t2/zones?account=), and the tone delivered in each phase on the Touch x Tech
// plane beside the quadrant the customer's zone expects, with the discord and the advice per
// channel agent (GET /api/v1/v2t2/discord?account=). Either answer may be 404: an account
// without orders has no zone, one without interactions no tone.
import { html, useMemo } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Chart } from '../charts/chart.js';
import { zonesOption, tonesOption, AGENT_LABELS } from '../charts/v2t2-frame.js';
import { Loading, ErrorState, Empty } from './states.js';

const POVS = { customer: 'Customer', rep: 'Rep', manager: 'Manager', unit: 'Unit', enterprise: 'Enterprise' };
const dec = (v, d = 2) => (v === null || v === undefined ? '–' : Number(v).toLocaleString(undefined, { maximumFractionDigits: d }));

async function load(id, signal) {
  const soft = (p) => p.catch((e) => { if (e.status === 404) return null; throw e; });
  const [zones, rel] = await Promise.all([
    soft(api.get('/api/v1/v2t2/zones', { account: id }, { signal })),
    soft(api.get('/api/v1/v2t2/discord', { account: id }, { signal })),
  ]);
  return { zones, rel };
}

function ZonesTable({ zones }) {
  return html`
    <table class="data" data-testid="v2t2-zones">
      <caption class="visually-hidden">Where each point of view places the account's latest order</caption>
      <thead><tr><th>Point of view</th><th>Zone</th><th class="num">Value × baseline</th><th class="num">Per period</th></tr></thead>
      <tbody>${zones.places.map((p) => html`
        <tr data-pov=${p.pov}>
          <th>${POVS[p.pov]}<span class="sub">${p.party.name || ''}</span></th>
          <td>${p.suppressed ? 'suppressed' : `${p.zone}: ${p.value} value, ${p.volume} volume`}</td>
          <td class="num">${p.suppressed ? '–' : dec(p.value_ratio, 3)}</td>
          <td class="num">${p.suppressed ? '–' : dec(p.per_period, 3)}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

function Advice({ rel }) {
  const rows = [];
  for (const ph of rel.phases) {
    for (const a of ph.agents) if (a.interactions > 0 && a.discord > 0) rows.push({ ...a, phase: ph.phase, weight: a.interactions * a.discord });
  }
  rows.sort((x, y) => y.weight - x.weight);
  if (!rows.length) return html`<p class="hint" data-testid="v2t2-in-tune">Every channel agent is in tune with the ${rel.zone.zone} customer in every phase.</p>`;
  return html`
    <table class="data" data-testid="v2t2-advice">
      <thead><tr><th>Phase</th><th>Agent</th><th class="num">Interactions</th><th class="num">Discord</th><th>Recommendation</th></tr></thead>
      <tbody>${rows.slice(0, 6).map((r) => html`
        <tr><td>${fmt.label(r.phase)}</td><td>${AGENT_LABELS[r.agent]}</td><td class="num">${fmt.number(r.interactions)}</td>
          <td class="num">${dec(r.discord, 3)}</td><td>${r.recommendation}</td></tr>`)}
      </tbody>
    </table>`;
}

export function AccountV2T2({ id }) {
  const r = useFetch((signal) => load(id, signal), [id]);
  const zopt = useMemo(() => (r.data && r.data.zones ? zonesOption(r.data.zones) : null), [r.data]);
  const topt = useMemo(() => (r.data && r.data.rel ? tonesOption(r.data.rel) : null), [r.data]);
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} what="The Knowledge Frame" />`;
  if (!r.data) return html`<${Loading} what="Loading the Knowledge Frame" />`;
  const { zones, rel } = r.data;
  if (!zones && !rel) return html`<${Empty}>No orders and no interactions yet: nothing to place on the Knowledge Frame.<//>`;
  const zone = rel && rel.zone ? rel.zone.zone : zones && zones.places[0].zone;
  return html`
    <p class="hint" data-testid="v2t2-summary">${zone
      ? html`The customer sees this relationship in <strong>${zone}</strong> and expects <strong>${rel && rel.zone ? rel.zone.expects.tone : ''}</strong>${rel && rel.discord !== null ? html`; discord <strong>${dec(rel.discord, 3)}</strong>` : ''}.`
      : 'No orders yet: the customer\'s zone is unknown.'}</p>
    <div class="chart-pair">
      ${zopt ? html`<${Chart} option=${zopt} label="Value by volume: each point of view's zone for the account's latest order" caption="Value × Volume: where each party places it" />` : html`<${Empty}>No orders: no zones.<//>`}
      ${topt ? html`<${Chart} option=${topt} label="Touch by tech: the tone delivered in each phase; the shaded quadrant is the tone the customer's zone expects" caption="Touch × Tech: delivered per phase, expected shaded" />` : html`<${Empty}>No interactions: no tones.<//>`}
    </div>
    ${zones && html`<${ZonesTable} zones=${zones} />`}
    ${rel && rel.zone && html`<${Advice} rel=${rel} />`}`;
}
