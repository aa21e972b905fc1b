// corrections.js - "Corrections": the customer proposes a new value for one of its fields
// (POST /portal/api/corrections; the value is checked by the same rules as every other door
// and staff review it) and sees each proposal's outcome and staff's reason
// (GET /portal/api/corrections). docs/portal.md, "Corrections".
import { html, useState, useRef, useEffect } from '/app/lib/html.js';
import { dateTime } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States, FIELD_LABELS, CORRECTABLE, shown } from './common.js';

const OUTCOME = { pending: 'Waiting for review', accepted: 'Accepted: your record was changed', rejected: 'Rejected' };

function Propose({ current, initial, onDone }) {
  const [field, setField] = useState(CORRECTABLE.includes(initial) ? initial : 'phone');
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => { if (initial && input.current) input.current.focus(); }, []);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await api.post('/portal/api/corrections', { field, value, ...(note.trim() ? { note: note.trim() } : {}) });
      setValue('');
      setNote('');
      onDone(c);
    } catch (err) {
      setError(err);
      if (input.current && err.field === 'value') input.current.focus();
    }
    setBusy(false);
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="propose-h">
      <h2 id="propose-h">Propose a correction</h2>
      <label for="c-field">Which detail</label>
      <select id="c-field" value=${field} onChange=${(e) => setField(e.target.value)}>
        ${CORRECTABLE.map((k) => html`<option value=${k}>${FIELD_LABELS[k]}</option>`)}
      </select>
      <p class="muted" id="c-now">Now: ${shown(current[field])}</p>
      <label for="c-value">Correct value</label>
      <input id="c-value" ref=${input} value=${value} maxlength="254" aria-describedby="c-now c-error"
        aria-invalid=${error && error.field === 'value' ? 'true' : undefined} onInput=${(e) => setValue(e.target.value)} />
      <label for="c-note">Note for the staff (optional)</label>
      <textarea id="c-note" rows="2" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea>
      ${error && html`<p class="problem" role="alert" id="c-error">${error.message}</p>`}
      <div class="buttons"><button type="submit" disabled=${busy}>Send for review</button></div>
    </form>`;
}

export default function Corrections({ contact, search }) {
  const initial = new URLSearchParams(search).get('field');
  const me = useLoad(() => api.get('/portal/api/me'));
  const mine = useLoad(() => api.get('/portal/api/corrections'));
  const [sent, setSent] = useState('');
  return html`
    <${Screen} title="Corrections" intro="If something we hold about you is wrong, tell us. A member of staff checks it and changes your record, or tells you why not.">
      ${sent && html`<p class="notice" role="status">${sent}</p>`}
      <${States} state=${me} what="Your details" />
      ${me.data && html`<${Propose} current=${me.data.contact} initial=${initial}
        onDone=${(c) => { setSent(`Sent: your ${FIELD_LABELS[c.field].toLowerCase()} correction waits for review.`); mine.reload(); }} />`}
      <section class="card" aria-labelledby="mine-h">
        <h2 id="mine-h">Your corrections</h2>
        <${States} state=${mine} what="Your corrections" />
        ${mine.data && (mine.data.items.length === 0 ? html`<p>None yet.</p>` : html`
          <ul class="items">
            ${mine.data.items.map((c) => html`
              <li key=${c.id} class=${`correction ${c.status}`} data-id=${c.id}>
                <div class="line"><strong>${FIELD_LABELS[c.field] || c.field}: ${shown(c.value)}</strong><span class="status">${OUTCOME[c.status] || c.status}</span></div>
                <div class="when">Proposed ${dateTime(c.created_at)}${c.decided_at ? `, decided ${dateTime(c.decided_at)}` : ''}</div>
                ${c.reason && html`<p class="meaning">Reason: ${c.reason}</p>`}
              </li>`)}
          </ul>`)}
      </section>
    <//>`;
}
