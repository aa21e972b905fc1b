// router.js - client-side navigation on the History API. Links stay real <a href> elements (they
// open in a new tab, show their address, work with the keyboard); a plain click on a same-origin
// link is turned into navigate() instead of a page load. The server answers index.html for any
// such path, so a reload or a shared link lands on the same screen.
import { useState, useEffect } from './html.js';

const listeners = new Set();
let navigations = 0; // how many in-app navigations happened: the first screen keeps the focus

function changed() {
  navigations += 1;
  listeners.forEach((fn) => fn());
}

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search + location.hash) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  changed();
}

// Replaces the query string of the current address (filters, search, sort) without a new entry.
export function setQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  history.replaceState(null, '', location.pathname + (s ? `?${s}` : ''));
  listeners.forEach((fn) => fn());
}

export function hasNavigated() {
  return navigations > 0;
}

addEventListener('popstate', changed);
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
  if (a.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
});

// The current location; re-renders the caller when it changes.
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

// Matches "/contacts/:id" against a path: {id: "42"}, or null.
export function matchPath(pattern, path) {
  if (pattern === '/') return path === '/' ? {} : null;
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      if (!s[i]) return null;
      params[p[i].slice(1)] = decodeURIComponent(s[i]);
    } else if (p[i] !== s[i]) {
      return null;
    }
  }
  return params;
}
