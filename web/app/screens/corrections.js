// corrections.js - the correction queue (docs/portal.md, "Corrections"): what customers proposed
// to change in their own records through the portal, pending first; staff who may change the
// contact accept (the value is then checked and applied as an edit of the contact would be) or
// reject with a reason the customer reads. GET /api/v1/corrections, POST .../{id}/accept|reject.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useCursorList } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import { dateTime, label } from '../lib/format.js';
import { canWrite } from '../lib/records.js';
import { Page } from '../components/page.js';
import { DataTable } from '../components/table.js';
import { Dialog } from '../components/dialog.js';
import { RefName } from '../components/refname.js';
import { FormError } from '../components/states.js';

const DEFAULTS = { status: 'pending', sort: 'created_at', contact_id: '' };
const FIELD_LABELS = { first_name: 'First name', last_name: 'Last name', email: 'Email', phone: 'Phone', title: 'Title' };

const shown = (v) => (v === null || v === undefined || v === '' ? '(empty)' : v);

export default function Corrections({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const list = useCursorList('/api/v1/corrections', { status: f.status, sort: f.sort, contact_id: f.contact_id });
  const [deciding, setDeciding] = useState(null); // {row, accept}
  const [notice, setNotice] = useState('');
  const writer = canWrite(user);
  const columns = [
    { key: 'contact_id', label: 'Customer', render: (c) => html`<${RefName} kind="contact" id=${c.contact_id} href=${`/contacts/${c.contact_id}`} />` },
    { key: 'field', label: 'Field', render: (c) => FIELD_LABELS[c.field] || c.field },
    { key: 'previous', label: 'Now', className: 'opt', render: (c) => shown(c.previous) },
    { key: 'value', label: 'Proposed', render: (c) => html`<strong>${shown(c.value)}</strong>` },
    { key: 'note', label: 'Note', className: 'opt', render: (c) => c.note || '–' },
    { key: 'created_at', label: 'Proposed on', sort: 'created_at', className: 'opt', render: (c) => dateTime(c.created_at) },
    {
      key: 'status', label: 'Decision', render: (c) => (c.status === 'pending'
        ? (writer
          ? html`<span class="actions">
              <button type="button" onClick=${() => setDeciding({ row: c, accept: true })}>Accept</button>
              <button type="button" class="secondary" onClick=${() => setDeciding({ row: c, accept: false })}>Reject</button>
            </span>`
          : 'Pending')
        : html`${label(c.status)}${c.reason ? html`: ${c.reason}` : ''}`),
    },
  ];
  function done(c) {
    setDeciding(null);
    setNotice(`Correction of ${FIELD_LABELS[c.field] || c.field} ${c.status}.`);
    list.reload();
  }
  return html`
    <${Page} title="Corrections" subtitle="Changes customers proposed to their own records in the portal">
      <div class="filters">
        <label>Status
          <select value=${f.status} onChange=${(e) => update({ status: e.target.value })}>
            <option value="pending">Pending</option>
            <option value="accepted">Accepted</option>
            <option value="rejected">Rejected</option>
            <option value="">All</option>
          </select>
        </label>
        ${f.contact_id && html`<p>Of <${RefName} kind="contact" id=${Number(f.contact_id)} href=${`/contacts/${f.contact_id}`} />
          · <a href="/corrections">all customers</a></p>`}
      </div>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <${DataTable} label="Corrections" what="This correction" columns=${columns} list=${list} sort=${f.sort}
        onSort=${(sort) => update({ sort })} empty=${f.status === 'pending' ? 'No correction is waiting for review.' : 'No corrections.'} />
      <${Dialog} open=${Boolean(deciding)} title=${deciding && deciding.accept ? 'Accept the correction' : 'Reject the correction'}
        onClose=${() => setDeciding(null)}>
        ${deciding && html`<${Decide} row=${deciding.row} accept=${deciding.accept} onDone=${done} onCancel=${() => setDeciding(null)} />`}
      <//>
    <//>`;
}

function Decide({ row, accept, onDone, onCancel }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = reason.trim() ? { reason: reason.trim() } : {};
      onDone(await api.post(`/api/v1/corrections/${row.id}/${accept ? 'accept' : 'reject'}`, body));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return html`
    <form onSubmit=${submit}>
      <p>${FIELD_LABELS[row.field] || row.field}: ${shown(row.previous)} → <strong>${shown(row.value)}</strong></p>
      <label for="decide-reason">${accept ? 'Reason (optional)' : 'Reason (the customer reads it)'}</label>
      <textarea id="decide-reason" rows="3" maxlength="2000" required=${!accept} value=${reason}
        onInput=${(e) => setReason(e.target.value)}></textarea>
      <${FormError} error=${error} />
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${accept ? 'Accept and apply' : 'Reject'}</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}
