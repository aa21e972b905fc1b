// deal.js - one deal: its details and edit (PATCH), its stage with the form that moves, wins,
// loses (with the reason) or reopens it (components/deal-move.js), its lines (products, quantity,
// amount; a line can be added), and its timeline: the interactions of the account's contacts and
// of its primary contact merged with the deal's stage history, newest first.
//
//   GET, PATCH /api/v1/deals/{id}, GET /api/v1/deal-stages, GET, POST /api/v1/deal-lines?deal_id=,
//   GET /api/v1/deal-stage-changes?deal_id=, GET /api/v1/contacts?account_id=,
//   GET /api/v1/interactions?contact_id=&sort=-occurred_at
import { html, useState, useMemo } from '../lib/html.js';
import { api, getAll } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { canWrite, dealFields } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { allStages, stagesForDeal, dealName, dealFormRefs } from '../lib/deals.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';
import { RefName } from '../components/refname.js';
import { StageMove } from '../components/deal-move.js';

const MAX_CONTACTS = 50; // contacts of the account whose interactions the timeline reads
const PER_CONTACT = 50; // interactions read per contact, newest first

const OUTCOME_TEXT = { open: 'Open', won: 'Won', lost: 'Lost' };

export default function Deal({ params, user }) {
  const id = params.id;
  const deal = useFetch((signal) => api.get(`/api/v1/deals/${id}`, {}, { signal }), [id]);
  const stages = useFetch(() => allStages(), []);
  const [editing, setEditing] = useState(false);
  const [tick, setTick] = useState(0); // a move or an edit reloads the timeline
  // a closed deal reopens by default in the stage it was closed from
  const closedFrom = useFetch((signal) => (deal.data && deal.data.outcome !== 'open'
    ? api.get('/api/v1/deal-stage-changes', { deal_id: id, to_stage_id: deal.data.stage_id, sort: '-changed_at', limit: 1 }, { signal })
      .then((p) => (p.items[0] ? p.items[0].from_stage_id : null), () => null)
    : Promise.resolve(null)), [id, deal.data && deal.data.stage_id]);

  if (deal.error) {
    return html`<${Page} title=${deal.error.status === 404 ? 'Deal not found' : 'Deal'} back=${{ href: '/deals', label: 'Pipeline' }}>
      <${ErrorState} error=${deal.error} onRetry=${deal.reload} what="This deal" /><//>`;
  }
  if (stages.error) return html`<${Page} title="Deal"><${ErrorState} error=${stages.error} onRetry=${stages.reload} /><//>`;
  if (!deal.data || !stages.data) return html`<${Page} title="Deal"><${Loading} what="Loading the deal" /><//>`;
  const d = deal.data;
  const stageById = lookups.byId(stages.data);
  const stage = stageById[d.stage_id];
  const writable = canWrite(user);
  const account = html`<${RefName} kind="account" id=${d.account_id} href=${`/accounts/${d.account_id}`} />`;
  return html`
    <${Page} title=${dealName(d)} back=${{ href: '/deals', label: 'Pipeline' }}
      subtitle=${[account, ` · ${stage ? stage.name : `Stage #${d.stage_id}`} · ${OUTCOME_TEXT[d.outcome] || fmt.label(d.outcome)}`]}
      actions=${writable && html`<button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit details</button>`}>
      <div class="columns">
        <div class="col-main">
          <${Section} title="Stage" id="deal-stage">
            <dl class="figures">
              <div><dt>Stage</dt><dd data-testid="deal-stage">${stage ? stage.name : `Stage #${d.stage_id}`}</dd></div>
              <div><dt>Outcome</dt><dd data-testid="deal-outcome">${OUTCOME_TEXT[d.outcome] || fmt.label(d.outcome)}</dd></div>
              <div><dt>Amount</dt><dd>${fmt.money(d.amount, d.currency)}</dd></div>
              <div><dt>Probability</dt><dd>${fmt.percent(d.probability)}</dd></div>
            </dl>
            ${d.outcome === 'lost' && html`<p data-testid="deal-loss-reason">Lost: ${d.loss_reason || 'no reason given'}</p>`}
            ${writable && html`<${StageMove} key=${`${d.stage_id}-${tick}-${closedFrom.data}`} deal=${d} stages=${stagesForDeal(stages.data, d)}
              initial=${closedFrom.data}
              onMoved=${(u) => { deal.setData(u); setTick((n) => n + 1); }} />`}
          <//>
          <${Section} title="Lines" id="deal-lines">
            <${Lines} deal=${d} writable=${writable} />
          <//>
          <${Section} title="Timeline" id="deal-timeline">
            <${Timeline} key=${tick} deal=${d} stageById=${stageById} />
          <//>
        </div>
        <div class="col-side">
          <${Section} title="Details" id="deal-details"><${Details} d=${d} account=${account} /><//>
        </div>
      </div>
      <${Dialog} open=${editing} title="Edit deal" onClose=${() => setEditing(false)}>
        <${EditDeal} user=${user} deal=${d} onCancel=${() => setEditing(false)}
          onSaved=${(u) => { deal.setData(u); setEditing(false); setTick((n) => n + 1); }} />
      <//>
    <//>`;
}

function Details({ d, account }) {
  const row = (term, value) => html`<div><dt>${term}</dt><dd>${value === null || value === undefined || value === '' ? '–' : value}</dd></div>`;
  return html`
    <dl class="details">
      ${row('Account', account)}
      ${row('Primary contact', d.contact_id && html`<${RefName} kind="contact" id=${d.contact_id} href=${`/contacts/${d.contact_id}`} />`)}
      ${row('Owner', d.owner_id && html`<${RefName} kind="user" id=${d.owner_id} />`)}
      ${row('Amount', d.amount && fmt.money(d.amount, d.currency))}
      ${row('Created', fmt.date(d.created_at))}
      ${row('Engaged', d.engaged_at && fmt.date(d.engaged_at))}
      ${row('Expected close', d.expected_close_at && fmt.date(d.expected_close_at))}
      ${row('Closed', d.closed_at && fmt.date(d.closed_at))}
      ${row('Loss reason', d.loss_reason)}
      ${row('Source', d.source)}
      ${row('External id', d.external_id)}
      ${row('Unit', d.unit_id && html`<${RefName} kind="unit" id=${d.unit_id} />`)}
      ${row('Team', d.team_id && html`<${RefName} kind="team" id=${d.team_id} />`)}
    </dl>`;
}

function EditDeal({ user, deal, onSaved, onCancel }) {
  const refs = useFetch(() => dealFormRefs(user, deal.account_id), [deal.account_id]);
  if (refs.error) return html`<${ErrorState} error=${refs.error} onRetry=${refs.reload} />`;
  if (!refs.data) return html`<${Loading} />`;
  return html`<${RecordForm} edit fields=${dealFields(user, { ...refs.data, lost: deal.outcome === 'lost' })} record=${deal}
    onSubmit=${async (body) => onSaved(Object.keys(body).length ? await api.patch(`/api/v1/deals/${deal.id}`, body) : deal)}
    onCancel=${onCancel} />`;
}

// ---- lines ----

async function loadLines(dealId, signal) {
  const page = await api.get('/api/v1/deal-lines', { deal_id: dealId, sort: 'id', limit: 500 }, { signal });
  const ids = [...new Set(page.items.map((l) => l.product_id))];
  const products = await Promise.all(ids.map((pid) => api.get(`/api/v1/products/${pid}`, {}, { signal }).catch(() => ({ id: pid }))));
  return { lines: page.items, products: lookups.byId(products) };
}

function Lines({ deal, writable }) {
  const lines = useFetch((signal) => loadLines(deal.id, signal), [deal.id]);
  const [adding, setAdding] = useState(false);
  if (lines.error) return html`<${ErrorState} error=${lines.error} onRetry=${lines.reload} />`;
  if (!lines.data) return html`<${Loading} what="Loading the lines" />`;
  const { products } = lines.data;
  const productName = (pid) => (products[pid] && products[pid].name) || `Product #${pid}`;
  return html`
    ${lines.data.lines.length === 0 ? html`<${Empty}>No products on this deal yet.<//>` : html`
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">Lines of this deal</caption>
          <thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Amount</th></tr></thead>
          <tbody>${lines.data.lines.map((l) => html`
            <tr key=${l.id}><th scope="row">${productName(l.product_id)}</th><td class="num">${fmt.number(l.quantity)}</td>
              <td class="num">${fmt.money(l.amount, deal.currency)}</td></tr>`)}
          </tbody>
        </table>
      </div>`}
    ${writable && html`<p><button type="button" class="secondary" onClick=${() => setAdding(true)}>Add a product</button></p>`}
    <${Dialog} open=${adding} title="Add a product to this deal" onClose=${() => setAdding(false)}>
      <${AddLine} deal=${deal} onCancel=${() => setAdding(false)} onAdded=${() => { setAdding(false); lines.reload(); }} />
    <//>`;
}

function AddLine({ deal, onAdded, onCancel }) {
  const products = useFetch(() => getAll('/api/v1/products', { sort: 'name' }), []);
  if (products.error) return html`<${ErrorState} error=${products.error} onRetry=${products.reload} />`;
  if (!products.data) return html`<${Loading} what="Loading the products" />`;
  const fields = [
    { name: 'product_id', label: 'Product', type: 'select', numeric: true, required: true, options: products.data.map((p) => ({ value: p.id, label: p.name })) },
    { name: 'quantity', label: 'Quantity', type: 'number', required: true, min: 1, step: 1 },
    { name: 'amount', label: 'Amount', type: 'money', required: true, hint: 'Of the line, e.g. 2400.00' },
  ];
  return html`<${RecordForm} fields=${fields} record=${{ quantity: 1 }} submitLabel="Add line" onCancel=${onCancel}
    onSubmit=${async (body) => { await api.post('/api/v1/deal-lines', { ...body, deal_id: deal.id }); onAdded(); }} />`;
}

// ---- timeline ----

// The deal's stage changes and the interactions of its contacts, newest first. Each contact's
// newest PER_CONTACT interactions are read; when one has more, the merged list is complete only
// down to the oldest interaction read of that contact, so it stops there (`older`: more exist).
async function loadTimeline(deal, signal) {
  const [changes, contacts] = await Promise.all([
    getAll('/api/v1/deal-stage-changes', { deal_id: deal.id, sort: '-changed_at' }),
    api.get('/api/v1/contacts', { account_id: deal.account_id, sort: 'last_name', limit: MAX_CONTACTS, fields: 'first_name,last_name,email' }, { signal }),
  ]);
  const people = [...contacts.items];
  if (deal.contact_id && !people.some((c) => c.id === deal.contact_id)) people.push({ id: deal.contact_id, primary: true });
  const lists = await Promise.all(people.map((c) => api.get('/api/v1/interactions', { contact_id: c.id, sort: '-occurred_at', limit: PER_CONTACT }, { signal })
    .then((p) => ({ contact: c, items: p.items, more: Boolean(p.next_cursor) }), (e) => (e.status === 404 ? { contact: c, items: [], more: false } : Promise.reject(e)))));
  let cutoff = null; // the oldest time down to which every interaction was read
  for (const l of lists) {
    if (l.more && l.items.length) {
      const oldest = l.items[l.items.length - 1].occurred_at;
      if (cutoff === null || oldest > cutoff) cutoff = oldest;
    }
  }
  const items = [
    ...changes.map((c) => ({ kind: 'stage', at: c.changed_at, id: c.id, record: c })),
    ...lists.flatMap((l) => l.items.map((r) => ({ kind: 'interaction', at: r.occurred_at, id: r.id, record: r, contact: l.contact }))),
  ].filter((i) => i.kind === 'stage' || cutoff === null || i.at >= cutoff)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : (a.kind === b.kind ? b.id - a.id : a.kind === 'stage' ? -1 : 1)));
  return { items, older: cutoff !== null, contacts: contacts.items.length, moreContacts: Boolean(contacts.next_cursor) };
}

const PAGE = 30;

function Timeline({ deal, stageById }) {
  const t = useFetch((signal) => loadTimeline(deal, signal), [deal.id]);
  const types = useFetch(() => lookups.interactionTypes().then(lookups.byId), []);
  const [shown, setShown] = useState(PAGE);
  const typeById = types.data || {};
  const stageName = (sid) => (stageById[sid] ? stageById[sid].name : `Stage #${sid}`);
  const items = useMemo(() => (t.data ? t.data.items.slice(0, shown) : []), [t.data, shown]);
  if (t.error) return html`<${ErrorState} error=${t.error} onRetry=${t.reload} />`;
  if (!t.data) return html`<${Loading} what="Loading the timeline" />`;
  if (t.data.items.length === 0) return html`<${Empty}>Nothing has happened with this deal yet.<//>`;
  return html`
    <ol class="timeline" aria-label="Timeline of the deal, newest first">
      ${items.map((i) => (i.kind === 'stage' ? html`
        <li class="tl stage" key=${`s${i.id}`} data-kind="stage" data-to=${i.record.to_stage_id}>
          <div class="tl-head"><span class="tl-kind">Stage</span>
            <strong class="tl-title">${i.record.from_stage_id ? `${stageName(i.record.from_stage_id)} → ${stageName(i.record.to_stage_id)}` : `Created in ${stageName(i.record.to_stage_id)}`}</strong></div>
          <div class="tl-meta"><time datetime=${i.at}>${fmt.dateTime(i.at)}</time>${i.record.user_id ? html` · by <${RefName} kind="user" id=${i.record.user_id} />` : ''}</div>
        </li>` : html`
        <li class="tl interaction" key=${`i${i.id}`} data-kind="interaction">
          <div class="tl-head"><span class="tl-kind">Interaction</span>
            <strong class="tl-title">${typeById[i.record.type_id] ? typeById[i.record.type_id].name : `Type ${i.record.type_id}`}</strong>
            <span class=${`rv ${i.record.rv < 0 ? 'neg' : 'pos'}`} title="Relationship Value">RV ${fmt.rv(i.record.rv)}</span></div>
          <div class="tl-meta"><time datetime=${i.at}>${fmt.dateTime(i.at)}</time>${' · with '}${i.contact.primary
            ? html`<${RefName} kind="contact" id=${i.contact.id} href=${`/contacts/${i.contact.id}`} />`
            : html`<a href=${`/contacts/${i.contact.id}`}>${fmt.personName(i.contact)}</a>`}${` · ${fmt.label(i.record.direction)} · ${i.record.channel || '–'}${i.record.outcome ? ` · ${i.record.outcome}` : ''}`}</div>
          ${i.record.notes && html`<p class="tl-notes">${i.record.notes}</p>`}
        </li>`))}
    </ol>
    ${t.data.items.length > shown && html`<p><button type="button" class="secondary" onClick=${() => setShown(shown + PAGE)}>Show older</button></p>`}
    ${(t.data.older || t.data.moreContacts) && t.data.items.length <= shown && html`<p class="hint">Older interactions${t.data.moreContacts ? ` and those of contacts beyond the first ${MAX_CONTACTS}` : ''} are on each contact’s page.</p>`}`;
}
