// data.js - "My data": everything held about the customer, from its own data-subject export
// (GET /portal/api/export, schema kith.dsr-export/1, docs/dsr-export.md): its fields (each
// correctable one with a link to correct it), its account, every interaction with its RV and
// what that means, orders, survey answers, consent history, devices, and every other table
// that names it, each with the export's sentence on what it is.
import { html, useState } from '/app/lib/html.js';
import { dateTime, money, rv as signed } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States, FIELD_LABELS, CORRECTABLE, shown } from './common.js';

const PAGE = 50;

// What an interaction's RV means, in a sentence.
export function rvSentence(i) {
  if (!i.counted) return 'It does not count: it was voided (or it voids another), so it adds nothing to your Relationship Value.';
  const from = i.rv_from === 'interaction' ? 'this interaction' : `every "${i.type_name}"`;
  if (i.rv > 0) return `It builds the relationship: the company's catalogue gives ${from} a value of ${signed(i.rv)}, added to your Relationship Value.`;
  if (i.rv < 0) return `It strains the relationship: the company's catalogue gives ${from} a value of ${signed(i.rv)}, taken from your Relationship Value.`;
  return `It is neutral: the company's catalogue gives ${from} a value of 0.`;
}

function Details({ contact, account }) {
  const keys = Object.keys(contact).filter((k) => k !== 'id');
  return html`
    <section class="card" aria-labelledby="details-h">
      <h2 id="details-h">Your details</h2>
      <dl class="fields">
        ${keys.map((k) => html`
          <div class="row" key=${k}>
            <dt>${FIELD_LABELS[k] || k}</dt>
            <dd>
              <span class="value" data-field=${k}>${k === 'account_id' ? (account ? account.name : '–') : k === 'created_at' ? dateTime(contact[k]) : shown(contact[k])}</span>
              ${CORRECTABLE.includes(k) && html` <a class="correct" href=${`/portal/corrections?field=${k}`} aria-label=${`Correct your ${(FIELD_LABELS[k] || k).toLowerCase()}`}>Correct</a>`}
            </dd>
          </div>`)}
      </dl>
    </section>`;
}

function Interactions({ explained }) {
  const [n, setN] = useState(PAGE);
  const list = [...explained].reverse(); // newest first
  const total = explained.filter((i) => i.counted).reduce((s, i) => s + i.rv, 0);
  return html`
    <section class="card" aria-labelledby="interactions-h">
      <h2 id="interactions-h">Your interactions (${explained.length})</h2>
      <p class="explain">Each contact you had with the company is an interaction. Each kind has a
        value in the company's catalogue, its RV: positive when it builds the relationship, negative when
        it strains it. Your Relationship Value is their sum: ${signed(total)}.
        <a href="/portal/about-me">What the company infers from them</a>.</p>
      ${list.length === 0 ? html`<p>None.</p>` : html`
        <ol class="items">
          ${list.slice(0, n).map((i) => html`
            <li key=${i.interaction_id} class=${i.counted ? '' : 'voided'}>
              <div class="line"><strong>${i.type_name}</strong><span class=${`rv ${i.rv > 0 ? 'pos' : i.rv < 0 ? 'neg' : ''}`}>RV ${signed(i.rv)}</span></div>
              <div class="when">${dateTime(i.occurred_at)}</div>
              <p class="meaning">${rvSentence(i)}</p>
            </li>`)}
        </ol>
        ${n < list.length && html`<button type="button" class="secondary" onClick=${() => setN(n + PAGE * 4)}>Show more (${list.length - n} left)</button>`}`}
    </section>`;
}

// A table of the export as a list of records: each row's fields, newest (highest id) first.
function Rows({ id, title, entry, fields, render }) {
  const [n, setN] = useState(20);
  const rows = [...((entry && entry.rows) || [])].reverse();
  return html`
    <section class="card" aria-labelledby=${id}>
      <h2 id=${id}>${title} (${rows.length})</h2>
      ${entry && html`<p class="explain">${entry.description}</p>`}
      ${rows.length === 0 ? html`<p>None held.</p>` : html`
        <ul class="items">
          ${rows.slice(0, n).map((r) => html`
            <li key=${r.id}>${render ? render(r) : html`
              <dl class="mini">${(fields || Object.keys(r)).filter((k) => r[k] !== null && r[k] !== undefined && k !== 'id').map((k) => html`
                <div class="row"><dt>${k.replace(/_/g, ' ')}</dt><dd>${k.endsWith('_at') ? dateTime(r[k]) : shown(r[k])}</dd></div>`)}</dl>`}
            </li>`)}
        </ul>
        ${n < rows.length && html`<button type="button" class="secondary" onClick=${() => setN(n + 100)}>Show more (${rows.length - n} left)</button>`}`}
    </section>`;
}

const SHOWN_APART = ['contacts', 'interactions', 'interaction_types', 'orders', 'order_lines', 'survey_responses', 'consents', 'devices', 'products', 'surveys'];

export default function MyData() {
  const doc = useLoad(() => api.get('/portal/api/export'));
  if (!doc.data) return html`<${Screen} title="My data"><${States} state=${doc} what="Your data" /><//>`;
  const d = doc.data;
  const t = d.tables;
  const contact = (t.contacts.rows || [])[0] || {};
  const others = Object.keys(t).filter((k) => !SHOWN_APART.includes(k) && (t[k].rows || []).length);
  const notHeld = d.not_held || [];
  // The consent history and the devices as held; their own screens (/portal/consent,
  // /portal/devices) change them.
  return html`
    <${Screen} title="My data" intro="Everything we hold about you, as it is stored. If something is wrong, correct it; you can also download all of it.">
      <${Details} contact=${contact} account=${d.subject.account} />
      <${Interactions} explained=${d.interactions_explained || []} />
      <${Rows} id="orders-h" title="Orders" entry=${t.orders}
        render=${(o) => html`<div class="line"><strong>${money(o.amount, o.currency)}</strong><span>${o.kind || ''}</span></div><div class="when">${dateTime(o.ordered_at)}</div>`} />
      <${Rows} id="answers-h" title="Your survey answers" entry=${t.survey_responses}
        fields=${['answered_at', 'nps', 'csat', 'intent', 'wants', 'needs', 'answers', 'confidential']} />
      <${Rows} id="consents-h" title="Consent history" entry=${t.consents}
        render=${(c) => html`<div class="line"><strong>${shown(c.purpose)} · ${shown(c.channel)}</strong><span>${shown(c.state)}</span></div><div class="when">${dateTime(c.recorded_at)}</div>`} />
      <p class="more"><a href="/portal/consent">Change what you allow</a> · <a href="/portal/devices">Your devices</a> · <a href="/portal/requests">Your requests</a></p>
      ${t.devices
        ? html`<${Rows} id="devices-h" title="Devices" entry=${t.devices} />`
        : html`<section class="card" aria-labelledby="devices-h"><h2 id="devices-h">Devices</h2>
            <p class="explain">${(notHeld.find((x) => x.name === 'devices') || {}).description || 'None held.'}</p></section>`}
      ${others.map((k) => html`<${Rows} key=${k} id=${`${k}-h`} title=${k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} entry=${t[k]} />`)}
    <//>`;
}
