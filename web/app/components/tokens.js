// tokens.js - a user's API tokens: list (never the secret), create (the secret is shown once),
// revoke. Used by the "API tokens" screen for oneself and by an administrator's user page.
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Loading, ErrorState, Empty, FormError } from './states.js';

// userId: an administrator looking at another user's tokens; none for one's own.
export function TokenList({ userId, canCreate }) {
  const id = useId();
  const tokens = useFetch((signal) => api.get('/api/v1/tokens', userId ? { user_id: userId } : {}, { signal }), [userId]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function create(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.post('/api/v1/tokens', { name: name.trim() }));
      setName('');
      tokens.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(t) {
    setError(null);
    try {
      await api.del(`/api/v1/tokens/${t.id}`);
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  }

  const active = tokens.data ? tokens.data.items.filter((t) => !t.revoked_at) : [];
  const revoked = tokens.data ? tokens.data.items.filter((t) => t.revoked_at) : [];
  return html`
    ${canCreate && html`
      <form class="inline-form" onSubmit=${create}>
        <div class="field">
          <label for=${`${id}-name`}>Name of a new token</label>
          <input id=${`${id}-name`} required maxLength="100" value=${name} onInput=${(e) => setName(e.target.value)}
            aria-describedby=${`${id}-hint`} />
          <p class="hint" id=${`${id}-hint`}>What it is for, e.g. “nightly export”</p>
        </div>
        <button type="submit" disabled=${busy}>Create token</button>
      </form>`}
    ${created && html`
      <div class="notice token-secret" role="status">
        <p>Token “${created.name}” created. Copy it now: it is shown only once.</p>
        <p><code class="secret" data-testid="token-secret">${created.token}</code>
          <button type="button" class="secondary small" onClick=${() => navigator.clipboard && navigator.clipboard.writeText(created.token)}>Copy</button></p>
        <p class="hint">Send it as <code>Authorization: Bearer …</code>; it acts with this user's role.</p>
      </div>`}
    <${FormError} error=${error} />
    ${tokens.error ? html`<${ErrorState} error=${tokens.error} onRetry=${tokens.reload} />`
      : !tokens.data ? html`<${Loading} what="Loading tokens" />`
        : active.length === 0 && revoked.length === 0 ? html`<${Empty}>No API tokens.<//>`
          : html`
            <div class="table-wrap">
              <table class="data">
                <caption class="visually-hidden">API tokens</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col" class="opt">Last used</th>
                  <th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
                <tbody>
                  ${[...active, ...revoked].map((t) => html`
                    <tr key=${t.id}>
                      <th scope="row">${t.name}</th>
                      <td>${fmt.date(t.created_at)}</td>
                      <td class="opt">${t.last_used_at ? fmt.dateTime(t.last_used_at) : 'Never'}</td>
                      <td>${t.revoked_at ? `Revoked ${fmt.date(t.revoked_at)}` : 'Active'}</td>
                      <td>${!t.revoked_at && html`<button type="button" class="secondary small" aria-label=${`Revoke ${t.name}`}
                        onClick=${() => revoke(t)}>Revoke</button>`}</td>
                    </tr>`)}
                </tbody>
              </table>
            </div>`}`;
}
