// signin.js - signing in to the portal: with the password (POST /portal/api/session) or by
// asking for a one-time link by email (POST /portal/api/sign-in-links); the page the link opens
// (/portal/sign-in#token=..., POST /portal/api/session/link); and accepting an invitation
// (/portal/accept#token=..., POST /portal/api/invitations/accept), which sets the password.
// Tokens ride in the address's fragment, which the browser sends to no server.
import { html, useState, useEffect } from '/app/lib/html.js';
import { api } from './api.js';

function tokenFromHash() {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') || '';
}

function Problem({ error }) {
  return error ? html`<p class="problem" role="alert">${error.message}</p>` : null;
}

export function SignIn({ notice, onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState('');
  useEffect(() => { document.title = 'Sign in · Your data'; }, []);
  async function withPassword(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.post('/portal/api/session', { email, password }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  async function withLink() {
    setError(null);
    if (!email) {
      setError(new Error('Type your email first: the link is sent there.'));
      return;
    }
    try {
      const r = await api.post('/portal/api/sign-in-links', { email });
      setSent(r.message || 'If this email has access, a sign-in link is on its way.');
    } catch (err) {
      setError(err);
    }
  }
  return html`
    <main id="main" class="narrow">
      <h1>Sign in</h1>
      <p>See what we hold about you, correct it and take it with you.</p>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <form onSubmit=${withPassword}>
        <label for="email">Email</label>
        <input id="email" type="email" autocomplete="email" required value=${email} onInput=${(e) => setEmail(e.target.value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.target.value)} />
        <${Problem} error=${error} />
        <div class="buttons">
          <button type="submit" disabled=${busy || !password}>Sign in</button>
          <button type="button" class="secondary" onClick=${withLink}>Email me a sign-in link</button>
        </div>
      </form>
      ${sent && html`<p class="notice" role="status">${sent}</p>`}
    </main>`;
}

export function LinkSignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  useEffect(() => {
    const token = tokenFromHash();
    window.history.replaceState(null, '', '/portal/sign-in'); // the token leaves the address
    api.post('/portal/api/session/link', { token }).then(onSignedIn, setError);
  }, []);
  return html`
    <main id="main" class="narrow">
      <h1>Signing you in</h1>
      ${error
        ? html`<${Problem} error=${error} /><p>Links work once, within 15 minutes. <a href="/portal/">Ask for a new one</a>.</p>`
        : html`<p role="status">One moment…</p>`}
    </main>`;
}

export function AcceptInvitation({ onSignedIn }) {
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { window.history.replaceState(null, '', '/portal/accept'); }, []);
  async function submit(e) {
    e.preventDefault();
    if (password !== again) {
      setError(new Error('The two passwords differ.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.post('/portal/api/invitations/accept', { token, password }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return html`
    <main id="main" class="narrow">
      <h1>Choose your password</h1>
      <p>Your invitation works once. Choose a password of 12 to 128 characters.</p>
      <form onSubmit=${submit}>
        <label for="new-password">Password</label>
        <input id="new-password" type="password" autocomplete="new-password" minlength="12" maxlength="128" required value=${password} onInput=${(e) => setPassword(e.target.value)} />
        <label for="new-password-again">The same password again</label>
        <input id="new-password-again" type="password" autocomplete="new-password" required value=${again} onInput=${(e) => setAgain(e.target.value)} />
        <${Problem} error=${error} />
        <div class="buttons"><button type="submit" disabled=${busy || !token}>Set password and sign in</button></div>
      </form>
    </main>`;
}
