// voice-dashboard.js - NPS and CSAT by channel (docs/voice.md): "is the brand promise kept across
// channels" - each channel's NPS and CSAT, with their 95% intervals drawn on a fixed scale,
// beside the RV of the channel's interactions among the same contacts; then NPS and CSAT by
// another grouping (touchpoint, type, unit, partner, product, survey, month, quarter). Groups of
// fewer contacts than the privacy policy's k are shown as suppressed, as the API answers them.
//
//   GET /api/v1/voice/promise            the channels beside their RV
//   GET /api/v1/voice/nps?by=            the other groupings
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { IntervalBar, scale } from '../components/interval.js';

const BYS = ['channel', 'touchpoint', 'type', 'unit', 'partner', 'product', 'survey', 'month', 'quarter'];
const npsScale = scale(-100, 100);
const csatScale = scale(0, 100);
const d1 = (v) => fmt.decimal(v, 1);

function NpsCell({ nps }) {
  if (!nps) return html`<td class="num">–</td><td></td>`;
  return html`
    <td class="num" data-col="nps">${d1(nps.score)}<span class="sub">${d1(nps.interval_low)} to ${d1(nps.interval_high)} · n ${fmt.number(nps.n)}</span></td>
    <td><${IntervalBar} x=${npsScale} low=${nps.interval_low} high=${nps.interval_high} value=${nps.score}
      label=${`NPS ${nps.score}, 95% interval ${nps.interval_low} to ${nps.interval_high}, on -100 to 100`} /></td>`;
}

function CsatCell({ csat }) {
  if (!csat) return html`<td class="num">–</td><td></td>`;
  return html`
    <td class="num" data-col="csat">${d1(csat.score)}%<span class="sub">${d1(csat.interval_low)} to ${d1(csat.interval_high)} · mean ${fmt.decimal(csat.mean, 2)} · n ${fmt.number(csat.n)}</span></td>
    <td><${IntervalBar} x=${csatScale} low=${csat.interval_low} high=${csat.interval_high} value=${csat.score} ref=${50}
      label=${`CSAT ${csat.score}% satisfied, 95% interval ${csat.interval_low} to ${csat.interval_high}, on 0 to 100`} /></td>`;
}

// The answers of a group: contacts, answers, NPS, CSAT; suppressed groups say so.
function Answers({ a }) {
  if (a.suppressed) {
    return html`<td class="suppressed" colspan="6" data-col="suppressed">Fewer than k contacts answered: not shown</td>`;
  }
  return html`
    <td class="num" data-col="contacts">${fmt.number(a.contacts)}</td>
    <td class="num" data-col="answers">${fmt.number(a.answers)}</td>
    <${NpsCell} nps=${a.nps} /><${CsatCell} csat=${a.csat} />`;
}

function Rv({ rv }) {
  return html`
    <td class="num" data-col="interactions">${fmt.number(rv.interactions)}</td>
    <td class="num" data-col="rv">${fmt.rv(rv.rv)}</td>
    <td class="num" data-col="rv_per_contact">${d1(rv.rv_per_contact)}</td>`;
}

const HEAD = html`<th class="num">Contacts</th><th class="num">Answers</th><th class="num">NPS</th><th>NPS, −100 to 100</th><th class="num">CSAT</th><th>CSAT, 0 to 100%</th>`;

function Promise_({ body }) {
  if (!body.channels.length) return html`<${Empty}>No answers and no interactions in this period.<//>`;
  return html`
    <div class="table-wrap">
      <table class="data" data-testid="voice-promise">
        <thead><tr><th>Channel</th>${HEAD}<th class="num">Interactions</th><th class="num">RV</th><th class="num">RV per contact</th></tr></thead>
        <tbody>${body.channels.map((c) => html`
          <tr data-key=${c.channel ?? ''}><th>${c.channel ?? '(none)'}</th><${Answers} a=${c.answers} /><${Rv} rv=${c.rv} /></tr>`)}
        </tbody>
        <tfoot><tr data-key="total"><th>All channels</th><${Answers} a=${body.total.answers} /><${Rv} rv=${body.total.rv} /></tr></tfoot>
      </table>
    </div>`;
}

function Groups({ body }) {
  if (!body.groups.length) return html`<${Empty}>No answers in this period.<//>`;
  return html`
    <div class="table-wrap">
      <table class="data" data-testid="voice-groups">
        <thead><tr><th>${fmt.label(body.by)}</th>${HEAD}</tr></thead>
        <tbody>${body.groups.map((g) => html`
          <tr data-key=${g.key.name ?? ''}><th>${g.key.name ?? '(none)'}</th><${Answers} a=${g} /></tr>`)}
        </tbody>
        <tfoot><tr data-key="total"><th>All</th><${Answers} a=${body.total} /></tr></tfoot>
      </table>
    </div>`;
}

export default function VoiceDashboard() {
  const [by, setBy] = useState('touchpoint');
  const promise = useFetch((signal) => api.get('/api/v1/voice/promise', {}, { signal }), []);
  const groups = useFetch((signal) => api.get('/api/v1/voice/nps', { by }, { signal }), [by]);
  const byId = useId();
  const p = promise.data;
  const g = groups.data;
  return html`
    <${Page} title="NPS and CSAT" wide subtitle="What customers say, channel by channel, beside what their relationships do.">
      <${Section} title="Is the brand promise kept across channels?" id="promise-title">
        ${promise.error ? html`<${ErrorState} error=${promise.error} onRetry=${promise.reload} />`
          : !p ? html`<${Loading} what="Loading the channels" />`
            : html`
              <p class="hint" data-testid="voice-privacy">NPS and CSAT of the latest survey answers with their 95% intervals, per channel the survey followed; the RV of the same contacts' interactions in each channel. Groups of fewer than ${fmt.number(p.privacy.k)} contacts are not shown (the privacy policy of the ${p.privacy.role} role).</p>
              <${Promise_} body=${p} />`}
      <//>
      <${Section} title="NPS and CSAT by group" id="groups-title" actions=${html`
        <div class="field inline">
          <label for=${byId}>Group by</label>
          <select id=${byId} value=${by} onChange=${(e) => setBy(e.target.value)}>
            ${BYS.map((b) => html`<option value=${b}>${fmt.label(b)}</option>`)}
          </select>
        </div>`}>
        ${groups.error ? html`<${ErrorState} error=${groups.error} onRetry=${groups.reload} />`
          : !g ? html`<${Loading} what="Loading the groups" />`
            : html`<div aria-busy=${groups.loading ? 'true' : 'false'}><${Groups} body=${g} /></div>`}
      <//>
    <//>`;
}
