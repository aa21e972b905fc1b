// common.js - what the portal's screens share: loading an answer, the states around it, a
// screen's frame (its <h1>, focused after a navigation, and the document title), and labels.
import { html, useState, useEffect, useRef } from '/app/lib/html.js';

// Runs load() once (and again on reload()); {data, error, loading, reload}.
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then((data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }));
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function Screen({ title, intro, children }) {
  const h1 = useRef(null);
  useEffect(() => {
    document.title = `${title} · Your data`;
    if (h1.current && document.activeElement !== document.body) h1.current.focus();
  }, [title]);
  return html`
    <div class="screen">
      <h1 tabindex="-1" ref=${h1}>${title}</h1>
      ${intro && html`<p class="intro">${intro}</p>`}
      ${children}
    </div>`;
}

export function States({ state, what }) {
  if (state.error) {
    return html`<div class="problem" role="alert"><p>${what} could not be loaded: ${state.error.message}</p>
      <button type="button" class="secondary" onClick=${state.reload}>Try again</button></div>`;
  }
  if (!state.data) return html`<p class="state" role="status">Loading ${what.toLowerCase()}…</p>`;
  return null;
}

// The contact's fields as a person reads them; those the customer may correct.
export const FIELD_LABELS = {
  first_name: 'First name', last_name: 'Last name', email: 'Email', phone: 'Phone', title: 'Job title',
  external_id: 'Our reference', account_id: 'Account', buying_role: 'Buying role', source: 'Where we met you',
  owner_id: 'Your contact person (staff id)', unit_id: 'Unit (id)', team_id: 'Team (id)', stage: 'Lifecycle stage',
  level: 'Relationship level', community_role: 'Community role', custom: 'Other details', created_at: 'Recorded since', id: 'Your number',
};
export const CORRECTABLE = ['first_name', 'last_name', 'email', 'phone', 'title'];

// A value of an exported row as text: never "null" or "undefined".
export function shown(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
