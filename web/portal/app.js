// app.js - the portal's shell: the session (GET /portal/api/session), the sign-in gate, the
// pages reached by links (accepting an invitation, a one-time sign-in link), the header with
// the customer's name and "Sign out", the navigation and the screen outlet. Addresses live under
// /portal/; kith serves index.html for each of them (src/api/static.c).
import { html, useState, useEffect, useRef } from '/app/lib/html.js';
import { api, setCsrfToken, onSessionEnded } from './api.js';
import { SignIn, AcceptInvitation, LinkSignIn } from './signin.js';
import MyData from './data.js';
import AboutMe from './about.js';
import Access from './access.js';
import Corrections from './corrections.js';
import Download from './download.js';
import Consent from './consent.js';
import Requests from './requests.js';
import Devices from './devices.js';

// The screens, in the navigation's order. A row with `screen: null` is not offered in the
// navigation; give it a screen to make it live.
export const screens = [
  { path: '/portal/', nav: 'My data', screen: MyData },
  { path: '/portal/about-me', nav: 'What we infer', screen: AboutMe },
  { path: '/portal/access', nav: 'Who has it', screen: Access },
  { path: '/portal/corrections', nav: 'Corrections', screen: Corrections },
  { path: '/portal/download', nav: 'Download', screen: Download },
  { path: '/portal/consent', nav: 'Consent', screen: Consent },
  { path: '/portal/requests', nav: 'Requests', screen: Requests },
  { path: '/portal/devices', nav: 'Devices', screen: Devices },
];

// ---- a small router: History API, plain <a href> links under /portal/ ----

const listeners = new Set();
export function navigate(to) {
  window.history.pushState(null, '', to);
  listeners.forEach((fn) => fn());
}

function useLocation() {
  const [loc, setLoc] = useState(() => ({ path: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const update = () => setLoc({ path: window.location.pathname, search: window.location.search });
    listeners.add(update);
    window.addEventListener('popstate', update);
    const click = (e) => {
      const a = e.target.closest && e.target.closest('a[href]');
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || !url.pathname.startsWith('/portal/') || url.pathname.startsWith('/portal/api/')) return;
      e.preventDefault();
      navigate(url.pathname + url.search);
    };
    document.addEventListener('click', click);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
      document.removeEventListener('click', click);
    };
  }, []);
  return loc;
}

const normal = (p) => (p === '/portal' ? '/portal/' : p.replace(/(.)\/$/, '$1'));

export function Portal() {
  const loc = useLocation();
  const [session, setSession] = useState(undefined); // undefined: asking; null: signed out
  const [notice, setNotice] = useState('');
  // Set once a sign-in on this page (a link, an invitation) answered: the first GET of the
  // session, sent before that cookie existed, may answer 401 after it and must not undo it.
  const signedInHere = useRef(false);
  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(null);
      setSession(null);
      setNotice('Your session ended. Please sign in again.');
    });
    api.get('/portal/api/session').then((s) => {
      if (signedInHere.current) return;
      setCsrfToken(s.csrf_token);
      setSession(s);
    }, () => { if (!signedInHere.current) setSession(null); });
  }, []);
  function signedIn(s) {
    signedInHere.current = true;
    setCsrfToken(s.csrf_token);
    setNotice('');
    setSession(s);
  }
  const path = normal(loc.path);
  if (path === '/portal/accept') return html`<${Frame}><${AcceptInvitation} onSignedIn=${(s) => { signedIn(s); navigate('/portal/'); }} /><//>`;
  if (path === '/portal/sign-in') return html`<${Frame}><${LinkSignIn} onSignedIn=${(s) => { signedIn(s); navigate('/portal/'); }} /><//>`;
  if (session === undefined) return html`<${Frame}><p class="state" role="status">Loading…</p><//>`;
  if (!session) return html`<${Frame}><${SignIn} notice=${notice} onSignedIn=${signedIn} /><//>`;
  async function signOut() {
    try { await api.del('/portal/api/session'); } catch (e) { /* ended already */ }
    setCsrfToken(null);
    setSession(null);
    setNotice('You are signed out.');
  }
  const current = screens.find((s) => s.screen && s.path === path) || screens[0];
  const Screen = current.screen;
  return html`
    <${Frame} who=${session.contact} onSignOut=${signOut}>
      <nav class="tabs" aria-label="Your data">
        <ul>
          ${screens.filter((s) => s.screen).map((s) => html`
            <li><a href=${s.path} aria-current=${s === current ? 'page' : undefined}>${s.nav}</a></li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1">
        <${Screen} key=${current.path} contact=${session.contact} search=${loc.search} />
      </main>
    <//>`;
}

function Frame({ who, onSignOut, children }) {
  const title = useRef(null);
  return html`
    <div class="portal">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <p class="brand" ref=${title}>Your data with us</p>
        ${who && html`
          <div class="who">
            <span class="name">${who.name || who.email}</span>
            <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
          </div>`}
      </header>
      ${children}
    </div>`;
}
