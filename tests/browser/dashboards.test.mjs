// dashboards.test.mjs - Relationship Value in the browser, against the real server: a contact's RV
// and chart change when an interaction is logged; an exception appears live on a manager's
// dashboard when another user's interaction (through the API, with that user's token) moves a
// contact of the team out of its norm; a partner sees its own unit exactly and the others only
// as aggregates (suppressed or noised), and reaches no contact of another unit.
//
// The world: North (business unit, 12 contacts), South (partner, 3), West (distributor, 2). Every
// contact's first interaction is 30 days old, so the team norms have one row with every member
// at the contacts' age: North's RVs are 5 x4, 10 x6, 15, 20 (p10 5, p90 14.5); South's 5, 10, 15.
// The server is restarted after seeding so that its live norm covers all of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, seedTwoUnits, cspViolations } from './harness.mjs';

let world;
let seed;
let north; // contacts of North by last name
const DAY = 86400000;
const ago = (days, minutes = 0) => new Date(Date.now() - days * DAY + minutes * 60000).toISOString();

before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
  const west = await world.api.post('/api/v1/units', { name: 'West', kind: 'distributor' });
  const westTeam = await world.api.post('/api/v1/teams', { name: 'West closing', kind: 'closing', unit_id: west.id });
  world.addUser('ned@example.com', 'frontline', { unit: 'North', team: 'North closing' });
  world.addUser('mia@example.com', 'manager', { unit: 'North', team: 'North closing' });
  world.addUser('pat@example.com', 'partner', { unit: 'South', team: 'South closing' });
  world.addUser('wes@example.com', 'frontline', { unit: 'West', team: 'West closing' });

  const more = async (unit, team, names) => {
    const out = [];
    for (const last of names) {
      out.push(await world.api.post('/api/v1/contacts', { first_name: 'Bo', last_name: last, unit_id: unit.id, team_id: team.id }));
    }
    return out;
  };
  const northAll = [...seed.contacts.north, ...await more(seed.north, seed.northTeam, ['Ingram', 'Jones', 'Keller'])];
  const southAll = [...seed.contacts.south, ...await more(seed.south, seed.southTeam, ['Lowe', 'Moss'])];
  const westAll = await more(west, westTeam, ['Nash', 'Owens']);
  north = Object.fromEntries(northAll.map((c) => [c.last_name, c]));

  // Introductory calls (+5 each), the first 30 days ago. North: the reps nora and ned.
  const intro = seed.types.find((t) => t.code === 'aq_intro_call');
  const calls = async (client, contact, n) => {
    for (let i = 0; i < n; i++) {
      await client.post('/api/v1/interactions', { contact_id: contact.id, type_id: intro.id, occurred_at: ago(30, i * 60), direction: 'outbound' });
    }
  };
  const nora = world.clientOf('nora@example.com');
  const ned = world.clientOf('ned@example.com');
  const northCalls = { Adams: 1, Baker: 1, Clarke: 1, Quist: 1, Dixon: 2, Evans: 2, Fisher: 2, Ingram: 2, Jones: 2, Keller: 2, Grant: 3, Hughes: 4 };
  for (const [i, [last, n]] of Object.entries(northCalls).entries()) await calls(i % 2 ? ned : nora, north[last], n);
  const sam = world.clientOf('sam@example.com');
  for (const [i, c] of southAll.entries()) await calls(sam, c, i + 1);
  const wes = world.clientOf('wes@example.com');
  for (const c of westAll) await calls(wes, c, 1);
  await world.restart();
});
after(async () => { if (world) await world.close(); });

test("log an interaction: the contact's RV, position and chart change", async () => {
  const page = await newPage(world);
  const ann = north.Adams;
  const firstRv = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rv/contacts/${ann.id}`));
  await signIn(page, 'nora@example.com', { path: `/contacts/${ann.id}` });
  assert.equal((await firstRv).status(), 200);
  const total = page.getByTestId('rv-total');
  await total.filter({ hasText: '+5' }).waitFor();
  const caption = page.locator('section[aria-labelledby="rv-title"] figcaption');
  await caption.filter({ hasText: 'Ann Adams: RV 5 at 30 days' }).waitFor();
  await page.locator('section[aria-labelledby="rv-title"] canvas').first().waitFor();
  // the chart's numbers (the table under it): the contact's line at its last age bucket
  const lastRow = page.locator('section[aria-labelledby="rv-title"] table.rv-numbers tbody tr').last();
  const contactAt = async () => (await lastRow.locator('td').first().textContent()).trim();
  assert.equal(await contactAt(), '5');
  assert.match(await page.getByTestId('rv-position').textContent(), /Within its norm/);
  assert.match(await page.getByTestId('rv-stage').textContent(), /\w/);
  assert.match(await page.getByTestId('rv-level').textContent(), /^\d+$/);

  const picker = page.getByLabel('Interaction type');
  const option = picker.locator('option', { hasText: 'Site visit' });
  await picker.selectOption({ label: await option.textContent() });
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/interactions') && r.request().method() === 'POST');
  const reloaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rv/contacts/${ann.id}`));
  await page.getByRole('button', { name: 'Log interaction' }).click();
  assert.equal((await created).status(), 201);
  const answer = await (await reloaded).json();
  assert.equal(answer.rv, 20);
  await total.filter({ hasText: '+20' }).waitFor();
  await caption.filter({ hasText: 'Ann Adams: RV 20 at 30 days' }).waitFor();
  assert.equal(await contactAt(), '20');
  // 20 is above p90 (14.5) of North closing at 30 days
  await page.getByTestId('rv-position').filter({ hasText: 'Ahead of its norm' }).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("an exception appears live on the manager's dashboard after another user's interaction", async () => {
  const page = await newPage(world);
  const zelda = north.Quist;
  await signIn(page, 'mia@example.com', { path: '/dashboards/team' });
  await page.getByRole('heading', { level: 1, name: 'Team dashboard' }).waitFor();
  const feed = page.locator('section[aria-labelledby="live-title"]');
  await feed.locator('.exceptions, .state.empty').first().waitFor(); // the current exceptions are loaded
  await feed.locator('.feed-status').filter({ hasText: /^Live/ }).waitFor(); // the stream is open
  assert.equal(await feed.locator('.exception', { hasText: 'Zelda Quist' }).count(), 0);
  // the norm chart and the scorecards of the team are drawn
  await page.locator('section[aria-labelledby="norm-title"] canvas').first().waitFor();
  await page.locator('section[aria-labelledby="cards-title"] tbody tr').first().waitFor();

  // Nora, a frontline user of Mia's team, logs a site visit (+15) through the API: Zelda's RV goes
  // from 5 to 20, above p90 of the team's norm at her age.
  const site = seed.types.find((t) => t.code === 'cl_site_visit');
  const rec = await world.clientOf('nora@example.com').post('/api/v1/interactions', {
    contact_id: zelda.id, type_id: site.id, occurred_at: new Date().toISOString(), direction: 'outbound',
  });
  const item = feed.locator('.exception.fresh', { hasText: 'Zelda Quist' });
  await item.waitFor();
  assert.match(await item.textContent(), /Above p90/);
  assert.match(await item.textContent(), /RV \+20/);
  assert.equal(await item.getByRole('link', { name: 'Zelda Quist' }).getAttribute('href'), `/contacts/${zelda.id}`);
  await feed.getByRole('status').filter({ hasText: 'New exception: Zelda Quist' }).waitFor();
  assert.equal(rec.contact_id, zelda.id);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('rep scorecards sort by RV per cost, and by any other column', async () => {
  const page = await newPage(world);
  await signIn(page, 'mia@example.com', { path: '/dashboards/team' });
  const table = page.locator('section[aria-labelledby="cards-title"] table');
  await table.locator('tbody tr').nth(1).waitFor();
  const reps = (await (await page.request.get('/api/v1/rv/reps')).json()).reps;
  const names = () => table.locator('tbody th').allTextContents();
  const by = (key) => [...reps].sort((a, b) => b[key] - a[key]).map((r) => r.name);
  assert.equal(await table.getByRole('columnheader', { name: 'RV per cost', exact: true }).getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), by('rv_per_cost'));
  await table.getByRole('button', { name: 'RV created' }).click();
  assert.equal(await table.getByRole('columnheader', { name: 'RV created', exact: true }).getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), by('rv'));
  // and from the keyboard: the header is a button
  await table.getByRole('button', { name: 'RV created' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await table.getByRole('columnheader', { name: 'RV created', exact: true }).getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await names(), by('rv').reverse());
  await page.context().close();
});

test('a partner sees its own unit exactly and the others only as aggregates', async () => {
  const page = await newPage(world);
  const units = page.waitForResponse((r) => r.url().includes('/api/v1/rv/units'));
  await signIn(page, 'pat@example.com', { path: '/dashboards/units' });
  const answer = await (await units).json();
  // the API: South is the caller's own (exact), West has fewer than k contacts, no contact anywhere
  const cell = (unit, stage = 'all') => answer.cells.find((c) => c.unit.value === unit && c.stage === stage);
  assert.equal(cell('South').own, true);
  assert.equal(cell('South').n, 3);
  assert.equal(cell('South').p50, 10);
  assert.equal(cell('West').suppressed, true);
  assert.equal(cell('North').own, false);
  assert.ok(!JSON.stringify(answer).includes('contact'), 'no contact in the comparison');

  const grid = page.locator('section[aria-labelledby="grid-title"] table');
  const row = (unit) => grid.locator('tbody tr', { has: page.getByRole('rowheader', { name: new RegExp(`^${unit}`) }) });
  await row('South').first().waitFor();
  assert.match(await row('South').locator('th').textContent(), /yours/);
  assert.match(await row('South').locator('td').first().textContent(), /^10\s*n 3$/);
  assert.match(await row('West').locator('td').first().textContent(), /suppressed/);
  // a partner's privacy policy requires noise (docs/internals/rv.md, "Privacy policy"): North's
  // 12 contacts are noised by default, and suppressed below the noisy threshold
  assert.equal(cell('North').noised, true);
  await row('North').locator('td').first().filter({ hasText: cell('North').suppressed ? 'suppressed' : '≈' }).waitFor();
  await page.locator('section[aria-labelledby="units-title"] canvas').first().waitFor();

  // With noise, the other units' figures are noised or suppressed; the partner's own stay exact.
  const noised = page.waitForResponse((r) => r.url().includes('/api/v1/rv/units?epsilon=1'));
  await page.getByLabel('Noise').selectOption('1');
  const noisy = await (await noised).json();
  const other = noisy.cells.find((c) => c.unit.value === 'North' && c.stage === 'all');
  assert.ok(other.noised || other.suppressed);
  const own = noisy.cells.find((c) => c.unit.value === 'South' && c.stage === 'all');
  assert.deepEqual([own.noised, own.suppressed, own.n, own.p50], [false, false, 3, 10]);
  await row('North').locator('td').first().filter({ hasText: other.suppressed ? 'suppressed' : '≈' }).waitFor();
  assert.match(await row('South').locator('td').first().textContent(), /^10\s*n 3$/);

  // Nothing on the screen leads to a contact, and another unit's contact is out of reach.
  assert.equal(await page.locator('main a[href^="/contacts/"]').count(), 0);
  const adams = north.Adams;
  assert.equal((await page.request.get(`/api/v1/rv/contacts/${adams.id}`)).status(), 404);
  const exceptions = await (await page.request.get('/api/v1/rv/exceptions?limit=1000')).json();
  const northIds = new Set(Object.values(north).map((c) => c.id));
  assert.equal(exceptions.exceptions.filter((x) => northIds.has(x.contact_id)).length, 0);
  await page.goto(`/contacts/${adams.id}`);
  await page.getByRole('heading', { level: 1, name: 'Contact not found' }).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('at 390 px the dashboards fit the width', async () => {
  const page = await newPage(world, { width: 390, height: 844 });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await signIn(page, 'admin@example.com', { path: '/dashboards/team' });
  await page.locator('section[aria-labelledby="cards-title"] tbody tr').first().waitFor();
  await page.locator('section[aria-labelledby="norm-title"] canvas').first().waitFor();
  assert.equal(await overflow(), 0);
  await page.goto('/dashboards/units');
  await page.locator('section[aria-labelledby="grid-title"] tbody tr').first().waitFor();
  assert.equal(await overflow(), 0);
  await page.goto(`/contacts/${north.Hughes.id}`);
  await page.getByTestId('rv-total').waitFor();
  await page.locator('section[aria-labelledby="rv-title"] canvas').first().waitFor();
  assert.equal(await overflow(), 0);
  await page.goto('/dashboards/value');
  await page.locator('section[aria-labelledby="dist-title"] .loading').waitFor({ state: 'detached' });
  assert.equal(await overflow(), 0);
  // every control of the dashboards has a label
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, []);
  await page.context().close();
});
