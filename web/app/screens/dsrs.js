// dsrs.js - the data-subject request queue (docs/portal.md, "Data-subject requests"): what
// customers asked about their data (access, rectification, erasure, restriction, objection,
// portability), soonest due first, overdue ones flagged. Staff who may change the contact extend
// a request once (1 or 2 months, with a reason), complete it (an erasure erases the contact),
// reject it with a reason the customer reads, or lift a restriction. Every step goes through the
// API (GET /api/v1/dsrs, POST /api/v1/dsrs/{id}/extend|complete|reject|lift), whose refusals
// (422 naming the field, 404, 403) are shown as they come.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import { date, dateTime, label } from '../lib/format.js';
import { canWrite } from '../lib/records.js';
import { Page } from '../components/page.js';
import { Dialog } from '../components/dialog.js';
import { RefName } from '../components/refname.js';
import { Loading, ErrorState, Empty, FormError } from '../components/states.js';

const DEFAULTS = { status: 'open', kind: '' };
const KINDS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'];
const ARTICLES = { access: 'Art. 15', rectification: 'Art. 16', erasure: 'Art. 17', restriction: 'Art. 18', objection: 'Art. 21', portability: 'Art. 20' };
const OPEN = ['open', 'extended'];

// The steps a request in its status allows (docs/portal.md, "The status machine").
function stepsOf(d) {
  if (OPEN.includes(d.status)) return [...(d.status === 'open' ? ['extend'] : []), 'complete', 'reject'];
  if (d.status === 'completed' && d.kind === 'restriction') return ['lift'];
  return [];
}

const STEP_LABELS = { extend: 'Extend', complete: 'Complete', reject: 'Reject', lift: 'Lift' };

export default function Dsrs({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const params = { sort: 'due_at', limit: 1000 };
  if (f.status) params.status = f.status;
  if (f.kind) params.kind = f.kind;
  const list = useFetch((signal) => api.get('/api/v1/dsrs', params, { signal }), [f.status, f.kind]);
  const [acting, setActing] = useState(null); // {row, step}
  const [notice, setNotice] = useState('');
  const writer = canWrite(user);

  function done(d, step) {
    setActing(null);
    setNotice(`Request ${d.id} (${d.kind}): ${step === 'extend' ? `extended, now due ${date(d.due_at)}` : label(d.status).toLowerCase()}.`);
    list.reload();
  }

  let body;
  if (list.error) body = html`<${ErrorState} error=${list.error} onRetry=${list.reload} what="The request queue" />`;
  else if (!list.data) body = html`<${Loading} what="Loading the requests" />`;
  else if (list.data.items.length === 0) body = html`<${Empty}>${f.status === 'open' ? 'No request is waiting for an answer.' : 'No requests.'}<//>`;
  else {
    body = html`
      <p data-testid="dsr-counts">${list.data.count} ${list.data.count === 1 ? 'request' : 'requests'}${list.data.overdue ? html`, <strong class="overdue">${list.data.overdue} overdue</strong>` : ''}.</p>
      <div class="table-wrap">
        <table class="data" aria-label="Data-subject requests">
          <thead><tr>
            <th scope="col">Due</th><th scope="col">Kind</th><th scope="col">Customer</th><th scope="col">Status</th>
            <th scope="col" class="opt">Received</th><th scope="col" class="opt">Notes</th><th scope="col">Actions</th>
          </tr></thead>
          <tbody>
            ${list.data.items.map((d) => html`
              <tr key=${d.id} data-dsr-id=${d.id} class=${d.overdue ? 'overdue' : ''}>
                <td>${date(d.due_at)}${d.overdue ? html` <span class="badge overdue" data-testid="overdue">Overdue</span>` : ''}</td>
                <td>${label(d.kind)} <span class="sub">${ARTICLES[d.kind] || ''}</span></td>
                <td><${RefName} kind="contact" id=${d.contact_id} href=${`/contacts/${d.contact_id}`} /></td>
                <td>${label(d.status)}${d.extension_reason ? html`<span class="sub"> · extended: ${d.extension_reason}</span>` : ''}
                  ${d.answer && !OPEN.includes(d.status) ? html`<span class="sub"> · ${d.answer}</span>` : ''}</td>
                <td class="opt">${dateTime(d.received_at)}<span class="sub"> · by ${d.filed_by || 'staff'}</span></td>
                <td class="opt">${d.notes || '–'}</td>
                <td>${writer && stepsOf(d).length > 0
                  ? html`<span class="actions">${stepsOf(d).map((step) => html`
                      <button type="button" class=${step === 'complete' ? '' : 'secondary'}
                        aria-label=${`${STEP_LABELS[step]} request ${d.id}`}
                        onClick=${() => setActing({ row: d, step })}>${STEP_LABELS[step]}</button>`)}</span>`
                  : '–'}</td>
              </tr>`)}
          </tbody>
        </table>
      </div>`;
  }

  return html`
    <${Page} title="Data-subject requests" subtitle="What customers asked about their data, soonest due first: one month from receipt, extendable once">
      <div class="filters">
        <label>Status
          <select value=${f.status} onChange=${(e) => update({ status: e.target.value })}>
            <option value="open">To answer (open or extended)</option>
            <option value="completed">Completed</option>
            <option value="rejected">Rejected</option>
            <option value="lifted">Lifted</option>
            <option value="">All</option>
          </select>
        </label>
        <label>Kind
          <select value=${f.kind} onChange=${(e) => update({ kind: e.target.value })}>
            <option value="">All</option>
            ${KINDS.map((k) => html`<option value=${k}>${label(k)}</option>`)}
          </select>
        </label>
      </div>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <div aria-busy=${list.loading ? 'true' : 'false'}>${body}</div>
      <${Dialog} open=${Boolean(acting)} title=${acting ? `${STEP_LABELS[acting.step]} the ${acting.row.kind} request` : ''}
        onClose=${() => setActing(null)}>
        ${acting && html`<${Step} row=${acting.row} step=${acting.step} onDone=${(d) => done(d, acting.step)} onCancel=${() => setActing(null)} />`}
      <//>
    <//>`;
}

const WHAT_IT_DOES = {
  extend: 'The new due date is counted from receipt. A request is extended once, by one or two months; the customer reads the reason.',
  complete: 'Completing answers the request.',
  reject: 'The customer reads the reason as the answer to the request.',
  lift: 'The contact is processed again (analytics and outreach) from the next computation.',
};

function Step({ row, step, onDone, onCancel }) {
  const [months, setMonths] = useState('1');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const text = reason.trim();
    let body = {};
    if (step === 'extend') body = { months: Number(months), reason: text };
    else if (step === 'reject') body = { reason: text };
    else if (step === 'complete' && text) body = { answer: text };
    else if (step === 'lift' && text) body = { reason: text };
    try {
      onDone(await api.post(`/api/v1/dsrs/${row.id}/${step}`, body));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const reasonLabel = { extend: 'Reason (the customer reads it)', reject: 'Reason (the customer reads it)', complete: 'Answer to the customer (optional)', lift: 'Reason (optional)' }[step];
  return html`
    <form onSubmit=${submit}>
      <p>${label(row.kind)} request of <${RefName} kind="contact" id=${row.contact_id} />, received ${dateTime(row.received_at)}, due ${date(row.due_at)}.</p>
      <p class="hint">${WHAT_IT_DOES[step]}${step === 'complete' && row.kind === 'erasure'
        ? html` <strong>Completing an erasure erases the contact's personal data now; it cannot be undone.</strong>` : ''}</p>
      ${step === 'extend' && html`
        <label for="dsr-months">Extend by</label>
        <select id="dsr-months" value=${months} onChange=${(e) => setMonths(e.target.value)}>
          <option value="1">1 month</option>
          <option value="2">2 months</option>
        </select>`}
      <label for="dsr-reason">${reasonLabel}</label>
      <textarea id="dsr-reason" rows="3" maxlength="2000" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>
      <${FormError} error=${error} />
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${step === 'complete' && row.kind === 'erasure' ? 'Erase the contact' : STEP_LABELS[step]}</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}
