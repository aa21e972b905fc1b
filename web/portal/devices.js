// devices.js - "Devices": the customer registers a device (POST /portal/api/devices {"name",
// "kind"}) and is shown its token once, with a copy button; lists its devices (GET
// /portal/api/devices) with pause and resume (PATCH {"paused"}), delete after a confirmation
// (DELETE: the device's readings go too) and each one's latest readings (GET
// /portal/api/devices/{id}/readings, "Older" pages back). docs/portal.md, "Devices".
import { html, useState } from '/app/lib/html.js';
import { dateTime } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States } from './common.js';

const SHOWN = 5;

function Register({ onRegistered }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post('/portal/api/devices', { name: name.trim(), kind: kind.trim() });
      setName('');
      setKind('');
      onRegistered(r);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="reg-h">
      <h2 id="reg-h">Register a device</h2>
      <label for="d-name">Name</label>
      <input id="d-name" value=${name} maxlength="100" required onInput=${(e) => setName(e.target.value)}
        aria-invalid=${error && error.field === 'name' ? 'true' : undefined} />
      <label for="d-kind">Kind</label>
      <input id="d-kind" value=${kind} maxlength="50" required placeholder="boiler, heat-pump…" aria-describedby="d-kind-help"
        aria-invalid=${error && error.field === 'kind' ? 'true' : undefined} onInput=${(e) => setKind(e.target.value)} />
      <p class="muted" id="d-kind-help">Small letters, digits, "-" and "_".</p>
      ${error && html`<p class="problem" role="alert">${error.message}</p>`}
      <div class="buttons"><button type="submit" disabled=${busy}>Register</button></div>
    </form>`;
}

function Token({ made, onDone }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(made.token);
      setCopied('Copied.');
    } catch (e) {
      setCopied('Copying is not allowed here: select the token and copy it.');
    }
  }
  return html`
    <section class="card notice token" aria-live="polite" aria-labelledby="token-h">
      <h2 id="token-h">The token of ${made.device.name}</h2>
      <p>Put this token into the device so that it can send its readings. <strong>It will not be shown again</strong>:
        if you lose it, delete the device and register it again.</p>
      <p><code class="secret" data-token>${made.token}</code></p>
      <div class="buttons">
        <button type="button" onClick=${copy}>Copy the token</button>
        <button type="button" class="secondary" onClick=${onDone}>I have kept it</button>
      </div>
      ${copied && html`<p class="muted">${copied}</p>`}
    </section>`;
}

function value(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function Readings({ device }) {
  const [before, setBefore] = useState(null);
  const page = useLoad(() => api.get(`/portal/api/devices/${device.id}/readings?limit=${SHOWN}${before ? `&before=${before}` : ''}`), [before, device.readings]);
  return html`
    <div class="readings">
      <${States} state=${page} what="Readings" />
      ${page.data && (page.data.items.length === 0 ? html`<p class="muted">${before ? 'No older readings.' : 'No readings yet.'}</p>` : html`
        <ul class="items">
          ${page.data.items.map((r) => html`
            <li key=${r.id}><div class="line"><strong>${r.type}</strong><span class="when">${dateTime(r.at)}</span></div>
              <code class="reading">${value(r.value)}</code></li>`)}
        </ul>`)}
      <div class="buttons">
        ${before && html`<button type="button" class="secondary" onClick=${() => setBefore(null)}>Latest</button>`}
        ${page.data && page.data.next_before && page.data.items.length === SHOWN
          && html`<button type="button" class="secondary" onClick=${() => setBefore(page.data.next_before)}>Older</button>`}
      </div>
    </div>`;
}

function Device({ d, onChanged, onDeleted }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function act(fn) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
      setBusy(false);
      return;
    }
    setBusy(false);
  }
  const paused = d.state === 'paused';
  return html`
    <li class=${`device ${d.state}`} data-id=${d.id} aria-labelledby=${`dev-${d.id}`}>
      <div class="line"><strong id=${`dev-${d.id}`}>${d.name}</strong><span class="status">${paused ? 'Paused' : 'Active'}</span></div>
      <div class="when">${d.kind} · registered ${dateTime(d.created_at)} · ${d.readings} readings${d.last_seen_at ? ` · last heard ${dateTime(d.last_seen_at)}` : ''}</div>
      ${error && html`<p class="problem" role="alert">${error.message}</p>`}
      <div class="buttons">
        <button type="button" class="secondary" disabled=${busy} aria-label=${`${paused ? 'Resume' : 'Pause'} ${d.name}`}
          onClick=${() => act(async () => onChanged(await api.patch(`/portal/api/devices/${d.id}`, { paused: !paused })))}>${paused ? 'Resume' : 'Pause'}</button>
        <button type="button" class="secondary" disabled=${busy} aria-label=${`Delete ${d.name}`} onClick=${() => setAsking(true)}>Delete</button>
      </div>
      ${asking && html`
        <div class="problem" role="alertdialog" aria-labelledby=${`del-${d.id}`}>
          <p id=${`del-${d.id}`}>Delete ${d.name}? Its ${d.readings} readings are deleted with it and its token stops working. This cannot be undone.</p>
          <div class="buttons">
            <button type="button" disabled=${busy} onClick=${() => act(async () => { await api.del(`/portal/api/devices/${d.id}`); onDeleted(d); })}>Yes, delete it</button>
            <button type="button" class="secondary" onClick=${() => setAsking(false)}>Cancel</button>
          </div>
        </div>`}
      <details>
        <summary>Latest readings</summary>
        <${Readings} device=${d} />
      </details>
    </li>`;
}

export default function Devices() {
  const list = useLoad(() => api.get('/portal/api/devices'));
  const [made, setMade] = useState(null);
  const [said, setSaid] = useState('');
  return html`
    <${Screen} title="Devices" intro="Equipment of yours that reports to us: register it, pause it, or delete it with what it sent.">
      ${said && html`<p class="notice" role="status">${said}</p>`}
      ${made && html`<${Token} made=${made} onDone=${() => setMade(null)} />`}
      <${Register} onRegistered=${(r) => { setSaid(''); setMade(r); list.reload(); }} />
      <section class="card" aria-labelledby="devs-h">
        <h2 id="devs-h">Your devices</h2>
        <${States} state=${list} what="Your devices" />
        ${list.data && (list.data.items.length === 0 ? html`<p>None yet.</p>` : html`
          <ul class="items">
            ${list.data.items.map((d) => html`<${Device} key=${d.id} d=${d}
              onChanged=${(n) => { setSaid(`${n.name} is ${n.state === 'paused' ? 'paused: it can send nothing until you resume it' : 'active again'}.`); list.reload(); }}
              onDeleted=${(o) => { setMade(null); setSaid(`${o.name} was deleted.`); list.reload(); }} />`)}
          </ul>`)}
      </section>
    <//>`;
}
