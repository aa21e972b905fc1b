// live.js - server-sent events for the live dashboards: useEventSource() keeps an EventSource to a
// same-origin URL open while the component lives (the browser reconnects by itself and sends the
// session cookie), and ExceptionFeed lists the RV exceptions as they arrive.
//
// Event (docs/web.md): "exception", data {"contact_id", "contact_name", "age_days", "rv", "p10",
// "p90", "status": "behind"|"ahead", "at"}.
import { html, useEffect, useState } from '../lib/html.js';
import * as fmt from '../lib/format.js';
import { Empty } from './states.js';

export function useEventSource(url, event, { keep = 50, initial = [] } = {}) {
  const [items, setItems] = useState(initial);
  const [status, setStatus] = useState('connecting');
  useEffect(() => {
    if (!url) return undefined;
    const es = new EventSource(url);
    es.onopen = () => setStatus('live');
    es.onerror = () => setStatus(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    es.addEventListener(event, (e) => {
      try {
        const item = JSON.parse(e.data);
        setItems((list) => [item, ...list].slice(0, keep));
      } catch { /* a malformed event is skipped */ }
    });
    return () => es.close();
  }, [url, event]);
  return { items, status };
}

export function ExceptionFeed({ items, status }) {
  return html`
    <div class="feed">
      <p class="feed-status"><span class=${`dot ${status}`} aria-hidden="true"></span>${{ live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Disconnected' }[status] || status}</p>
      ${items.length === 0 ? html`<${Empty}>No exceptions: every contact is within its norm.<//>` : html`
        <ul class="exceptions" aria-live="polite" aria-label="RV exceptions, newest first">
          ${items.map((x) => html`
            <li key=${`${x.contact_id}-${x.at}`} class=${`exception ${x.status}`}>
              <a href=${`/contacts/${x.contact_id}`}>${x.contact_name || `Contact ${x.contact_id}`}</a>
              <span class="badge">${x.status === 'behind' ? 'Below p10' : 'Above p90'}</span>
              <span class="meta">RV ${fmt.rv(x.rv)} at ${fmt.number(x.age_days)} days (band ${fmt.number(x.p10)} to ${fmt.number(x.p90)}) · <time datetime=${x.at}>${fmt.dateTime(x.at)}</time></span>
            </li>`)}
        </ul>`}
    </div>`;
}

// Rep scorecards: RV created, cost, RV per cost and place in the team's norm.
// Rows: {"user_id", "name", "rv", "cost", "rv_per_cost", "interactions", "contacts", "orders", "team_percentile"}
export function Scorecards({ reps }) {
  if (!reps.length) return html`<${Empty}>No rep has logged an interaction in this period.<//>`;
  return html`
    <div class="table-wrap">
      <table class="data">
        <caption class="visually-hidden">Rep scorecards</caption>
        <thead><tr>
          <th scope="col">Rep</th><th scope="col" class="num">RV created</th><th scope="col" class="num opt">Cost</th>
          <th scope="col" class="num">RV per cost</th><th scope="col" class="num opt">Interactions</th>
          <th scope="col" class="num opt">Contacts</th><th scope="col" class="num opt">Orders</th><th scope="col" class="num">Team percentile</th>
        </tr></thead>
        <tbody>${reps.map((r) => html`
          <tr key=${r.user_id}>
            <th scope="row">${r.name}</th><td class="num">${fmt.rv(r.rv)}</td><td class="num opt">${fmt.money(r.cost)}</td>
            <td class="num">${r.rv_per_cost === null ? '–' : fmt.number(Math.round(r.rv_per_cost * 1000) / 1000)}</td>
            <td class="num opt">${fmt.number(r.interactions)}</td><td class="num opt">${fmt.number(r.contacts)}</td>
            <td class="num opt">${fmt.number(r.orders)}</td><td class="num">${fmt.number(Math.round(r.team_percentile))}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}
