// contact.js - one contact: details and edit (PATCH), "log an interaction" (POST
// /api/v1/interactions, the type picker showing each type's RV and cost), and the timeline of
// interactions, orders and events (GET /api/v1/contacts/{id}/timeline), newest first, and the
// contact's Relationship Value: its level, stage and position, and its cumulative RV by age
// against its team's p10-p90 band and median (GET /api/v1/rv/contacts/{id}), both reloaded after
// an interaction is logged; its digital path to purchase, churn or a service outcome
// (GET /api/v1/voice/paths?contact={id}, components/contact-path.js); and the customers most like
// it (components/contact-alike.js); its consent per purpose and channel, which staff may record on
// its behalf (components/contact-consent.js).
import { html, useState, useMemo, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch, useCursorList } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { canWrite, contactFields, options, DIRECTIONS, STAGES } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty, FormError } from '../components/states.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm, Field } from '../components/form.js';
import { RefName } from '../components/refname.js';
import { Pager } from '../components/table.js';
import { RvBandChart } from '../charts/rv-band.js';
import { ContactAlike } from '../components/contact-alike.js';
import { ContactPath } from '../components/contact-path.js';
import { ContactConsent } from '../components/contact-consent.js';
import { loadECharts } from '../charts/chart.js';

// ECharts (the largest module) starts loading with the screen, while its data is fetched.
loadECharts();

// GET /api/v1/rv/contacts/{id} (src/io/rv_json.c): {rv, strength, level, stage, age_days,
// interactions, pattern: [{age_days, rv, n, p10, p50, p90}], positions: [{group, percentile,
// status, ...}]} -> the RvBandChart shape (docs/web.md, "Chart data"): the contact's cumulative RV
// by age against the p10-p90 band and the median of its subset (its team by default).
export function adaptRv(answer, name) {
  const pos = (answer.positions || [])[0];
  const pattern = answer.pattern || [];
  const ages = pattern.map((p) => p.age_days);
  const today = ages.length > 0 && answer.age_days > ages[ages.length - 1];
  return {
    bucket_days: answer.bucket_days,
    norm: {
      label: pos ? `${pos.group.value ?? 'no'} ${pos.group.field}` : 'its norm',
      ages,
      n: pattern.map((p) => p.n),
      p10: pattern.map((p) => p.p10),
      p50: pattern.map((p) => p.p50),
      p90: pattern.map((p) => p.p90),
    },
    // the pattern holds the RV at each bucket's age; the line ends at today's age and RV
    contact: {
      label: name,
      ages: today ? [...ages, answer.age_days] : ages,
      rv: today ? [...pattern.map((p) => p.rv), answer.rv] : pattern.map((p) => p.rv),
      current: { age: answer.age_days, rv: answer.rv },
    },
  };
}

const POSITION_TEXT = { behind: 'Behind its norm (below p10)', ahead: 'Ahead of its norm (above p90)', normal: 'Within its norm (p10 to p90)', unknown: 'No norm at its age: too few contacts to compare with' };

function ContactRv({ contactId, name, tick }) {
  const rv = useFetch((signal) => api.get(`/api/v1/rv/contacts/${contactId}`, {}, { signal }), [contactId, tick]);
  const chart = useMemo(() => (rv.data ? adaptRv(rv.data, name) : null), [rv.data, name]);
  if (rv.error && rv.error.status === 404) return html`<${Empty}>No Relationship Value yet: it starts with the first interaction.<//>`;
  if (rv.error) return html`<${ErrorState} error=${rv.error} onRetry=${rv.reload} />`;
  if (!rv.data) return html`<${Loading} what="Loading the Relationship Value" />`;
  const d = rv.data;
  const pos = (d.positions || [])[0];
  return html`
    <div class="rv-summary" aria-busy=${rv.loading ? 'true' : 'false'}>
      <dl class="figures">
        <div><dt>Relationship Value</dt><dd data-testid="rv-total"><span class=${`rv ${d.rv < 0 ? 'neg' : 'pos'}`}>${fmt.rv(d.rv)}</span></dd></div>
        <div><dt>Current strength</dt><dd>${fmt.decimal(d.strength)}<span class="sub">half-life ${fmt.number(d.half_life_days)} days</span></dd></div>
        <div><dt>Level</dt><dd data-testid="rv-level">${fmt.number(d.level)}</dd></div>
        <div><dt>Stage</dt><dd data-testid="rv-stage">${fmt.label(d.stage)}</dd></div>
        <div><dt>Interactions</dt><dd>${fmt.number(d.interactions)}</dd></div>
        <div><dt>Relationship age</dt><dd>${fmt.number(d.age_days)} days<span class="sub">since ${fmt.date(d.first_interaction)}</span></dd></div>
      </dl>
      ${pos && html`<p class=${`position ${pos.status}`} data-testid="rv-position">
        <span class="badge">${POSITION_TEXT[pos.status] || pos.status}</span>
        ${pos.status !== 'unknown' && ` percentile ${fmt.decimal(pos.percentile, 0)} of ${fmt.number(pos.n)} contacts of ${pos.group.value ?? 'no'} ${pos.group.field} at ${fmt.number(pos.row_age_days)} days (p10 ${fmt.decimal(pos.p10)}, median ${fmt.decimal(pos.p50)}, p90 ${fmt.decimal(pos.p90)}).`}
      </p>`}
      ${chart.contact.ages.length > 0 && html`<${RvBandChart} data=${chart} />`}
    </div>`;
}

export default function Contact({ params, user }) {
  const id = params.id;
  const contact = useFetch((signal) => api.get(`/api/v1/contacts/${id}`, {}, { signal }), [id]);
  const types = useFetch(() => lookups.interactionTypes(), []);
  const [editing, setEditing] = useState(false);
  const [timelineTick, setTimelineTick] = useState(0);

  if (contact.error) {
    return html`<${Page} title=${contact.error.status === 404 ? 'Contact not found' : 'Contact'} back=${{ href: '/contacts', label: 'Contacts' }}>
      <${ErrorState} error=${contact.error} onRetry=${contact.reload} what="This contact" /><//>`;
  }
  if (!contact.data) return html`<${Page} title="Contact"><${Loading} what="Loading the contact" /><//>`;
  const c = contact.data;
  const writable = canWrite(user);
  return html`
    <${Page} title=${fmt.personName(c)} back=${{ href: '/contacts', label: 'Contacts' }}
      subtitle=${[c.title, c.account_id && html`<${RefName} kind="account" id=${c.account_id} href=${`/accounts/${c.account_id}`} />`].filter(Boolean).map((x, i) => (i ? [' · ', x] : x))}
      actions=${writable && html`<button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit details</button>`}>
      <${PendingCorrections} contactId=${id} />
      <div class="columns">
        <div class="col-main">
          ${writable && html`
            <${Section} title="Log an interaction" id="log-title">
              <${LogInteraction} contact=${c} types=${types} onLogged=${() => setTimelineTick((n) => n + 1)} />
            <//>`}
          <${Section} title="Relationship Value" id="rv-title"><${ContactRv} contactId=${id} name=${fmt.personName(c)} tick=${timelineTick} /><//>
          <${Section} title="Digital path" id="path-title"><${ContactPath} contactId=${id} tick=${timelineTick} /><//>
          <${Section} title="Timeline" id="timeline-title">
            <${Timeline} key=${timelineTick} contactId=${id} types=${types.data} />
          <//>
        </div>
        <div class="col-side">
          <${Section} title="Details" id="details-title"><${Details} c=${c} /><//>
          <${Section} title="Customers like this one" id="alike-title"><${ContactAlike} contactId=${id} /><//>
          <${Section} title="Consent" id="consent-title"><${ContactConsent} contactId=${id} writable=${writable} /><//>
        </div>
      </div>
      <${Dialog} open=${editing} title="Edit contact" onClose=${() => setEditing(false)}>
        <${EditContact} user=${user} contact=${c} onSaved=${(updated) => { contact.setData(updated); setEditing(false); }}
          onCancel=${() => setEditing(false)} />
      <//>
    <//>`;
}

// Corrections the customer proposed in the portal and staff have not decided (docs/portal.md).
function PendingCorrections({ contactId }) {
  const pending = useFetch((signal) => api.get('/api/v1/corrections', { contact_id: contactId, status: 'pending', limit: 20 }, { signal }), [contactId]);
  const n = pending.data ? pending.data.items.length : 0;
  if (!n) return null;
  return html`<p class="notice" role="status">
    The customer proposed ${n === 1 ? 'a correction' : `${n} corrections`} to these details in the portal.
    <a href=${`/corrections?contact_id=${contactId}`}>Review ${n === 1 ? 'it' : 'them'}</a></p>`;
}

function Details({ c }) {
  const row = (term, value) => html`<div><dt>${term}</dt><dd>${value === null || value === undefined || value === '' ? '–' : value}</dd></div>`;
  return html`
    <dl class="details">
      ${row('Email', c.email && html`<a href=${`mailto:${c.email}`}>${c.email}</a>`)}
      ${row('Phone', c.phone && html`<a href=${`tel:${c.phone}`}>${c.phone}</a>`)}
      ${row('Job title', c.title)}
      ${row('Account', c.account_id && html`<${RefName} kind="account" id=${c.account_id} href=${`/accounts/${c.account_id}`} />`)}
      ${row('Buying role', fmt.label(c.buying_role))}
      ${row('Lifecycle stage', fmt.label(c.stage))}
      ${row('Relationship level', fmt.number(c.level))}
      ${row('Community role', fmt.label(c.community_role))}
      ${row('Source', c.source)}
      ${row('Owner', c.owner_id && html`<${RefName} kind="user" id=${c.owner_id} />`)}
      ${row('Unit', c.unit_id && html`<${RefName} kind="unit" id=${c.unit_id} />`)}
      ${row('Team', c.team_id && html`<${RefName} kind="team" id=${c.team_id} />`)}
      ${row('Added', fmt.date(c.created_at))}
    </dl>`;
}

function EditContact({ user, contact, onSaved, onCancel }) {
  const refs = useFetch(() => (user.role === 'admin' ? Promise.all([lookups.units(), lookups.teams()]) : Promise.resolve([[], []])), []);
  if (refs.loading) return html`<${Loading} />`;
  const [units, teams] = refs.data || [[], []];
  return html`<${RecordForm} edit fields=${contactFields(user, units, teams)} record=${contact}
    onSubmit=${async (body) => onSaved(Object.keys(body).length ? await api.patch(`/api/v1/contacts/${contact.id}`, body) : contact)}
    onCancel=${onCancel} />`;
}

// " · cost 12.50 · Closing, level 3 · meeting · trigger: …" under the picker.
function typeFacts(t) {
  const facts = [`cost ${fmt.money(t.cost)}`, `${fmt.label(t.phase)}, level ${t.level}`, t.channel];
  if (t.is_trigger) facts.push('trigger: moves the contact to the next level');
  return facts.map((f) => ` · ${f}`).join('');
}

// "Name — RV +5, cost 12.50" for the type picker.
function typeLabel(t) {
  return `${t.name} — RV ${fmt.rv(t.rv)}, cost ${fmt.money(t.cost)}`;
}

function LogInteraction({ contact, types, onLogged }) {
  const id = useId();
  const blank = { type_id: '', occurred_at: fmt.toLocalInput(), direction: 'outbound', channel: '', outcome: '', notes: '' };
  const [v, setV] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const byPhase = useMemo(() => STAGES.map((phase) => ({
    phase,
    types: (types.data || []).filter((t) => t.phase === phase).sort((a, b) => a.level - b.level || a.name.localeCompare(b.name)),
  })), [types.data]);
  const chosen = (types.data || []).find((t) => String(t.id) === v.type_id);
  const set = (k) => (value) => setV((s) => ({ ...s, [k]: value }));

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const body = {
        contact_id: contact.id,
        type_id: Number(v.type_id),
        occurred_at: new Date(v.occurred_at).toISOString(),
        direction: v.direction,
      };
      for (const k of ['channel', 'outcome', 'notes']) if (v[k].trim()) body[k] = v[k].trim();
      const rec = await api.post('/api/v1/interactions', body);
      setDone(`Logged “${chosen ? chosen.name : 'interaction'}” (RV ${fmt.rv(rec.rv)}).`);
      setV({ ...blank, occurred_at: fmt.toLocalInput() });
      onLogged(rec);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (types.error) return html`<${ErrorState} error=${types.error} onRetry=${types.reload} />`;
  if (!types.data) return html`<${Loading} what="Loading the interaction types" />`;
  const fieldError = (name) => (error && error.field === name ? error.message : null);
  return html`
    <form class="log-form" onSubmit=${submit} aria-describedby=${`${id}-status`}>
      <${FormError} error=${error && !['type_id', 'occurred_at', 'channel', 'outcome', 'notes', 'direction'].includes(error.field) ? error : null} />
      <div class="field wide">
        <label for=${`${id}-type`}>Interaction type<span class="req" aria-hidden="true"> *</span></label>
        <select id=${`${id}-type`} required value=${v.type_id} onChange=${(e) => set('type_id')(e.target.value)}
          aria-describedby=${`${id}-type-info`} aria-invalid=${fieldError('type_id') ? 'true' : undefined}>
          <option value="">Choose a type…</option>
          ${byPhase.map((g) => g.types.length > 0 && html`
            <optgroup label=${fmt.label(g.phase)}>
              ${g.types.map((t) => html`<option value=${String(t.id)}>${typeLabel(t)}</option>`)}
            </optgroup>`)}
        </select>
        <p class="hint" id=${`${id}-type-info`}>${chosen
          ? html`<span class=${`rv ${chosen.rv < 0 ? 'neg' : 'pos'}`}>RV ${fmt.rv(chosen.rv)}</span>${typeFacts(chosen)}`
          : 'Each type carries its Relationship Value (RV) and cost.'}</p>
        ${fieldError('type_id') && html`<p class="field-error">${fieldError('type_id')}</p>`}
      </div>
      <${Field} spec=${{ name: 'occurred_at', label: 'When', type: 'datetime', required: true }} value=${v.occurred_at}
        error=${fieldError('occurred_at')} onChange=${set('occurred_at')} />
      <${Field} spec=${{ name: 'direction', label: 'Direction', type: 'select', required: true, options: options(DIRECTIONS) }}
        value=${v.direction} onChange=${set('direction')} error=${fieldError('direction')} />
      <${Field} spec=${{ name: 'channel', label: 'Channel', maxLength: 50, hint: chosen ? `Empty: ${chosen.channel}` : 'Empty: the type’s channel' }}
        value=${v.channel} onChange=${set('channel')} error=${fieldError('channel')} />
      <${Field} spec=${{ name: 'outcome', label: 'Outcome', maxLength: 200 }} value=${v.outcome} onChange=${set('outcome')} error=${fieldError('outcome')} />
      <${Field} spec=${{ name: 'notes', label: 'Notes', type: 'textarea', maxLength: 4000 }} value=${v.notes} onChange=${set('notes')} error=${fieldError('notes')} />
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${busy ? 'Logging…' : 'Log interaction'}</button>
        <span class="status" id=${`${id}-status`} role="status">${done}</span>
      </div>
    </form>`;
}

function Timeline({ contactId, types }) {
  const list = useCursorList(`/api/v1/contacts/${contactId}/timeline`, {}, { limit: 20 });
  const typeById = useMemo(() => lookups.byId(types), [types]);
  if (list.error) return html`<${ErrorState} error=${list.error} onRetry=${list.reload} />`;
  if (!list.items) return html`<${Loading} what="Loading the timeline" />`;
  if (list.items.length === 0 && list.page === 0) return html`<${Empty}>Nothing has happened with this contact yet.<//>`;
  const voided = new Set(list.items.filter((i) => i.type === 'interaction' && i.record.voids_id).map((i) => i.record.voids_id));
  return html`
    <div aria-busy=${list.loading ? 'true' : 'false'}>
      <ol class="timeline" aria-label="Timeline, newest first">
        ${list.items.map((item) => html`<${TimelineItem} key=${`${item.type}-${item.record.id}`} item=${item} typeById=${typeById} voided=${voided} />`)}
      </ol>
      <${Pager} list=${list} label="Timeline" />
    </div>`;
}

function TimelineItem({ item, typeById, voided }) {
  const r = item.record;
  const when = html`<time datetime=${item.at}>${fmt.dateTime(item.at)}</time>`;
  if (item.type === 'interaction') {
    const t = typeById[r.type_id];
    const isVoided = voided.has(r.id);
    return html`
      <li class=${`tl interaction${r.voids_id ? ' voiding' : ''}${isVoided ? ' voided' : ''}`}>
        <div class="tl-head">
          <span class="tl-kind">Interaction</span>
          <strong class="tl-title">${t ? t.name : `Type ${r.type_id}`}</strong>
          <span class=${`rv ${r.rv < 0 ? 'neg' : 'pos'}`} title="Relationship Value">RV ${fmt.rv(r.rv)}</span>
        </div>
        <div class="tl-meta">${when} · ${fmt.label(r.direction)} · ${r.channel || '–'} · cost ${fmt.money(r.cost)}${r.outcome ? ` · ${r.outcome}` : ''}
          ${r.voids_id ? html` · <em>voids an earlier interaction</em>` : ''}${isVoided ? html` · <em>voided</em>` : ''}</div>
        ${r.notes && html`<p class="tl-notes">${r.notes}</p>`}
      </li>`;
  }
  if (item.type === 'order') {
    return html`
      <li class="tl order">
        <div class="tl-head"><span class="tl-kind">Order</span><strong class="tl-title">${r.external_id || `Order ${r.id}`}</strong>
          <span class="amount">${fmt.money(r.amount, r.currency)}</span></div>
        <div class="tl-meta">${when}${r.margin !== null ? ` · margin ${fmt.money(r.margin, r.currency)}` : ''}</div>
      </li>`;
  }
  return html`
    <li class="tl event">
      <div class="tl-head"><span class="tl-kind">Event</span><strong class="tl-title">${fmt.label(r.kind)}</strong>
        ${r.value !== null && r.value !== undefined && html`<span class="amount">${fmt.money(r.value)}</span>`}</div>
      <div class="tl-meta">${when}</div>
      ${r.notes && html`<p class="tl-notes">${r.notes}</p>`}
    </li>`;
}
