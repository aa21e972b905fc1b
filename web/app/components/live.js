// live.js - the manager's live parts: useEventSource() keeps an EventSource to a same-origin URL
// open while the component lives (the browser reconnects by itself and sends the session
// cookie); useExceptions() merges the current RV exceptions (GET /api/v1/rv/exceptions) with the
// ones the stream announces (GET /api/v1/rv/stream, event "exception"); ExceptionFeed lists them;
// Scorecards is the reps' table, sortable by any of its figures.
//
// Stream event "exception" (src/api/rv_stream.c): {"contact_id", "contact_name", "status":
// "behind"|"ahead"|"normal", "change": "entered"|"left", "rv", "age_days", "p10", "p50", "p90", "n",
// "group": {field, value, id}, "at", "interaction_id", "before", "after"}.
import { html, useEffect, useMemo, useRef, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import * as fmt from '../lib/format.js';
import { Empty, ErrorState, Loading } from './states.js';
import { RefName } from './refname.js';

// Calls onEvent(data) for every `event` that url sends (JSON data); returns the connection state:
// connecting | live | reconnecting | closed.
export function useEventSource(url, event, onEvent) {
  const [status, setStatus] = useState('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return undefined;
    const es = new EventSource(url);
    es.onopen = () => setStatus('live');
    es.onerror = () => setStatus(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    es.addEventListener(event, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return; // a malformed event is skipped
      }
      handler.current(data);
    });
    return () => es.close();
  }, [url, event]);
  return status;
}

// The current exceptions, kept up to date by the stream: {items, status, error, loading, reload,
// last} where items are [{contact_id, contact_name?, status, rv, age_days, p10, p50, p90, n,
// group, at?, fresh}] (fresh: arrived on the stream since the page opened) and last is the
// newest stream event (for the announcement).
export function useExceptions({ by = 'team', limit = 50 } = {}) {
  const [state, setState] = useState({ items: null, error: null, loading: true });
  const [last, setLast] = useState(null);
  const [tick, setTick] = useState(0);
  const early = useRef([]); // events that arrive before the first answer
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api.get('/api/v1/rv/exceptions', { by, limit }, { signal: ctl.signal }).then(
      (d) => {
        let items = d.exceptions.map((x) => ({ ...x, fresh: false }));
        for (const ev of early.current) items = applyEvent(items, ev);
        early.current = [];
        setState({ items, error: null, loading: false, count: d.count });
      },
      (error) => { if (error.name !== 'AbortError') setState({ items: null, error, loading: false }); },
    );
    return () => ctl.abort();
  }, [by, limit, tick]);
  const status = useEventSource('/api/v1/rv/stream', 'exception', (ev) => {
    setLast(ev);
    setState((s) => {
      if (!s.items) {
        early.current.push(ev);
        return s;
      }
      const items = applyEvent(s.items, ev);
      return { ...s, items, count: Math.max(0, (s.count || 0) + items.length - s.items.length) };
    });
  });
  return { ...state, status, last, reload: () => setTick((n) => n + 1) };
}

// An event folded into the list: "entered" puts the contact first (marked fresh), "left" takes it out.
function applyEvent(items, ev) {
  const rest = items.filter((x) => x.contact_id !== ev.contact_id);
  if (ev.change === 'left' || ev.status === 'normal') return rest;
  return [{ ...ev, fresh: true }, ...rest];
}

const STATUS_TEXT = { behind: 'Below p10', ahead: 'Above p90', normal: 'Within the norm' };

function announcement(ev) {
  if (!ev) return '';
  const who = (ev.contact_name && ev.contact_name.trim()) || `Contact #${ev.contact_id}`;
  if (ev.change === 'left' || ev.status === 'normal') return `${who} is back within the norm (RV ${fmt.rv(ev.rv)}).`;
  return `New exception: ${who}, ${STATUS_TEXT[ev.status] || ev.status} (RV ${fmt.rv(ev.rv)}).`;
}

export function ExceptionFeed({ feed, initial = 8 }) {
  const { items, status, error, last } = feed;
  const [all, setAll] = useState(false);
  const show = all ? Infinity : initial;
  const statusText = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Disconnected' }[status] || status;
  let body;
  if (error) body = html`<${ErrorState} error=${error} onRetry=${feed.reload} />`;
  else if (!items) body = html`<${Loading} what="Loading the exceptions" />`;
  else if (items.length === 0) body = html`<${Empty}>No exceptions: every contact is within its norm.<//>`;
  else {
    body = html`
      <ul class="exceptions" aria-label="RV exceptions, newest first">
        ${items.slice(0, show).map((x) => html`
          <li key=${x.contact_id} class=${`exception ${x.status}${x.fresh ? ' fresh' : ''}`} data-contact=${x.contact_id}>
            <a href=${`/contacts/${x.contact_id}`}>${(x.contact_name && x.contact_name.trim()) || html`<${RefName} kind="contact" id=${x.contact_id} />`}</a>
            <span class="badge">${STATUS_TEXT[x.status] || x.status}</span>
            ${x.fresh && html`<span class="badge new">New</span>`}
            <span class="meta">RV ${fmt.rv(x.rv)} at ${fmt.number(x.age_days)} days; norm p10 ${fmt.decimal(x.p10)}, median ${fmt.decimal(x.p50)}, p90 ${fmt.decimal(x.p90)}${x.group ? ` (${x.group.value})` : ''}${x.at ? ' · ' : ''}${x.at && html`<time datetime=${x.at}>${fmt.dateTime(x.at)}</time>`}</span>
          </li>`)}
      </ul>
      ${items.length > initial && html`<button type="button" class="link" aria-expanded=${all ? 'true' : 'false'} onClick=${() => setAll(!all)}>
        ${all ? 'Show fewer' : `Show ${fmt.number(items.length - initial)} more`}</button>`}`;
  }
  return html`
    <div class="feed">
      <p class="feed-status"><span class=${`dot ${status}`} aria-hidden="true"></span>${statusText}
        ${items && html` · ${feed.count > items.length ? `${fmt.number(items.length)} of ${fmt.number(feed.count)}` : fmt.number(items.length)} exception${items.length === 1 ? '' : 's'}`}</p>
      <p class="visually-hidden" role="status" aria-live="polite">${announcement(last)}</p>
      ${body}
    </div>`;
}

// Rep scorecards (GET /api/v1/rv/reps): RV created, cost, RV per cost, outcomes and place in the
// team. Every figure column sorts (a button in its header, aria-sort); RV per cost, highest
// first, is the default. Money arrives as decimal strings, unknown figures as null.
const CARD_COLUMNS = [
  { key: 'name', label: 'Rep', text: true },
  { key: 'team', label: 'Team', text: true, opt: true, value: (r) => (r.team && r.team.value) || '' },
  { key: 'rv', label: 'RV created' },
  { key: 'cost', label: 'Cost', opt: true, value: (r) => (r.cost === null ? null : Number(r.cost)) },
  { key: 'rv_per_cost', label: 'RV per cost' },
  { key: 'interactions', label: 'Interactions', opt: true },
  { key: 'contacts', label: 'Contacts', opt: true },
  { key: 'orders', label: 'Orders', opt: true },
  { key: 'revenue', label: 'Revenue', opt: true, value: (r) => (r.revenue === null || r.revenue === undefined ? null : Number(r.revenue)) },
  { key: 'team_percentile_rv_per_cost', label: 'Place in team (RV per cost)' },
];

function cell(r, key) {
  switch (key) {
    case 'rv': return fmt.rv(r.rv);
    case 'cost': case 'revenue': return fmt.money(r[key]);
    case 'rv_per_cost': return fmt.decimal(r.rv_per_cost, 3);
    case 'team_percentile_rv_per_cost': case 'team_percentile':
      return r[key] === null || r[key] === undefined ? '–' : `${fmt.number(Math.round(r[key]))}${r.team_size ? ` of ${fmt.number(r.team_size)}` : ''}`;
    default: return fmt.number(r[key]);
  }
}

export function sortReps(reps, sort) {
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  const col = CARD_COLUMNS.find((c) => c.key === key) || CARD_COLUMNS[4];
  const get = col.value || ((r) => r[key]);
  return [...reps].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === null || x === undefined) return (y === null || y === undefined) ? a.name.localeCompare(b.name) : 1; // unknown last
    if (y === null || y === undefined) return -1;
    const c = col.text ? String(x).localeCompare(String(y)) : x - y;
    return (desc ? -c : c) || a.name.localeCompare(b.name);
  });
}

export function Scorecards({ reps, showTeam = true }) {
  const [sort, setSort] = useState('-rv_per_cost');
  const rows = useMemo(() => sortReps(reps, sort), [reps, sort]);
  if (!reps.length) return html`<${Empty}>No rep has logged an interaction in this period.<//>`;
  const cols = CARD_COLUMNS.filter((c) => showTeam || c.key !== 'team');
  const header = (c) => {
    const dir = sort === c.key ? 'ascending' : sort === `-${c.key}` ? 'descending' : 'none';
    // a first click sorts figures highest first, names A to Z
    const next = dir === 'none' ? (c.text ? c.key : `-${c.key}`) : dir === 'ascending' ? `-${c.key}` : c.key;
    return html`
      <th scope="col" class=${`${c.text ? '' : 'num'}${c.opt ? ' opt' : ''}`} aria-sort=${dir}>
        <button type="button" class="sort" onClick=${() => setSort(next)}>${c.label}<span class="arrow" aria-hidden="true">${dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}</span></button>
      </th>`;
  };
  return html`
    <div class="table-wrap">
      <table class="data scorecards">
        <caption class="visually-hidden">Rep scorecards, sortable by each column</caption>
        <thead><tr>${cols.map(header)}</tr></thead>
        <tbody>${rows.map((r) => html`
          <tr key=${r.user_id} data-user=${r.user_id}>
            ${cols.map((c, i) => (i === 0
              ? html`<th scope="row">${r.name}</th>`
              : html`<td class=${`${c.text ? '' : 'num'}${c.opt ? ' opt' : ''}`}>${c.key === 'team' ? (r.team && r.team.value) || '–' : cell(r, c.key)}</td>`))}
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}
