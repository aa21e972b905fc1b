// deals-analytics.test.mjs - the deal analytics screen (/dashboards/deals) against the real server:
// every panel's table shows what /api/v1/deal-stats/… answers for the grouping chosen (win rate by
// manager and by period, pipeline, conversion per stage with the median days in stage and the
// sales cycle, the forecast of a quarter by category, quota attainment per quota holder and per
// manager), and the figures that can be recomputed from the records are (the forecast's
// categories from the deals and their stages, quota attainment from the won deals of the quota's
// holder); the quarter selector changes the forecast and the quotas; a manager sees the figures of
// their scope; the screen fits 390 px.
//
// The world: `kith demo --contacts 60` (deals with stage histories, users with managers, no
// quotas), then through the API: for two reps who have a manager, open deals of a demo account's
// unit expected to close in this quarter and the next in every open stage of the default list
// (one with a probability of its own), a deal won now, and quotas for this quarter and the next;
// a manager of that unit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
let stages; // the default list, in order
let reps; // two frontline users who have a manager
let quarter; // this quarter, "2026Q4"
let next; // the next one
let quotas = [];
let account; // the demo account of the deals made here

const DAY = 86400000;
const quarterOf = (d) => `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
function bounds(q) {
  const [y, k] = q.split('Q').map(Number);
  return { from: Date.UTC(y, (k - 1) * 3, 1), to: Date.UTC(y, k * 3, 1) };
}
const cents = (a) => Math.round(Number(a ?? 0) * 100);
const iso = (ms) => new Date(ms).toISOString();

// Every record of a list, following the cursor.
async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await world.api.get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

before(async () => {
  world = await createWorld({ demo: 60 });
  stages = (await world.api.get('/api/v1/deal-stages?sort=position')).items.filter((s) => s.unit_id === null);
  const open = stages.filter((s) => s.kind === 'open');
  assert.ok(open.length >= 3, 'the default list has open stages');
  const users = await all('/api/v1/users?role=frontline');
  // an account of a unit with two reps who have a manager: the deals, the reps and the quotas
  // are then all in one unit, which a manager of that unit reads
  const managed = users.filter((u) => u.manager_id !== null);
  account = (await world.api.get('/api/v1/accounts?limit=100')).items
    .find((a) => managed.filter((u) => u.unit_id === a.unit_id).length >= 2);
  assert.ok(account, 'the demo has a unit with two frontline users who have a manager');
  reps = managed.filter((u) => u.unit_id === account.unit_id).slice(0, 2);
  quarter = quarterOf(new Date());
  const b = bounds(quarter);
  next = quarterOf(new Date(b.to));
  const nb = bounds(next);

  // open deals expected in this quarter and in the next, in every open stage
  let n = 0;
  for (const [q, start] of [[quarter, b.from], [next, nb.from]]) {
    for (const s of open) {
      for (const rep of reps) {
        n += 1;
        await world.api.post('/api/v1/deals', {
          name: `Forecast ${q} ${n}`, account_id: account.id, unit_id: account.unit_id, stage_id: s.id, owner_id: rep.id, currency: 'USD',
          amount: `${(1000 + n * 137.25).toFixed(2)}`, expected_close_at: iso(start + (5 + n) * DAY),
        });
      }
    }
  }
  // a deal in the first stage with a probability of its own (commit, whatever its stage says)
  await world.api.post('/api/v1/deals', {
    name: 'Sure thing', account_id: account.id, unit_id: account.unit_id, stage_id: open[0].id, owner_id: reps[0].id, currency: 'USD',
    amount: '7777.77', probability: 0.9, expected_close_at: iso(b.from + 20 * DAY),
  });
  // won now (in this quarter), by the first rep
  const won = stages.find((s) => s.kind === 'won');
  await world.api.post('/api/v1/deals', { name: 'Won now', account_id: account.id, unit_id: account.unit_id, stage_id: won.id, owner_id: reps[0].id, amount: '4321.09', currency: 'USD' });

  for (const [user, q, amount] of [[reps[0], quarter, '5000.00'], [reps[1], quarter, '12000.00'], [reps[0], next, '9000.00']]) {
    const qb = bounds(q);
    quotas.push(await world.api.post('/api/v1/quotas', {
      user_id: user.id, period_start: iso(qb.from), period_end: iso(qb.to), amount, currency: 'USD',
    }));
  }
});
after(async () => { if (world) await world.close(); });

// A group's name as the screen writes it.
const groupName = (key) => (!key || (key.id === null && (key.name === null || key.name === undefined)) ? 'None' : (key.name && key.name.trim()) || `#${key.id}`);

// Formats values in the page's locale as lib/format.js does: [kind, value] → text.
function formatIn(page, items) {
  return page.evaluate((list) => list.map(([kind, v]) => {
    if (v === null || v === undefined) return '–';
    if (kind === 'percent') return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(v);
    if (kind === 'money') return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(v));
    if (kind === 'days') return new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(v);
    return new Intl.NumberFormat(undefined).format(v);
  }), items);
}

// The rows of a table: [{head, cells: {testid: text}}], body rows then footer rows.
function rowsOf(page, testid) {
  return page.getByTestId(testid).evaluate((t) => [...t.querySelectorAll('tbody tr, tfoot tr')].map((r) => ({
    head: r.querySelector('th').textContent.trim(),
    cells: Object.fromEntries([...r.querySelectorAll('td[data-testid]')].map((td) => [td.dataset.testid, td.textContent.trim()])),
  })));
}

// The rows a table should have: spec(group) → {testid: [kind, value]} for each group and the total.
async function expectedRows(page, groups, total, totalName, spec, name = (g) => groupName(g.key)) {
  const rows = [...groups.map((g) => ({ head: name(g), g })), ...(total ? [{ head: totalName, g: total }] : [])];
  const out = [];
  for (const r of rows) {
    const s = spec(r.g);
    const texts = await formatIn(page, Object.values(s));
    out.push({ head: r.head, cells: Object.fromEntries(Object.keys(s).map((k, i) => [k, texts[i]])) });
  }
  return out;
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.state.loading, [aria-busy="true"]'), null, { timeout: 20000 });
}

const winSpec = (g) => ({ 'win-rate': ['percent', g.win_rate] });
const pipeSpec = (g) => ({ 'pipeline-amount': ['money', g.amount] });
const stageSpec = (s) => ({
  reached: ['number', s.reached], advanced: ['number', s.advanced], conversion: ['percent', s.conversion],
  'won-after': ['number', s.won], 'median-days': ['days', s.median_days],
});
const forecastSpec = (g) => ({
  'forecast-won': ['money', g.won.amount], 'forecast-commit': ['money', g.commit.amount], 'forecast-best_case': ['money', g.best_case.amount],
  'forecast-pipeline': ['money', g.pipeline.amount], 'forecast-expected': ['money', g.expected.amount], 'forecast-weighted': ['money', g.weighted_amount],
});
const quotaSpec = (g) => ({ 'quota-amount': ['money', g.quota], 'quota-won': ['money', g.won_amount], 'quota-attainment': ['percent', g.attainment] });

// The forecast of quarter q recomputed from the deals and the stages: totals in cents per category.
async function forecastFromRecords(q, commit, bestCase) {
  const b = bounds(q);
  const deals = await all('/api/v1/deals');
  const byId = new Map(stages.map((s) => [s.id, s]));
  const sum = { won: 0, commit: 0, best_case: 0, pipeline: 0, expected: 0, count: 0 };
  for (const d of deals) {
    if (d.outcome === 'won' && d.closed_at && Date.parse(d.closed_at) >= b.from && Date.parse(d.closed_at) < b.to) sum.won += cents(d.amount);
    if (d.outcome !== 'open' || !d.expected_close_at) continue;
    const t = Date.parse(d.expected_close_at);
    if (t < b.from || t >= b.to) continue;
    const p = d.probability ?? byId.get(d.stage_id).probability;
    const cat = p >= commit ? 'commit' : p >= bestCase ? 'best_case' : 'pipeline';
    sum[cat] += cents(d.amount);
    sum.expected += cents(d.amount);
    sum.count += 1;
  }
  return sum;
}

test('grouped by manager, every panel shows what the API answers, and the forecast and quotas agree with the records', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dashboards/deals?by=manager' });
  for (const id of ['winrate-title', 'pipeline-title', 'conversion-title', 'forecast-title', 'quota-title']) {
    await page.locator(`section[aria-labelledby="${id}"] canvas`).first().waitFor();
  }
  await settled(page);
  const get = (p) => world.api.get(`/api/v1/deal-stats/${p}`);

  const win = await get('winrate?by=manager');
  assert.ok(win.groups.length >= 2, 'the demo has managers with closed deals');
  assert.deepEqual(await rowsOf(page, 'winrate-table'), await expectedRows(page, win.groups, win.total, 'All deals', winSpec));
  const pipe = await get('pipeline?by=manager');
  assert.deepEqual(await rowsOf(page, 'pipeline-table'), await expectedRows(page, pipe.groups, pipe.total, 'All deals', pipeSpec));

  // conversion: all deals first, then a manager picked in "Funnel of"
  const conv = await get('conversion?by=manager');
  assert.ok(conv.total.stages.length >= 3, 'the demo deals have stage histories');
  const stageRows = (g) => expectedRows(page, g.stages, null, '', stageSpec, (s) => groupName(s.stage));
  const cycleRows = (g) => expectedRows(page, ['won', 'lost'].map((k) => ({ k, ...g.sales_cycle[k] })), null, '',
    (c) => ({ 'cycle-count': ['number', c.count], 'cycle-median': ['days', c.median_days], 'cycle-mean': ['days', c.mean_days] }),
    (c) => (c.k === 'won' ? 'Won' : 'Lost'));
  assert.deepEqual(await rowsOf(page, 'conversion-table'), await stageRows(conv.total));
  assert.deepEqual(await rowsOf(page, 'cycle-table'), await cycleRows(conv.total));
  const pick = conv.groups.findIndex((g) => g.stages.length > 0 && JSON.stringify(g.stages) !== JSON.stringify(conv.total.stages));
  assert.ok(pick >= 0, 'a manager whose funnel differs from the whole one');
  await page.getByLabel('Funnel of', { exact: true }).selectOption(String(pick));
  await page.locator(`[data-testid="conversion-table"][data-group="${pick}"]`).waitFor();
  assert.deepEqual(await rowsOf(page, 'conversion-table'), await stageRows(conv.groups[pick]));
  assert.deepEqual(await rowsOf(page, 'cycle-table'), await cycleRows(conv.groups[pick]));

  // forecast of this quarter: the API's figures, and its total recomputed from the deals
  const fc = await get(`forecast?by=manager&quarter=${quarter}`);
  assert.equal(await page.getByTestId('forecast-table').getAttribute('data-quarter'), quarter);
  assert.deepEqual(await rowsOf(page, 'forecast-table'), await expectedRows(page, fc.groups, fc.total, 'All deals', forecastSpec));
  const mine = await forecastFromRecords(quarter, fc.commit_probability, fc.best_case_probability);
  for (const k of ['won', 'commit', 'best_case', 'pipeline', 'expected']) {
    assert.equal(cents(fc.total[k].amount), mine[k], `the forecast's ${k} of ${quarter}`);
  }
  assert.ok(mine.commit > 0 && mine.best_case > 0 && mine.pipeline > 0 && mine.won > 0, 'every category has deals');

  // quotas by manager: the API's rows; each rolls up the quotas of the reps below the manager
  const qm = await get(`quota?by=manager&from=${iso(bounds(quarter).from)}&to=${iso(bounds(quarter).to)}`);
  assert.ok(qm.groups.length >= 1);
  assert.deepEqual(await rowsOf(page, 'quota-table'), await expectedRows(page, qm.groups, qm.total, 'All quotas', quotaSpec));
  const managerOf = new Map(reps.map((r) => [r.id, r.manager_id]));
  assert.ok(qm.groups.some((g) => g.key.id === managerOf.get(reps[0].id)), 'the first rep\'s manager has a row');

  // the tooltips of the new charts, under the Content-Security-Policy
  for (const [id, text] of [['conversion-title', 'median days in stage'], ['forecast-title', 'weighted expected'], ['quota-title', 'attainment']]) {
    await page.locator(`section[aria-labelledby="${id}"] .chart-canvas`).hover();
    await page.locator('.chart-tip').filter({ hasText: text }).first().waitFor();
  }
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('the quarter selector changes the forecast and the quotas', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dashboards/deals' });
  await page.locator('section[aria-labelledby="forecast-title"] canvas').first().waitFor();
  await settled(page);
  const first = await rowsOf(page, 'forecast-table');
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/deal-stats/forecast') && r.url().includes(`quarter=${next}`));
  await page.getByLabel('Quarter', { exact: true }).selectOption(next);
  assert.equal((await answer).status(), 200);
  await page.waitForURL(new RegExp(`quarter=${next}`));
  await page.locator(`[data-testid="forecast-table"][data-quarter="${next}"]`).waitFor();
  await settled(page);
  const fc = await world.api.get(`/api/v1/deal-stats/forecast?quarter=${next}`);
  const after = await rowsOf(page, 'forecast-table');
  assert.deepEqual(after, await expectedRows(page, fc.groups, fc.total, 'All deals', forecastSpec));
  assert.notDeepEqual(after, first, 'another quarter, another forecast');
  const mine = await forecastFromRecords(next, fc.commit_probability, fc.best_case_probability);
  assert.equal(cents(fc.total.expected.amount), mine.expected);
  assert.equal(cents(fc.total.won.amount), 0, 'nothing is won in a quarter to come');
  await page.getByRole('heading', { name: `Forecast for ${next} by owner` }).waitFor();

  // quotas by holder: only those meeting the next quarter; attainment recomputed from the deals
  const deals = await all('/api/v1/deals?outcome=won');
  for (const q of [next, quarter]) {
    if (q !== next) {
      await page.getByLabel('Quarter', { exact: true }).selectOption(q);
      await page.waitForURL((u) => !u.search.includes('quarter='));
      await settled(page);
    }
    const b = bounds(q);
    const api = await world.api.get(`/api/v1/deal-stats/quota?by=owner&from=${iso(b.from)}&to=${iso(b.to)}`);
    await page.getByTestId('quota-table').waitFor();
    assert.deepEqual(await rowsOf(page, 'quota-table'), await expectedRows(page, api.groups, api.total, 'All quotas', quotaSpec));
    const held = quotas.filter((x) => Date.parse(x.period_start) < b.to && Date.parse(x.period_end) > b.from);
    assert.deepEqual(api.groups.map((g) => g.key.id).sort(), held.map((x) => x.user_id).sort(), `the quotas meeting ${q}`);
    for (const x of held) {
      const won = deals.filter((d) => d.owner_id === x.user_id && Date.parse(d.closed_at) >= Date.parse(x.period_start)
        && Date.parse(d.closed_at) < Date.parse(x.period_end)).reduce((t, d) => t + cents(d.amount), 0);
      const g = api.groups.find((r) => r.key.id === x.user_id);
      assert.equal(cents(g.won_amount), won, `won against the quota of user ${x.user_id} in ${q}`);
      assert.ok(Math.abs(g.attainment - won / cents(x.amount)) < 1e-9);
    }
  }
  // a year ago: no quota meets it, and the panel says so
  const past = quarterOf(new Date(bounds(quarter).from - 300 * DAY));
  await page.getByLabel('Quarter', { exact: true }).selectOption(past);
  await page.locator(`[data-testid="forecast-table"][data-quarter="${past}"], section[aria-labelledby="forecast-title"] .state.empty`).first().waitFor();
  await page.locator('section[aria-labelledby="quota-title"]').getByText(`No quota covers ${past}.`).waitFor();
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a manager sees the figures of their own scope, as the API answers them for them', async () => {
  const unit = account.unit_id; // the unit of the deals made here
  const unitName = (await world.api.get(`/api/v1/units/${unit}`)).name;
  world.addUser('mina@example.com', 'manager', { unit: unitName });
  const mina = world.clientOf('mina@example.com');
  const page = await newPage(world);
  await signIn(page, 'mina@example.com', { path: '/dashboards/deals?by=manager' });
  await page.locator('section[aria-labelledby="forecast-title"] canvas').first().waitFor();
  await page.getByTestId('quota-table').waitFor();
  await settled(page);
  const fc = await mina.get(`/api/v1/deal-stats/forecast?by=manager&quarter=${quarter}`);
  const everyone = await world.api.get(`/api/v1/deal-stats/forecast?by=manager&quarter=${quarter}`);
  assert.deepEqual(await rowsOf(page, 'forecast-table'), await expectedRows(page, fc.groups, fc.total, 'All deals', forecastSpec));
  const b = bounds(quarter);
  const qm = await mina.get(`/api/v1/deal-stats/quota?by=manager&from=${iso(b.from)}&to=${iso(b.to)}`);
  assert.deepEqual(await rowsOf(page, 'quota-table'), await expectedRows(page, qm.groups, qm.total, 'All quotas', quotaSpec));
  const win = await mina.get('/api/v1/deal-stats/winrate?by=manager');
  const winAll = await world.api.get('/api/v1/deal-stats/winrate?by=manager');
  assert.deepEqual(await rowsOf(page, 'winrate-table'), await expectedRows(page, win.groups, win.total, 'All deals', winSpec));
  assert.ok(win.total.closed < winAll.total.closed || fc.total.expected.count < everyone.total.expected.count,
    'the manager\'s scope is smaller than the administrator\'s');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('grouped by period, the win rate is per quarter and the other panels are by owner', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dashboards/deals' });
  await page.getByTestId('winrate-table').waitFor();
  await page.getByLabel('Group by').selectOption('period');
  await page.getByLabel('Period', { exact: true }).selectOption('quarter');
  await page.waitForURL(/by=period.*period=quarter|period=quarter.*by=period/);
  await page.getByRole('heading', { name: 'Win rate by quarter' }).waitFor();
  await settled(page);
  const win = await world.api.get('/api/v1/deal-stats/winrate?by=period&period=quarter');
  assert.ok(win.groups.length >= 2);
  assert.ok(win.groups.every((g) => /^\d{4}Q[1-4]$/.test(g.key.name)));
  assert.deepEqual(await rowsOf(page, 'winrate-table'), await expectedRows(page, win.groups, win.total, 'All deals', winSpec));
  await page.getByRole('heading', { name: 'Open pipeline by owner' }).waitFor();
  const pipe = await world.api.get('/api/v1/deal-stats/pipeline?by=owner');
  assert.deepEqual(await rowsOf(page, 'pipeline-table'), await expectedRows(page, pipe.groups, pipe.total, 'All deals', pipeSpec));
  const quota = await world.api.get(`/api/v1/deal-stats/quota?by=owner&from=${iso(bounds(quarter).from)}&to=${iso(bounds(quarter).to)}`);
  assert.deepEqual(await rowsOf(page, 'quota-table'), await expectedRows(page, quota.groups, quota.total, 'All quotas', quotaSpec));
  const text = await page.locator('main').innerText();
  for (const bad of ['(null)', 'undefined', 'NaN']) assert.ok(!text.includes(bad), `the screen shows ${bad}`);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('at 390 px the analytics screen fits the width, and every control has a label', async () => {
  const page = await newPage(world, { width: 390, height: 844 });
  await signIn(page, 'admin@example.com', { path: '/dashboards/deals?by=manager' });
  for (const path of ['/dashboards/deals?by=manager', '/dashboards/deals?by=period&period=year', `/dashboards/deals?quarter=${next}`]) {
    await page.goto(path);
    await page.locator('section[aria-labelledby="quota-title"] canvas').first().waitFor();
    await page.locator('section[aria-labelledby="forecast-title"] canvas').first().waitFor();
    await settled(page);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, `${path} scrolls sideways`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], path);
    // every chart is as wide as its card at most
    const wide = await page.evaluate(() => [...document.querySelectorAll('main .chart-canvas')]
      .filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).length);
    assert.equal(wide, 0, `${path}: a chart is wider than the screen`);
  }
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
