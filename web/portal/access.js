// access.js - "Who has it": the units and partners of the company that hold the customer's data
// and why, and who exported or changed it (GET /portal/api/me/access-log, from the audit log).
import { html } from '/app/lib/html.js';
import { dateTime, label } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States } from './common.js';

function By({ by }) {
  if (by.kind === 'you') return 'You';
  if (by.kind === 'system') return 'The system';
  return html`${by.name}${by.role ? html` <span class="muted">(${label(by.role)}${by.unit ? `, ${by.unit}` : ''})</span>` : ''}`;
}

export default function Access() {
  const st = useLoad(() => api.get('/portal/api/me/access-log'));
  const d = st.data;
  return html`
    <${Screen} title="Who has it" intro="The parts of the company and its partners that hold your data, and who used or changed it.">
      <${States} state=${st} what="The access log" />
      ${d && html`
        <section class="card" aria-labelledby="holders-h">
          <h2 id="holders-h">Who holds your data</h2>
          ${d.holders.length === 0 ? html`<p>Only the company as a whole.</p>` : html`
            <ul class="items">
              ${d.holders.map((h) => html`<li key=${h.unit_id}>
                <div class="line"><strong>${h.name}</strong><span>${h.partner ? 'Partner' : 'Company unit'}</span></div>
                <p class="meaning">${h.why.join('; ')}.</p></li>`)}
            </ul>`}
        </section>
        <section class="card" aria-labelledby="log-h">
          <h2 id="log-h">Who used or changed it</h2>
          <p class="explain">${d.note}</p>
          ${d.entries.length === 0 ? html`<p>Nobody yet.</p>` : html`
            <ul class="items log">
              ${d.entries.map((e) => html`<li key=${e.id}>
                <div class="line"><strong><${By} by=${e.by} /></strong><span class="when">${dateTime(e.at)}</span></div>
                <p class="meaning">${e.what}${e.detail && e.action === 'update' ? html` <span class="muted">(${e.detail})</span>` : ''}</p></li>`)}
            </ul>`}
        </section>`}
    <//>`;
}
