// requests.js - "Requests": the customer files a data-subject request of any kind with a note
// (POST /portal/api/requests {"kind", "notes"?}) and follows each one, with its status, its due
// date and the company's answer (GET /portal/api/requests); an answered access or portability
// request offers its export (GET /portal/api/requests/{id}/export[?format=zip]). An erasure is
// confirmed first: it ends the account. docs/portal.md, "Data-subject requests".
import { html, useState } from '/app/lib/html.js';
import { dateTime } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States } from './common.js';

export const KINDS = {
  access: { name: 'See my data', law: 'Art. 15', what: 'A copy of everything we hold about you, at once.' },
  portability: { name: 'Take my data elsewhere', law: 'Art. 20', what: 'Your data in a file another company’s system can read, at once.' },
  rectification: { name: 'Correct my data', law: 'Art. 16', what: 'Staff correct what is wrong; say what in the note (or use "Corrections").' },
  restriction: { name: 'Restrict the use of my data', law: 'Art. 18', what: 'We keep your data but leave it out of our statistics until the restriction is lifted.' },
  objection: { name: 'Object to a use of my data', law: 'Art. 21', what: 'Tell us which use you object to; staff stop it by withdrawing the consent it rests on.' },
  erasure: { name: 'Erase my data', law: 'Art. 17', what: 'We empty every personal detail we hold about you and close your account here.' },
};
// A due date is the end of a UTC day (docs/portal.md, "The clock"): shown as that day, not as the
// next one in a time zone east of UTC.
const dueFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const date = (iso) => (iso ? dueFmt.format(new Date(iso)) : '–');
const STATUS = { open: 'Open', extended: 'Extended', completed: 'Done', rejected: 'Refused', lifted: 'Lifted' };

function File({ onFiled }) {
  const [kind, setKind] = useState('access');
  const [notes, setNotes] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function send() {
    setBusy(true);
    setError(null);
    try {
      const d = await api.post('/portal/api/requests', { kind, ...(notes.trim() ? { notes: notes.trim() } : {}) });
      setNotes('');
      setConfirm(false);
      onFiled(d);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }
  function submit(e) {
    e.preventDefault();
    if (kind === 'erasure' && !confirm) setConfirm(true);
    else send();
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="file-h">
      <h2 id="file-h">Make a request</h2>
      <label for="r-kind">What you ask</label>
      <select id="r-kind" value=${kind} onChange=${(e) => { setKind(e.target.value); setConfirm(false); }}>
        ${Object.entries(KINDS).map(([k, v]) => html`<option value=${k}>${v.name} (${v.law})</option>`)}
      </select>
      <p class="muted" id="r-what">${KINDS[kind].what}</p>
      <label for="r-notes">Note (optional)</label>
      <textarea id="r-notes" rows="3" maxlength="2000" value=${notes} onInput=${(e) => setNotes(e.target.value)}></textarea>
      ${error && html`<p class="problem" role="alert">${error.message}</p>`}
      ${confirm ? html`
        <div class="problem" role="alertdialog" aria-labelledby="erase-h" aria-describedby="erase-what">
          <h2 id="erase-h">Erase your data?</h2>
          <p id="erase-what">When staff complete this request, your name, email, phone and every other personal
            detail we hold are emptied, and your account here goes: you will no longer be able to sign in.
            This cannot be undone. Download your data first if you want to keep it.</p>
          <div class="buttons">
            <button type="button" disabled=${busy} onClick=${send}>Yes, request erasure</button>
            <button type="button" class="secondary" onClick=${() => setConfirm(false)}>Cancel</button>
          </div>
        </div>` : html`<div class="buttons"><button type="submit" disabled=${busy}>Send request</button></div>`}
    </form>`;
}

function Request({ d }) {
  const exportable = (d.kind === 'access' || d.kind === 'portability') && d.status === 'completed';
  const open = d.status === 'open' || d.status === 'extended';
  return html`
    <li class=${`request ${d.status}`} data-id=${d.id}>
      <div class="line"><strong>${(KINDS[d.kind] || { name: d.kind }).name}</strong><span class="status">${STATUS[d.status] || d.status}</span></div>
      <div class="when">Sent ${dateTime(d.received_at)}${open ? ` · answer due by ${date(d.due_at)}` : d.closed_at ? ` · answered ${dateTime(d.closed_at)}` : ''}${d.overdue ? ' · overdue' : ''}</div>
      ${d.extension_reason && html`<p class="meaning">Extended: ${d.extension_reason}</p>`}
      ${d.notes && html`<p class="meaning">Your note: ${d.notes}</p>`}
      ${d.answer && html`<p class="meaning">Answer: ${d.answer}</p>`}
      ${exportable && html`
        <p class="meaning"><a class="button" href=${`/portal/api/requests/${d.id}/export`} download=${`request-${d.id}-my-data.json`}>Download the answer (JSON)</a>
          ${' '}<a href=${`/portal/api/requests/${d.id}/export?format=zip`} download=${`request-${d.id}-my-data.zip`}>as spreadsheets (zip)</a></p>`}
    </li>`;
}

export default function Requests() {
  const mine = useLoad(() => api.get('/portal/api/requests'));
  const [sent, setSent] = useState('');
  return html`
    <${Screen} title="Requests" intro="Your rights over your data: ask for a copy, a correction, a restriction, an erasure, or object to a use. We answer within one month.">
      ${sent && html`<p class="notice" role="status">${sent}</p>`}
      <${File} onFiled=${(d) => { setSent(`Sent: ${KINDS[d.kind].name.toLowerCase()}${d.status === 'completed' ? ', answered at once' : `, answer due by ${date(d.due_at)}`}.`); mine.reload(); }} />
      <section class="card" aria-labelledby="reqs-h">
        <h2 id="reqs-h">Your requests</h2>
        <${States} state=${mine} what="Your requests" />
        ${mine.data && (mine.data.items.length === 0 ? html`<p>None yet.</p>` : html`
          <ul class="items">${mine.data.items.map((d) => html`<${Request} key=${d.id} d=${d} />`)}</ul>`)}
      </section>
    <//>`;
}
