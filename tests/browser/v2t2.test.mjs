// v2t2.test.mjs - V2T2 in the browser against the real server, on a small demo database
// (`kith demo --contacts 300`): an account's page draws the Knowledge Frame (the points of view
// on the Value x Volume plane, the delivered tones on the Touch x Tech plane) and lists the
// zones and the advice the V2T2 API answers for it; a manager's V2T2 dashboard shows the
// discord heatmap, the most out-of-tune relationships with their recommendation and the trend,
// as the API answers them to the same session, and asks again for another phase.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
let team;
before(async () => {
  world = await createWorld({ demo: 300 });
  const teams = await world.api.get('/api/v1/teams?limit=1&sort=id');
  team = teams.items[0];
  const unit = await world.api.get(`/api/v1/units/${team.unit_id}`);
  world.addUser('mia@example.com', 'manager', { unit: unit.name, team: team.name });
});
after(async () => { if (world) await world.close(); });

const fmt3 = (v) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 3 });

test("an account's page shows its Knowledge Frame", async () => {
  const list = await world.api.get('/api/v1/v2t2/discord?limit=1');
  assert.ok(list.top.length === 1, 'the demo has an out-of-tune relationship');
  const id = list.top[0].relationship.id;
  const page = await newPage(world);
  const answers = {};
  page.on('response', (r) => {
    const m = /\/api\/v1\/v2t2\/(zones|discord)\?account=/.exec(r.url());
    if (m && r.ok()) answers[m[1]] = r.json();
  });
  await signIn(page, 'admin@example.com', { path: `/accounts/${id}` });
  const section = page.locator('section[aria-labelledby="account-v2t2"]');
  await section.locator('canvas').nth(1).waitFor();
  const zones = await answers.zones;
  const rel = await answers.discord;
  // the planes are labelled for screen readers
  assert.match(await section.getByRole('img').first().getAttribute('aria-label'), /Value by volume/);
  assert.match(await section.getByRole('img').nth(1).getAttribute('aria-label'), /Touch by tech/);
  // the zones table: one row per point of view, in the API's order, with its zone
  const rows = section.locator('[data-testid="v2t2-zones"] tbody tr');
  assert.equal(await rows.count(), zones.places.length);
  for (const [i, p] of zones.places.entries()) {
    assert.equal(await rows.nth(i).getAttribute('data-pov'), p.pov);
    assert.match(await rows.nth(i).locator('td').first().textContent(), new RegExp(`^${p.zone}: ${p.value} value, ${p.volume} volume`));
  }
  // the summary names the customer's zone and what it expects
  const summary = await section.getByTestId('v2t2-summary').textContent();
  assert.ok(summary.includes(rel.zone.zone) && summary.includes(rel.zone.expects.tone), summary);
  // the advice: the cell that weighs most (interactions x discord) first, with the API's words
  let best = null;
  for (const ph of rel.phases) {
    for (const a of ph.agents) {
      if (a.interactions > 0 && a.discord > 0 && (!best || a.interactions * a.discord > best.w)) best = { w: a.interactions * a.discord, a };
    }
  }
  assert.ok(best, 'the most out-of-tune relationship has a cell out of tune');
  const first = section.locator('[data-testid="v2t2-advice"] tbody tr').first();
  assert.equal((await first.locator('td').last().textContent()).trim(), best.a.recommendation);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});

test("a manager's V2T2 dashboard shows the API's heatmap, worst relationships and trend", async () => {
  const page = await newPage(world);
  const listOf = (phase) => page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/v2t2/discord' && u.searchParams.get('limit') === '20'
      && u.searchParams.get('phase') === phase;
  });
  const first = listOf('all');
  await signIn(page, 'mia@example.com', { path: '/dashboards/v2t2' });
  await page.getByRole('heading', { level: 1, name: 'V2T2 discord' }).waitFor();
  const all = await (await first).json();
  assert.ok(all.relationships > 0, 'the manager reads relationships');
  // the heatmap's numbers: every cell as the API answers it
  const heat = page.locator('section[aria-labelledby="v2t2-heat-title"]');
  await heat.locator('canvas').first().waitFor();
  await heat.locator('summary').click();
  for (const c of all.heatmap) {
    const text = await heat.locator(`td[data-cell="${c.phase}:${c.agent}"]`).evaluate((e) => e.firstChild.textContent);
    assert.equal(text, c.relationships ? fmt3(c.discord) : '–', `${c.phase} x ${c.agent}`);
  }
  assert.match(await page.getByTestId('v2t2-totals').textContent(), new RegExp(`${all.placed} of ${all.relationships} relationships`));
  // the most out of tune: the API's order, with the recommendation
  const top = page.locator('[data-testid="v2t2-top"] tbody tr');
  await top.first().waitFor();
  assert.equal(await top.count(), all.top.length);
  for (const [i, t] of all.top.entries()) {
    assert.equal(await top.nth(i).locator('th a').getAttribute('href'), `/${t.relationship.kind}s/${t.relationship.id}`);
    assert.equal((await top.nth(i).locator('td').last().textContent()).trim(), t.worst.recommendation);
  }
  // another phase asks again and lists that answer
  const second = listOf('closing');
  await page.getByLabel('Phase', { exact: true }).selectOption('closing');
  const closing = await (await second).json();
  await page.locator('[data-testid="v2t2-top"] tbody tr th a').first()
    .filter({ hasText: closing.top[0].relationship.name }).waitFor();
  // the trend: a chart and how many quarters have data
  const trend = page.locator('section[aria-labelledby="v2t2-trend-title"]');
  await trend.locator('canvas').first().waitFor();
  assert.match(await page.getByTestId('v2t2-trend').textContent(), /^\d+ of 8 quarters/);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});
