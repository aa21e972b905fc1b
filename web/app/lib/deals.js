// deals.js - what the screens know about deals (docs/api.md, "Deals"): the stage list that serves
// a unit, the sums of a column of the board, and the one way to move a deal: a PATCH of its
// stage_id (the server records the move in the deal's history and makes outcome, probability and
// closed_at follow the stage: a won or lost stage closes the deal, an open one reopens it).
import { api, getAll } from './api.js';
import * as fmt from './format.js';
import * as lookups from './lookups.js';

// Every stage of every list, in the lists' order (position, then id); loaded once per page load.
let stagesPromise = null;
export function allStages() {
  if (!stagesPromise) {
    stagesPromise = getAll('/api/v1/deal-stages', { sort: 'position' }).then(sortStages);
    stagesPromise.catch(() => { stagesPromise = null; });
  }
  return stagesPromise;
}

export function sortStages(list) {
  return [...list].sort((a, b) => a.position - b.position || a.id - b.id);
}

// The stage list that serves a unit's deals: the unit's own stages when it has some, else the
// company default list (unit_id null).
export function stageList(stages, unitId) {
  const unit = unitId ? Number(unitId) : null;
  const own = unit ? stages.filter((s) => s.unit_id === unit) : [];
  return sortStages(own.length ? own : stages.filter((s) => s.unit_id === null));
}

// The stages a deal may be moved to: its unit's list, with its current stage if that is not in it.
export function stagesForDeal(stages, deal) {
  const list = stageList(stages, deal.unit_id);
  if (!list.some((s) => s.id === deal.stage_id)) {
    const cur = stages.find((s) => s.id === deal.stage_id);
    if (cur) return sortStages([...list, cur]);
  }
  return list;
}

// A deal's amount in cents (amounts are decimal strings, "1200.50"); 0 when it has none.
export function cents(amount) {
  if (amount === null || amount === undefined || amount === '') return 0;
  return Math.round(Number(amount) * 100);
}

// The sum of the deals' amounts, per currency: [{currency, cents}] (currency null: none given).
export function sums(deals) {
  const by = new Map();
  for (const d of deals) {
    const k = d.currency || null;
    by.set(k, (by.get(k) || 0) + cents(d.amount));
  }
  return [...by.entries()].map(([currency, c]) => ({ currency, cents: c }));
}

// "1,300.49" or "US$1,200.50 + €30.00": the sums of sums() as text.
export function sumsText(list) {
  if (list.length === 0) return fmt.money('0', null);
  return list.map((s) => fmt.money((s.cents / 100).toFixed(2), s.currency)).join(' + ');
}

// A deal's name for lists and titles: its name, else "Deal #id".
export function dealName(d) {
  return (typeof d.name === 'string' && d.name.trim()) || `Deal #${d.id}`;
}

// What moving a deal to stage `to` is, for buttons and announcements.
export function moveVerb(deal, to) {
  if (to.kind === 'won') return 'Mark won';
  if (to.kind === 'lost') return 'Mark lost';
  if (deal.outcome && deal.outcome !== 'open') return 'Reopen';
  return 'Move';
}

// Moves a deal: PATCH stage_id (and loss_reason for a lost stage). Resolves to the deal as the
// server answers it; rejects with the ApiError, which the caller shows.
export function moveDeal(deal, stage, { lossReason } = {}) {
  const body = { stage_id: stage.id };
  if (stage.kind === 'lost') body.loss_reason = lossReason;
  return api.patch(`/api/v1/deals/${deal.id}`, body);
}

// The account's contacts and the users the caller may read: the choices of the deal's form.
export function dealFormRefs(user, accountId) {
  return Promise.all([
    api.get('/api/v1/contacts', { account_id: accountId, sort: 'last_name', limit: 200, fields: 'first_name,last_name,email' }).then((p) => p.items),
    api.get('/api/v1/users', { sort: 'name', limit: 500, fields: 'name,email' }).then((p) => p.items, () => []),
    user.role === 'admin' ? lookups.units() : [],
    user.role === 'admin' ? lookups.teams() : [],
  ]).then(([contacts, users, units, teams]) => ({ contacts, users, units, teams }));
}

// Quarters as the forecast names them ("2026Q4"), in UTC: the quarter of a time, the quarter n
// quarters after another, and a quarter's bounds [from, to) as ISO times.
export function quarterOf(d = new Date()) {
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

export function shiftQuarter(q, n) {
  const [y, k] = q.split('Q').map(Number);
  const i = y * 4 + (k - 1) + n;
  return `${Math.floor(i / 4)}Q${(i % 4) + 1}`;
}

export function quarterBounds(q) {
  const [y, k] = q.split('Q').map(Number);
  return { from: new Date(Date.UTC(y, (k - 1) * 3, 1)).toISOString(), to: new Date(Date.UTC(y, k * 3, 1)).toISOString() };
}

// A period [start, end) of a quota or a win-rate group in words: "2026Q4", "Nov 2026", "2026",
// else its first and last day.
export function periodLabel(start, end) {
  if (!start || !end) return '–';
  const s = new Date(start);
  const e = new Date(end);
  const months = (e.getUTCFullYear() - s.getUTCFullYear()) * 12 + e.getUTCMonth() - s.getUTCMonth();
  const aligned = s.getUTCDate() === 1 && e.getUTCDate() === 1 && s.getUTCHours() === 0 && e.getUTCHours() === 0
    && s.getUTCMinutes() === 0 && e.getUTCMinutes() === 0;
  if (aligned && months === 12 && s.getUTCMonth() === 0) return String(s.getUTCFullYear());
  if (aligned && months === 3 && s.getUTCMonth() % 3 === 0) return quarterOf(s);
  if (aligned && months === 1) return `${s.getUTCFullYear()}-${String(s.getUTCMonth() + 1).padStart(2, '0')}`;
  return `${fmt.date(start)} – ${fmt.date(new Date(e.getTime() - 1).toISOString())}`;
}
