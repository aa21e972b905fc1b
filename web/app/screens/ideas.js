// ideas.js - the community's ideas board (docs/voice.md, "Ideas"): a column per status (new,
// planned, done, declined), a card per idea with its up and down votes and the contact who
// posted it and the product it is about (filtered by product: ?product=ID), beside the community summary (contacts per derived role, ideas by status, ratings).
// Staff who may change an idea's status (admins, managers, frontline staff; the API refuses
// partners) move it with the card's status select, or from the keyboard: ← and → on a focused
// card move it to the previous or next status. Every move is one PATCH of `status`; a refusal is
// shown above the board and the card stays.
//
//   GET /api/v1/ideas?product_id=, GET /api/v1/idea-votes, GET /api/v1/products, PATCH /api/v1/ideas/{id}, GET /api/v1/voice/community
import { html, useState, useId } from '../lib/html.js';
import { api, getAll } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty, FormError } from '../components/states.js';
import { RefName } from '../components/refname.js';
import { FilterSelect, FilterBar } from '../components/filters.js';

export const STATUSES = ['new', 'planned', 'done', 'declined'];
const MOVERS = ['admin', 'manager', 'frontline'];

async function load(product) {
  const [ideas, votes, products] = await Promise.all([
    getAll('/api/v1/ideas', { sort: '-created_at', product_id: product || undefined }),
    getAll('/api/v1/idea-votes'),
    getAll('/api/v1/products', { sort: 'name', fields: 'name' }).catch(() => []),
  ]);
  const tally = {};
  for (const v of votes) {
    const t = tally[v.idea_id] || (tally[v.idea_id] = { up: 0, down: 0 });
    if (v.value > 0) t.up += 1; else if (v.value < 0) t.down += 1;
  }
  return { ideas, tally, products: Object.fromEntries(products.map((p) => [p.id, p.name])), productList: products };
}

export default function Ideas({ user, query }) {
  const [f, update] = listQuery(query, { product: '' });
  const r = useFetch(() => load(f.product), [f.product]);
  const community = useFetch((signal) => api.get('/api/v1/voice/community', {}, { signal }), []);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const movable = MOVERS.includes(user.role);

  async function move(idea, to) {
    if (!STATUSES.includes(to) || to === idea.status) return;
    setError(null);
    setStatus('');
    try {
      const out = await api.patch(`/api/v1/ideas/${idea.id}`, { status: to });
      r.setData({ ...r.data, ideas: r.data.ideas.map((i) => (i.id === out.id ? out : i)) });
      setStatus(`“${idea.title}” moved to ${fmt.label(to)}.`);
      community.reload();
      // the focus follows the card into its new column
      requestAnimationFrame(() => {
        const el = document.querySelector(`[data-idea="${out.id}"]`);
        if (el) el.focus();
      });
    } catch (e) {
      setError(e);
    }
  }

  return html`
    <${Page} title="Ideas" wide subtitle="What the community proposes, with its votes. Staff decide each idea's status.">
      <div class="columns ideas-layout">
        <div>
          ${r.data && r.data.productList.length > 0 && html`
            <${FilterBar} label="Filter the ideas" active=${Boolean(f.product)} onClear=${() => update({ product: '' })}>
              <${FilterSelect} label="Product" value=${f.product} options=${r.data.productList.map((p) => ({ value: String(p.id), label: p.name }))}
                onChange=${(product) => update({ product })} />
            <//>`}
          <${FormError} error=${error} />
          <p class="board-status" role="status" data-testid="ideas-status">${status}</p>
          ${r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`
            : !r.data ? html`<${Loading} what="Loading the ideas" />`
              : r.data.ideas.length === 0 && f.product
                ? html`<${Empty}>No idea is about this product.<//>`
              : r.data.ideas.length === 0
                ? html`<${Empty}>No ideas yet. Ideas come from the community: a portal or community tool posts them for its contacts (POST /api/v1/ideas), and staff then plan, do or decline them here.<//>`
                : html`<${Board} ideas=${r.data.ideas} tally=${r.data.tally} products=${r.data.products} movable=${movable} onMove=${move} />`}
        </div>
        <${Section} title="Community" id="community-title">
          <${Community} res=${community} />
        <//>
      </div>
    <//>`;
}

function Board({ ideas, tally, products, movable, onMove }) {
  return html`
    ${movable && html`<p class="hint" id="idea-keys">On a card: ← and → move the idea to the previous or next status; or pick the status in its menu.</p>`}
    <div class="board ideas-board">
      ${STATUSES.map((s) => {
        const list = ideas.filter((i) => i.status === s);
        return html`
          <section class="board-col" aria-labelledby=${`ideas-${s}`} data-status=${s}>
            <header class="board-col-head">
              <h2 id=${`ideas-${s}`}>${fmt.label(s)}</h2>
              <p class="board-col-sum"><span>${fmt.number(list.length)} ${list.length === 1 ? 'idea' : 'ideas'}</span></p>
            </header>
            ${list.length === 0 ? html`<p class="hint">None.</p>` : html`
              <ol class="board-cards" aria-label=${`Ideas ${fmt.label(s).toLowerCase()}`}>
                ${list.map((i) => html`<${Card} key=${i.id} idea=${i} product=${i.product_id ? products[i.product_id] || `Product #${i.product_id}` : null} votes=${tally[i.id] || { up: 0, down: 0 }} movable=${movable} onMove=${onMove} />`)}
              </ol>`}
          </section>`;
      })}
    </div>`;
}

function Card({ idea, product, votes, movable, onMove }) {
  const id = useId();
  const at = STATUSES.indexOf(idea.status);
  function key(e) {
    if (e.target !== e.currentTarget || !movable) return;
    if (e.key === 'ArrowRight' && at < STATUSES.length - 1) { e.preventDefault(); onMove(idea, STATUSES[at + 1]); }
    else if (e.key === 'ArrowLeft' && at > 0) { e.preventDefault(); onMove(idea, STATUSES[at - 1]); }
  }
  const label = `${idea.title}, ${fmt.label(idea.status)}, ${votes.up} up, ${votes.down} down`;
  return html`
    <li class="deal-card idea-card" tabindex="0" data-idea=${idea.id} aria-label=${label}
      aria-describedby=${movable ? 'idea-keys' : undefined} onKeyDown=${key}>
      <span class="deal-title">${idea.title}</span>
      ${product && html`<span class="badge muted idea-product" data-product=${idea.product_id}>${product}</span>`}
      ${idea.body && html`<span class="deal-meta idea-body">${idea.body}</span>`}
      <span class="idea-votes" data-testid="votes">
        <span class="vote up" data-up=${votes.up} aria-label=${`${votes.up} up`}>▲ ${fmt.number(votes.up)}</span>
        <span class="vote down" data-down=${votes.down} aria-label=${`${votes.down} down`}>▼ ${fmt.number(votes.down)}</span>
      </span>
      <span class="deal-meta">${idea.contact_id
        ? html`by <${RefName} kind="contact" id=${idea.contact_id} href=${`/contacts/${idea.contact_id}`} />`
        : 'posted by staff'} · ${fmt.date(idea.created_at)}</span>
      ${movable && html`
        <div class="field">
          <label for=${id} class="visually-hidden">Status</label>
          <select id=${id} value=${idea.status} tabindex="-1" aria-label=${`Status of ${idea.title}`}
            onChange=${(e) => onMove(idea, e.target.value)}>
            ${STATUSES.map((s) => html`<option value=${s}>${fmt.label(s)}</option>`)}
          </select>
        </div>`}
    </li>`;
}

function Community({ res }) {
  if (res.error) return html`<${ErrorState} error=${res.error} onRetry=${res.reload} />`;
  if (!res.data) return html`<${Loading} what="Loading the community" />`;
  const c = res.data;
  const row = (t, v, testid) => html`<tr><th scope="row">${t}</th><td class="num" data-testid=${testid}>${v}</td></tr>`;
  return html`
    <p class="hint">Over the ${fmt.number(c.contacts)} contacts you may see; roles are derived from the last ${fmt.number(c.window_days)} days of ideas, votes, reviews and referrals.</p>
    <table class="data" data-testid="community-roles">
      <caption>Community roles</caption>
      <tbody>
        ${row('Leaders', fmt.number(c.roles.leader), 'role-leader')}
        ${row('Doers', fmt.number(c.roles.doer), 'role-doer')}
        ${row('Watchers', fmt.number(c.roles.watcher), 'role-watcher')}
        ${row('No role', fmt.number(c.roles.none), 'role-none')}
      </tbody>
    </table>
    <table class="data" data-testid="community-ideas">
      <caption>Ideas and votes</caption>
      <tbody>
        ${row('Ideas', fmt.number(c.ideas.total), 'ideas-total')}
        ${STATUSES.map((s) => row(fmt.label(s), fmt.number(c.ideas[s]), `ideas-${s}`))}
        ${row('Votes up', fmt.number(c.ideas.votes_up), 'votes-up')}
        ${row('Votes down', fmt.number(c.ideas.votes_down), 'votes-down')}
      </tbody>
    </table>
    <table class="data" data-testid="community-ratings">
      <caption>Ratings</caption>
      <tbody>
        ${row('Ratings', fmt.number(c.ratings.total), 'ratings-total')}
        ${row('Verified purchases', fmt.number(c.ratings.verified), 'ratings-verified')}
        ${row('Mean stars', fmt.decimal(c.ratings.mean_stars, 2), 'ratings-mean')}
        ${row('Mean stars, verified', fmt.decimal(c.ratings.mean_stars_verified, 2), 'ratings-mean-verified')}
      </tbody>
    </table>`;
}
