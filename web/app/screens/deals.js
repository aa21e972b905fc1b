// deals.js - the pipeline board: one column per open stage of the unit's stage list (in its order),
// one card per open deal (account, amount, owner, expected close) with the column's count and sum
// of amounts, filtered by unit, team and owner (the API answers only the deals in the caller's
// scope). A deal moves by drag and drop onto another column (or onto Won / Lost), or from the
// keyboard: on a focused card, the left and right arrows move it to the previous or next stage and
// Enter opens "Move…" (any stage, win, lose with its reason). Every move is a PATCH of stage_id
// (lib/deals.js); a refused move is shown, and the card stays where it was.
//
//   GET /api/v1/deal-stages?sort=position, GET /api/v1/deals?outcome=open&unit_id=&team_id=&owner_id=,
//   PATCH /api/v1/deals/{id} {stage_id[, loss_reason]}
import { html, useState, useEffect, useLayoutEffect, useMemo, useRef, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import * as fmt from '../lib/format.js';
import { canWrite } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { allStages, stageList, stagesForDeal, sums, sumsText, dealName } from '../lib/deals.js';
import { Page } from '../components/page.js';
import { Loading, ErrorState, Empty, FormError } from '../components/states.js';
import { FilterSelect } from '../components/filters.js';
import { Dialog } from '../components/dialog.js';
import { RefName } from '../components/refname.js';
import { StageMove } from '../components/deal-move.js';

const DEFAULTS = { unit: '', team: '', owner: '' };
const MAX_DEALS = 2000; // a board of more cards than this is not read; the notice says so

// The open deals of the filters, following next_cursor up to MAX_DEALS: {items, more}.
async function openDeals(f, signal) {
  const items = [];
  let cursor;
  do {
    const page = await api.get('/api/v1/deals', {
      outcome: 'open', unit_id: f.unit, team_id: f.team, owner_id: f.owner, sort: 'id', limit: 500, cursor,
    }, { signal });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < MAX_DEALS);
  return { items, more: Boolean(cursor) };
}

// The users the caller may read, for the owner filter (a frontline user reads only themselves).
function readableUsers() {
  return api.get('/api/v1/users', { sort: 'name', limit: 500, fields: 'name,email' }).then((p) => p.items, () => []);
}

export default function Pipeline({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const stages = useFetch(() => allStages(), []);
  const refs = useFetch(() => Promise.all([lookups.units(), lookups.teams(), readableUsers()]), []);
  const deals = useFetch((signal) => openDeals(f, signal), [f.unit, f.team, f.owner]);
  const [moving, setMoving] = useState(null); // {deal, initial}: the "Move…" dialog
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const focusAfter = useRef(null);
  const writable = canWrite(user);

  // after a move from the keyboard the card keeps the focus in its new column
  // before paint: a key pressed right after a move must reach the moved card, not the page
  useLayoutEffect(() => {
    if (focusAfter.current === null) return;
    const el = document.querySelector(`.deal-card[data-deal="${focusAfter.current}"]`);
    focusAfter.current = null;
    if (el) el.focus();
  });

  const [units, teams, users] = refs.data || [[], [], []];
  const list = useMemo(() => (stages.data ? stageList(stages.data, f.unit || user.unit_id) : []), [stages.data, f.unit]);
  const columns = useMemo(() => {
    if (!stages.data || !deals.data) return [];
    const cols = list.filter((s) => s.kind === 'open');
    // deals of other lists (a unit with stages of its own, seen without a unit filter)
    for (const d of deals.data.items) {
      if (!cols.some((s) => s.id === d.stage_id)) {
        const s = stages.data.find((x) => x.id === d.stage_id);
        if (s) cols.push(s);
      }
    }
    // the board's list first, then each other list, each in its order
    const home = list.length ? list[0].unit_id : null;
    const rank = (s) => [s.unit_id === home ? 0 : 1, s.unit_id || 0, s.position, s.id];
    cols.sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3];
    });
    return cols.map((s) => ({ stage: s, deals: deals.data.items.filter((d) => d.stage_id === s.id) }));
  }, [stages.data, deals.data, list]);
  const won = list.find((s) => s.kind === 'won');
  const lost = list.find((s) => s.kind === 'lost');

  // the deal as the server answers it after a move: it stays on the board while it is open
  function moved(deal, stage, { keyboard } = {}) {
    const items = deals.data.items.filter((d) => d.id !== deal.id);
    if (deal.outcome === 'open') items.push(deal);
    items.sort((a, b) => a.id - b.id);
    deals.setData({ ...deals.data, items });
    setStatus(`${dealName(deal)}: ${deal.outcome === 'won' ? 'won' : deal.outcome === 'lost' ? 'lost' : `moved to ${stage.name}`}.`);
    if (keyboard && deal.outcome === 'open') focusAfter.current = deal.id;
  }

  async function move(deal, stage, opts = {}) {
    if (stage.id === deal.stage_id) return;
    if (stage.kind === 'lost') { // a lost deal needs its reason
      setMoving({ deal, initial: stage.id });
      return;
    }
    setError(null);
    setStatus('');
    try {
      moved(await api.patch(`/api/v1/deals/${deal.id}`, { stage_id: stage.id }), stage, opts);
    } catch (err) {
      setError(err);
    }
  }

  // the won (or lost) stage of the deal's own list: a unit with stages of its own has its own
  function closer(deal, kind) {
    return stagesForDeal(stages.data, deal).find((s) => s.kind === kind) || (kind === 'won' ? won : lost);
  }

  // the arrows: the previous or next open column of the deal's own stage list
  function step(deal, delta) {
    const mine = stagesForDeal(stages.data, deal);
    const cols = columns.filter((c) => mine.some((s) => s.id === c.stage.id));
    const i = cols.findIndex((c) => c.stage.id === deal.stage_id);
    const next = cols[i + delta];
    if (i >= 0 && next) move(deal, next.stage, { keyboard: true });
    else setStatus(`${dealName(deal)} is in the ${delta > 0 ? 'last' : 'first'} open stage${delta > 0 ? ': press Enter to win or lose it' : ''}.`);
  }

  const byId = (l) => lookups.byId(l);
  const unitOptions = units.map((u) => ({ value: u.id, label: u.name }));
  const teamOptions = teams.filter((t) => !f.unit || String(t.unit_id) === f.unit).map((t) => ({ value: t.id, label: t.name }));
  const ownerOptions = users.map((u) => ({ value: u.id, label: u.id === user.id ? `${u.name} (you)` : (u.name || u.email) }));
  const active = Boolean(f.unit || f.team || f.owner);
  const subtitle = f.unit && byId(units)[f.unit] ? `Stages of ${byId(units)[f.unit].name}` : 'Open deals by stage';

  let board;
  if (stages.error || deals.error) {
    const e = stages.error || deals.error;
    board = html`<${ErrorState} error=${e} onRetry=${stages.error ? stages.reload : deals.reload} what="The pipeline" />`;
  } else if (!stages.data || !deals.data) {
    board = html`<${Loading} what="Loading the pipeline" />`;
  } else {
    board = html`
      ${deals.data.more && html`<p class="notice" role="status">Only the first ${fmt.number(MAX_DEALS)} open deals are shown: narrow the board with the filters.</p>`}
      ${deals.data.items.length === 0 && html`<${Empty}>${active ? 'No open deal matches these filters.' : 'No open deals.'}<//>`}
      ${writable && html`<p class="hint" id="board-keys">On a card: ← and → move the deal to the previous or next stage, Enter opens “Move…” (any stage, won or lost). Cards can also be dragged.</p>`}
      ${writable && (won || lost) && html`
        <div class="board-closers">
          ${won && html`<${DropZone} stage=${won} text="Drop here to win the deal" onDrop=${(deal) => move(deal, closer(deal, 'won'))}
            findDeal=${(id) => deals.data.items.find((d) => d.id === id)} />`}
          ${lost && html`<${DropZone} stage=${lost} text="Drop here to lose the deal (you give the reason)" onDrop=${(deal) => move(deal, closer(deal, 'lost'))}
            findDeal=${(id) => deals.data.items.find((d) => d.id === id)} />`}
        </div>`}
      <div class="board" aria-busy=${deals.loading ? 'true' : 'false'}>
        ${columns.map((c) => html`<${Column} key=${c.stage.id} col=${c} writable=${writable}
          onDrop=${(deal) => move(deal, c.stage)} onStep=${step} onOpen=${(deal) => setMoving({ deal })}
          findDeal=${(id) => deals.data.items.find((d) => d.id === id)} />`)}
      </div>`;
  }

  return html`
    <${Page} title="Pipeline" wide subtitle=${subtitle}>
      <div class="filters board-filters" role="search" aria-label="Filter the pipeline">
        <${FilterSelect} label="Unit" value=${f.unit} options=${unitOptions} all="All units" onChange=${(unit) => update({ unit, team: '' })} />
        <${FilterSelect} label="Team" value=${f.team} options=${teamOptions} all="All teams" onChange=${(team) => update({ team })} />
        <${FilterSelect} label="Owner" value=${f.owner} options=${ownerOptions} all="Everyone" onChange=${(owner) => update({ owner })} />
        ${active && html`<button type="button" class="link clear" onClick=${() => update({ unit: '', team: '', owner: '' })}>Clear filters</button>`}
      </div>
      <${FormError} error=${error} />
      <p class="board-status" role="status" data-testid="board-status">${status}</p>
      ${board}
      <${Dialog} open=${Boolean(moving)} title=${moving ? `Move “${dealName(moving.deal)}”` : 'Move'} onClose=${() => setMoving(null)}>
        ${moving && stages.data && html`<${StageMove} deal=${moving.deal} stages=${stagesForDeal(stages.data, moving.deal)}
          initial=${moving.initial} autoFocus onCancel=${() => setMoving(null)}
          onMoved=${(d, s) => { setMoving(null); setError(null); moved(d, s, { keyboard: true }); }} />`}
      <//>
    <//>`;
}

// The deal being dragged: set by its card's dragstart, cleared by its dragend. (The id is also
// put in the drag's data, as text, for the browser; a drop reads it from here.)
let dragging = null;

function useDropTarget(onDrop, findDeal) {
  const [over, setOver] = useState(false);
  return [over, {
    onDragOver: (e) => { if (dragging === null) return; e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(true); },
    onDragLeave: () => setOver(false),
    onDrop: (e) => {
      e.preventDefault();
      setOver(false);
      const deal = dragging === null ? null : findDeal(dragging);
      dragging = null;
      if (deal) onDrop(deal);
    },
  }];
}

function Column({ col, writable, onDrop, onStep, onOpen, findDeal }) {
  const id = useId();
  const [over, drop] = useDropTarget(onDrop, findDeal);
  const total = sumsText(sums(col.deals));
  const cents = sums(col.deals);
  return html`
    <section class=${`board-col${over ? ' drop' : ''}`} aria-labelledby=${`${id}-h`} data-stage=${col.stage.id}
      ...${writable ? drop : {}}>
      <header class="board-col-head">
        <h2 id=${`${id}-h`}>${col.stage.name}</h2>
        <p class="board-col-sum">
          <span data-testid="col-count" data-count=${col.deals.length}>${fmt.number(col.deals.length)} ${col.deals.length === 1 ? 'deal' : 'deals'}</span>
          <span data-testid="col-sum" data-sum=${cents.map((s) => `${s.currency || ''}:${s.cents}`).join(';')}>${total}</span>
        </p>
        <p class="hint">probability ${fmt.percent(col.stage.probability)}</p>
      </header>
      <ol class="board-cards" aria-label=${`Deals in ${col.stage.name}`}>
        ${col.deals.map((d) => html`<${Card} key=${d.id} deal=${d} stage=${col.stage} writable=${writable} onStep=${onStep} onOpen=${onOpen} />`)}
      </ol>
    </section>`;
}

function DropZone({ stage, text, onDrop, findDeal }) {
  const [over, drop] = useDropTarget(onDrop, findDeal);
  return html`
    <div class=${`drop-zone ${stage.kind}${over ? ' drop' : ''}`} data-stage=${stage.id} ...${drop}>
      <strong>${stage.name}</strong><span>${text}</span>
    </div>`;
}

// True once the element has come into view: a card asks for its account's name only then, so
// that a board of many deals does not send one request per account at once.
function useSeen(ref) {
  const [seen, setSeen] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    if (seen || !ref.current) return undefined;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { setSeen(true); io.disconnect(); }
    }, { rootMargin: '200px' });
    io.observe(ref.current);
    return () => io.disconnect();
  }, [seen]);
  return seen;
}

function Card({ deal, stage, writable, onStep, onOpen }) {
  const ref = useRef(null);
  const seen = useSeen(ref);
  function key(e) {
    if (e.target !== e.currentTarget || !writable) return;
    if (e.key === 'ArrowRight') { e.preventDefault(); onStep(deal, 1); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); onStep(deal, -1); }
    else if (e.key === 'Enter') { e.preventDefault(); onOpen(deal); }
  }
  const label = `${dealName(deal)}, ${fmt.money(deal.amount, deal.currency)}, in ${stage.name}`;
  return html`
    <li class="deal-card" ref=${ref} tabindex="0" data-deal=${deal.id} draggable=${writable} aria-label=${label}
      aria-describedby=${writable ? 'board-keys' : undefined} onKeyDown=${key}
      onDragStart=${(e) => { dragging = deal.id; e.dataTransfer.setData('text/plain', String(deal.id)); e.dataTransfer.effectAllowed = 'move'; }}
      onDragEnd=${() => { dragging = null; }}>
      <a class="deal-title" href=${`/deals/${deal.id}`}>${dealName(deal)}</a>
      <span class="deal-account">${seen ? html`<${RefName} kind="account" id=${deal.account_id} />` : '…'}</span>
      <span class="deal-amount">${fmt.money(deal.amount, deal.currency)}</span>
      <span class="deal-meta">${deal.owner_id ? html`<${RefName} kind="user" id=${deal.owner_id} />` : 'No owner'}${' · closes '}${fmt.date(deal.expected_close_at)}</span>
      ${writable && html`<button type="button" class="secondary small" tabindex="-1" onClick=${() => onOpen(deal)}
        aria-label=${`Move ${dealName(deal)}`}>Move…</button>`}
    </li>`;
}
