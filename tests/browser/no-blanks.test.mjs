// no-blanks.test.mjs - every screen of the application on a database with unnamed contacts,
// unnamed accounts and empty optional fields: no page's text may contain "(null)", "undefined"
// or "NaN" (a NULL printed by C, a missing field in a JS template, arithmetic on a missing
// number). A contact without a name shows its email, else "Contact #id"; an account without a
// name shows "Account #id".
//
// The world: `kith demo --contacts 300`, then through the API some contacts of the RV exceptions
// (so that the team dashboard lists them) lose their names (a blank last name, no first name),
// one also its email and every optional field; an account loses its name and optional fields.
// Deals on the unnamed account (the demo makes none): one open and one lost without a name,
// amount, owner, dates or reason. A quota of 0 this quarter (its attainment has no value) for a
// user who has a manager, so that the deal analytics show a quota row and a manager's row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
let bare; // contacts without a name: [with email, without email]
let account; // an account without a name
let bareDeals; // deals without a name or optional fields: [open, lost]
let bareIdea; // an idea of a contact without a name
let bareSurvey; // a survey with nothing optional and no answers
before(async () => {
  world = await createWorld({ demo: 300 });
  // two exceptions of one team, whose manager mia will be
  const ex = await world.api.get('/api/v1/rv/exceptions?by=team&limit=1000');
  const byTeam = new Map();
  for (const x of ex.exceptions.filter((e) => e.group)) byTeam.set(x.group.value, [...(byTeam.get(x.group.value) || []), x]);
  const [team, two] = [...byTeam].find(([, xs]) => xs.length >= 2);
  assert.ok(two, 'the demo has a team with two RV exceptions');
  world.addUser('mia@example.com', 'manager', { team });
  const ids = two.slice(0, 2).map((x) => x.contact_id);
  const blank = { first_name: null, last_name: ' ' };
  bare = [
    await world.api.patch(`/api/v1/contacts/${ids[0]}`, { ...blank, email: 'no.name@example.com' }),
    await world.api.patch(`/api/v1/contacts/${ids[1]}`, {
      ...blank, email: null, phone: null, title: null, buying_role: null, source: null, owner_id: null, custom: null,
    }),
  ];
  const accounts = await world.api.get('/api/v1/accounts?limit=1');
  account = await world.api.patch(`/api/v1/accounts/${accounts.items[0].id}`, {
    name: ' ', industry: null, territory: null, annual_revenue: null, revenue_band: null, currency: null, source: null,
    owner_id: null, custom: null,
  });
  const stages = (await world.api.get('/api/v1/deal-stages?sort=position')).items.filter((s) => s.unit_id === null);
  bareDeals = [];
  for (const kind of ['open', 'lost']) {
    bareDeals.push(await world.api.post('/api/v1/deals', { account_id: account.id, stage_id: stages.find((s) => s.kind === kind).id }));
  }
  const managed = (await world.api.get('/api/v1/users?limit=200')).items.find((u) => u.manager_id !== null);
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3) * 3;
  await world.api.post('/api/v1/quotas', {
    user_id: managed.id, amount: '0.00', currency: 'USD',
    period_start: new Date(Date.UTC(now.getUTCFullYear(), q, 1)).toISOString(), period_end: new Date(Date.UTC(now.getUTCFullYear(), q + 3, 1)).toISOString(),
  });
  // the voice screens: an idea of the contact without name or email, without a body or product;
  // a survey without purpose, channel or answers
  bareIdea = await world.api.post('/api/v1/ideas', { contact_id: bare[1].id, title: 'An idea' });
  bareSurvey = await world.api.post('/api/v1/surveys', { name: 'Bare survey', questions: { items: [{ id: 'q1', kind: 'text', text: 'Anything?' }] } });
  await world.restart(); // the RV snapshot and exceptions with the new names
});
after(async () => { if (world) await world.close(); });

const BAD = ['(null)', 'undefined', 'NaN'];

// Waits until the screen has drawn (its heading, nothing loading), then checks its text.
async function check(page, path) {
  await page.goto(`${world.url}${path}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.state.loading, [aria-busy="true"]'), null, { timeout: 20000 });
  const text = await page.locator('body').innerText();
  for (const bad of BAD) assert.ok(!text.includes(bad), `${path} shows "${bad}": …${text.slice(Math.max(0, text.indexOf(bad) - 80), text.indexOf(bad) + 40)}…`);
  return text;
}

test('no screen shows (null), undefined or NaN for records without names or optional fields', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com');
  const users = await world.api.get('/api/v1/users?limit=1');
  for (const path of ['/contacts', '/accounts', `/accounts/${account.id}`, '/dashboards/units', '/dashboards/value',
    '/admin/catalogue', '/admin/users', `/admin/users/${users.items[0].id}`, '/settings/tokens',
    '/deals', `/deals/${bareDeals[0].id}`, `/deals/${bareDeals[1].id}`, '/dashboards/deals', '/dashboards/deals?by=source',
    '/dashboards/deals?by=manager', '/dashboards/deals?by=period&period=quarter', '/dashboards/deals?by=product&quarter=2020Q1',
    '/dashboards/deals?by=stage', '/corrections', '/corrections?status=accepted']) {
    await check(page, path);
  }
  // an unnamed deal is "Deal #id" on the board and its page; its account "Account #id"
  const board = await check(page, '/deals');
  assert.ok(board.includes(`Deal #${bareDeals[0].id}`));
  // a card names its account once it is on screen: the deal is the last of its column
  await page.locator(`.deal-card[data-deal="${bareDeals[0].id}"]`).scrollIntoViewIfNeeded();
  await page.locator(`.deal-card[data-deal="${bareDeals[0].id}"] .deal-account`).filter({ hasText: `Account #${account.id}` }).waitFor();
  const named = await page.locator('body').innerText(); // with the names the cards ask for
  for (const bad of BAD) assert.ok(!named.includes(bad), `/deals shows "${bad}"`);
  await check(page, `/deals/${bareDeals[1].id}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Deal #${bareDeals[1].id}`);
  const deals = await check(page, `/accounts/${account.id}`);
  assert.ok(deals.includes(`Deal #${bareDeals[0].id}`) && deals.includes(`Deal #${bareDeals[1].id}`));
  // the voice screens; an unnamed contact's idea names it "Contact #id"
  await check(page, '/voice/surveys');
  await check(page, `/voice/surveys/${bareSurvey.id}`);
  await check(page, '/voice/ideas');
  await page.locator(`[data-idea="${bareIdea.id}"] a`).filter({ hasText: `Contact #${bare[1].id}` }).waitFor();
  // an unnamed contact: its email, else "Contact #id", as the page title and in the lists
  const withEmail = await check(page, `/contacts/${bare[0].id}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'no.name@example.com');
  assert.ok(withEmail.includes('no.name@example.com'));
  await check(page, `/contacts/${bare[1].id}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Contact #${bare[1].id}`);
  await check(page, `/accounts/${account.id}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Account #${account.id}`);
  const contacts = await check(page, '/contacts?q=no.name');
  assert.ok(contacts.includes('no.name@example.com'));
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();

  // the team dashboard of a manager, whose exceptions name the unnamed contacts
  const manager = await newPage(world);
  await signIn(manager, 'mia@example.com');
  const text = await check(manager, '/dashboards/team');
  await manager.locator('.exceptions li').first().waitFor();
  for (const c of bare) {
    const item = manager.locator(`.exceptions li[data-contact="${c.id}"] a`);
    await item.waitFor();
    assert.equal((await item.textContent()).trim(), c.email || `Contact #${c.id}`);
  }
  assert.ok(!text.includes('(null)'));
  await manager.context().close();
});
