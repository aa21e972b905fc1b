// contact-consent.js - the consent state of one contact on its page (docs/portal.md, "Consent"):
// per purpose and channel, its state (granted, withdrawn, or none and the purpose's default) and
// whether a use is allowed, as GET /api/v1/contacts/{id}/consents answers it (the least
// permissive applicable record wins: the server folds the history, this only shows it); and, for
// staff who may change the contact, a form that records a grant or a withdrawal on the customer's
// behalf (POST /api/v1/contacts/{id}/consents), after which the state is read again.
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { dateTime, label } from '../lib/format.js';
import { Loading, ErrorState, FormError } from './states.js';

const CHANNELS = ['email', 'sms', 'phone', 'post', 'feed', 'any'];
const CHANNEL_LABELS = { email: 'Email', sms: 'SMS', phone: 'Phone', post: 'Post', feed: 'Feed', any: 'Any' };
const STATE_TEXT = { granted: 'Granted', withdrawn: 'Withdrawn', none: 'None' };

export function ContactConsent({ contactId, writable }) {
  const consents = useFetch((signal) => api.get(`/api/v1/contacts/${contactId}/consents`, {}, { signal }), [contactId]);
  if (consents.error) return html`<${ErrorState} error=${consents.error} onRetry=${consents.reload} what="The consent state" />`;
  if (!consents.data) return html`<${Loading} what="Loading the consent state" />`;
  const current = consents.data.current || [];
  const purposes = [...new Set(current.map((c) => c.purpose))];
  const cell = (purpose, channel) => current.find((c) => c.purpose === purpose && c.channel === channel);
  const last = (consents.data.history && consents.data.history.items) || [];
  return html`
    <div aria-busy=${consents.loading ? 'true' : 'false'}>
      <div class="table-wrap">
        <table class="data consent-grid" aria-label="Consent per purpose and channel">
          <thead><tr><th scope="col">Purpose</th>${CHANNELS.map((ch) => html`<th scope="col">${CHANNEL_LABELS[ch]}</th>`)}</tr></thead>
          <tbody>
            ${purposes.map((p) => html`<tr>
              <th scope="row">${label(p)}</th>
              ${CHANNELS.map((ch) => {
                const c = cell(p, ch);
                if (!c) return html`<td class="na" aria-label="not a channel of this purpose">·</td>`;
                return html`<td data-testid=${`consent-${p}-${ch}`} data-state=${c.state} data-allowed=${String(c.allowed)}
                  title=${c.state === 'none' ? `No record: ${c.default} by default` : ''}
                  class=${`consent ${c.state} ${c.allowed ? 'allowed' : 'refused'}`}>
                  ${STATE_TEXT[c.state] || c.state}<span class="sub">${c.allowed ? ' · allowed' : ' · refused'}</span></td>`;
              })}
            </tr>`)}
          </tbody>
        </table>
      </div>
      ${last.length > 0 && html`<p class="hint">Last change: ${label(last[0].state)} ${label(last[0].purpose).toLowerCase()} on ${last[0].channel},
        ${dateTime(last[0].recorded_at)} (${last[0].collected_by}).</p>`}
      ${writable && html`<${RecordConsent} contactId=${contactId} purposes=${purposes} current=${current} onRecorded=${consents.reload} />`}
    </div>`;
}

function RecordConsent({ contactId, purposes, current, onRecorded }) {
  const id = useId();
  const [v, setV] = useState({ purpose: purposes[0] || 'marketing', channel: 'any', state: 'withdrawn' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const channels = CHANNELS.filter((ch) => current.some((c) => c.purpose === v.purpose && c.channel === ch));
  const set = (k) => (e) => setV((s) => {
    const next = { ...s, [k]: e.target.value };
    // a purpose without channels takes "any" only
    if (k === 'purpose' && !current.some((c) => c.purpose === next.purpose && c.channel === next.channel)) next.channel = 'any';
    return next;
  });
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const r = await api.post(`/api/v1/contacts/${contactId}/consents`, v);
      setDone(`Recorded: ${label(v.purpose)} on ${v.channel} ${r.state} (receipt ${r.receipt_id}).`);
      onRecorded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return html`
    <form class="consent-form" onSubmit=${submit} aria-label="Record consent on the customer's behalf">
      <p class="hint">Record what the customer told you (by phone, letter or in person); it gets a signed receipt.</p>
      <label for=${`${id}-purpose`}>Purpose</label>
      <select id=${`${id}-purpose`} value=${v.purpose} onChange=${set('purpose')}>
        ${purposes.map((p) => html`<option value=${p}>${label(p)}</option>`)}
      </select>
      <label for=${`${id}-channel`}>Channel</label>
      <select id=${`${id}-channel`} value=${v.channel} onChange=${set('channel')}>
        ${channels.map((ch) => html`<option value=${ch}>${CHANNEL_LABELS[ch]}</option>`)}
      </select>
      <label for=${`${id}-state`}>The customer</label>
      <select id=${`${id}-state`} value=${v.state} onChange=${set('state')}>
        <option value="withdrawn">withdraws consent</option>
        <option value="granted">grants consent</option>
      </select>
      <${FormError} error=${error} />
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${busy ? 'Recording…' : 'Record'}</button>
        <span class="status" role="status">${done}</span>
      </div>
    </form>`;
}
