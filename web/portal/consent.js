// consent.js - "Consent": what the customer allows per purpose and channel (GET
// /portal/api/consents: `current` lists each allowed pair with its state), granted or withdrawn
// with one click each (POST /portal/api/consents {"purpose", "channel", "state"}: withdrawing is
// the same click as granting), and the history of its choices, each with its signed receipt to
// download (GET /portal/api/consents/{receipt}?format=jws). docs/portal.md, "Consent".
import { html, useState } from '/app/lib/html.js';
import { dateTime } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States } from './common.js';

export const PURPOSES = {
  marketing: 'Offers and news',
  analytics: 'Company statistics',
  profiling: 'Personalised offers',
  sharing: 'Shown to partners',
  surveys: 'Survey invitations',
};
export const CHANNELS = { email: 'email', sms: 'SMS', phone: 'phone', post: 'post', feed: 'feed', any: 'any channel' };
const STATE = { granted: 'Allowed: you agreed', withdrawn: 'Not allowed: you withdrew', none: 'Nothing said yet' };

const pair = (c) => `${PURPOSES[c.purpose] || c.purpose} · ${CHANNELS[c.channel] || c.channel}`;
export const receiptHref = (id) => `/portal/api/consents/${encodeURIComponent(id)}?format=jws`;

function Receipt({ id }) {
  return html`<a class="receipt" href=${receiptHref(id)} download=${`consent-receipt-${id}.jws`}>Download receipt</a>`;
}

function Current({ rows, onChange, busy }) {
  return html`
    <section class="card" aria-labelledby="now-h">
      <h2 id="now-h">What you allow now</h2>
      <p class="explain">A withdrawal on "any channel" covers every channel of that purpose. With nothing
        said, company statistics are allowed (you may object by withdrawing) and everything else is not.</p>
      <ul class="items consent-list">
        ${rows.map((c) => {
          const key = `${c.purpose}/${c.channel}`;
          const name = pair(c);
          return html`
            <li key=${key} data-pair=${key} class=${`consent ${c.state}`}>
              <div class="line"><strong>${name}</strong>
                <span class="status">${STATE[c.state] || c.state}${c.state === 'none' ? ` (${c.allowed ? 'allowed' : 'not allowed'} by default)` : ''}</span></div>
              <div class="buttons">
                <button type="button" disabled=${busy === key || c.state === 'granted'} aria-label=${`Allow ${name}`}
                  onClick=${() => onChange(c, 'granted')}>Allow</button>
                <button type="button" class="secondary" disabled=${busy === key || c.state === 'withdrawn'} aria-label=${`Withdraw ${name}`}
                  onClick=${() => onChange(c, 'withdrawn')}>Withdraw</button>
              </div>
            </li>`;
        })}
      </ul>
    </section>`;
}

export default function Consent() {
  const doc = useLoad(() => api.get('/portal/api/consents'));
  const [busy, setBusy] = useState('');
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  async function change(c, state) {
    setBusy(`${c.purpose}/${c.channel}`);
    setError(null);
    try {
      const r = await api.post('/portal/api/consents', { purpose: c.purpose, channel: c.channel, state });
      setDone({ text: `${state === 'granted' ? 'Allowed' : 'Withdrawn'}: ${pair(c)}.`, receipt: r.receipt_id });
      doc.reload();
    } catch (err) {
      setError(err);
    }
    setBusy('');
  }
  const history = doc.data ? doc.data.history.items : [];
  return html`
    <${Screen} title="Consent" intro="Say what we may do with your data, purpose by purpose and channel by channel. Withdrawing is one click, like agreeing; each change gives you a signed receipt.">
      ${done && html`<p class="notice" role="status">${done.text} <${Receipt} id=${done.receipt} /></p>`}
      ${error && html`<p class="problem" role="alert">${error.message}</p>`}
      <${States} state=${doc} what="Your consent" />
      ${doc.data && html`<${Current} rows=${doc.data.current} onChange=${change} busy=${busy} />`}
      ${doc.data && html`
        <section class="card" aria-labelledby="history-h">
          <h2 id="history-h">Your choices so far</h2>
          ${history.length === 0 ? html`<p>None yet.</p>` : html`
            <ol class="items">
              ${history.map((h) => html`
                <li key=${h.id} data-receipt=${h.receipt_id}>
                  <div class="line"><strong>${pair(h)}</strong><span>${h.state === 'granted' ? 'Allowed' : 'Withdrawn'}</span></div>
                  <div class="when">${dateTime(h.recorded_at)} · ${h.collected_by === 'customer:portal' ? 'by you, here' : 'recorded by staff for you'}</div>
                  ${h.receipt_id && html`<p class="meaning"><${Receipt} id=${h.receipt_id} /></p>`}
                </li>`)}
            </ol>
            ${doc.data.history.more && html`<p class="muted">Older choices are in your download.</p>`}`}
        </section>`}
    <//>`;
}
