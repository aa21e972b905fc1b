// signin.js - the sign-in screen: email and password to POST /api/v1/session. Shown for any
// address while nobody is signed in; after signing in the user stays on the address they asked for.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';

export function SignIn({ notice, onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const first = useRef(null);

  useEffect(() => {
    document.title = 'Sign in · kith';
    first.current.focus();
  }, []);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = await api.post('/api/v1/session', { email, password });
      if (location.pathname === '/') navigate('/contacts', { replace: true });
      onSignedIn(body);
    } catch (err) {
      setError(err.status === 401 ? 'Wrong email or password.' : err.message);
      setBusy(false);
    }
  }

  return html`
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit=${submit} aria-labelledby="signin-title">
        <div class="brand big"><img src="/assets/favicon.svg" alt="" width="40" height="40" /><span>kith</span></div>
        <h1 id="signin-title">Sign in</h1>
        ${notice && html`<p class="notice" role="status">${notice}</p>`}
        ${error && html`<p class="form-error" role="alert">${error}</p>`}
        <div class="field">
          <label for="signin-email">Email</label>
          <input id="signin-email" ref=${first} type="email" name="email" autocomplete="username" required
            value=${email} onInput=${(e) => setEmail(e.target.value)} />
        </div>
        <div class="field">
          <label for="signin-password">Password</label>
          <input id="signin-password" type="password" name="password" autocomplete="current-password" required
            value=${password} onInput=${(e) => setPassword(e.target.value)} />
        </div>
        <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`;
}
