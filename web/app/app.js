// app.js - the application shell: who is signed in (GET /api/v1/session), the sign-in screen when
// nobody is, and otherwise the header, the navigation for the user's role and the current screen.
import { html, useState, useEffect, createContext, useContext } from './lib/html.js';
import { api, setCsrfToken, onSessionEnded } from './lib/api.js';
import { useLocation, navigate, matchPath } from './lib/router.js';
import { routes, navFor } from './routes.js';
import { label } from './lib/format.js';
import { Loading, ErrorState } from './components/states.js';
import { Page } from './components/page.js';
import { SignIn } from './screens/signin.js';

const Session = createContext(null);

// {user, signOut} of the signed-in user.
export function useSession() {
  return useContext(Session);
}

export function App() {
  const [state, setState] = useState({ status: 'loading' });

  function signedIn(body) {
    setCsrfToken(body.csrf_token);
    setState({ status: 'in', user: body.user });
  }

  function signedOut(notice) {
    setCsrfToken(null);
    setState({ status: 'out', notice });
  }

  function boot() {
    setState({ status: 'loading' });
    api.get('/api/v1/session').then(signedIn, (e) => (e.status === 401 ? signedOut(null) : setState({ status: 'error', error: e })));
  }

  useEffect(() => {
    boot();
    return onSessionEnded(() => signedOut('Your session has ended (signed out elsewhere, expired, or idle too long). Please sign in again.'));
  }, []);

  async function signOut() {
    try {
      await api.del('/api/v1/session');
    } catch (e) {
      if (e.status !== 401) throw e;
    }
    signedOut('You have signed out.');
    navigate('/', { replace: true });
  }

  if (state.status === 'loading') return html`<main id="main" class="boot"><${Loading} what="Starting kith" /></main>`;
  if (state.status === 'error') return html`<main id="main" class="boot"><${ErrorState} error=${state.error} onRetry=${boot} /></main>`;
  if (state.status === 'out') return html`<${SignIn} notice=${state.notice} onSignedIn=${signedIn} />`;
  return html`
    <${Session.Provider} value=${{ user: state.user, signOut }}>
      <${Shell} user=${state.user} signOut=${signOut} />
    <//>`;
}

function Shell({ user, signOut }) {
  const { path, query } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const groups = navFor(user.role);
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <div class="shell">
      <header class="top">
        <a class="brand" href="/"><img src="/assets/favicon.svg" alt="" width="24" height="24" /><span>kith</span></a>
        <button type="button" class="menu-toggle secondary" aria-expanded=${menuOpen ? 'true' : 'false'} aria-controls="nav"
          onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
        <div class="who">
          <span class="who-name">${user.name}</span>
          <span class="who-role">${label(user.role)}</span>
          <button type="button" class="secondary small" onClick=${signOut}>Sign out</button>
        </div>
      </header>
      <nav id="nav" class=${`side${menuOpen ? ' open' : ''}`} aria-label="Main">
        ${groups.map((g) => html`
          <div class="nav-group">
            <span class="nav-title" id=${`nav-${g.group}`}>${g.group}</span>
            <ul aria-labelledby=${`nav-${g.group}`}>
              ${g.entries.map((r) => html`<li><a href=${r.path}
                aria-current=${path === r.path || path.startsWith(`${r.path}/`) ? 'page' : undefined}>${r.nav}</a></li>`)}
            </ul>
          </div>`)}
      </nav>
      <main id="main" tabindex="-1">
        <${Outlet} path=${path} query=${query} user=${user} />
      </main>
    </div>`;
}

const modules = new Map();

// The screen for path: its module is imported on first use.
function Outlet({ path, query, user }) {
  let route = null;
  let params = null;
  for (const r of routes) {
    params = matchPath(r.path, path);
    if (params) {
      route = r;
      break;
    }
  }
  const [, setLoaded] = useState(0);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (route && route.redirect) navigate(route.redirect, { replace: true });
    else if (route && !modules.has(route.path)) {
      route.load().then((m) => { modules.set(route.path, m); setLoaded((n) => n + 1); }, setError);
    }
  }, [route && route.path]);

  if (!route) return html`<${NotFound} />`;
  if (route.redirect) return null;
  if (error) return html`<${Page} title="This screen did not load"><${ErrorState} error=${error} onRetry=${() => location.reload()} /><//>`;
  const m = modules.get(route.path);
  if (!m) return html`<${Loading} what="Loading" />`;
  const Screen = m.default;
  return html`<${Screen} key=${path} params=${params} query=${query} user=${user} />`;
}

function NotFound() {
  return html`
    <${Page} title="Not found">
      <${ErrorState} error=${{ status: 404 }} what="This page" />
      <p><a href="/contacts">Go to contacts</a></p>
    <//>`;
}
