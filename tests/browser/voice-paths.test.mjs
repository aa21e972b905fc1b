// voice-paths.test.mjs - the digital paths in the browser against the real server, on a small
// demo database (`kith demo --contacts 300`): the Digital paths screen draws the Sankey chart
// and lists the common paths the API answers to the same session, and asks again when the
// outcome, the support or the steps kept change; a contact's page shows its own path, step by
// step, ending in the purchase it reached.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld({ demo: 300 }); });
after(async () => { if (world) await world.close(); });

const pathsAnswer = (page, check) => page.waitForResponse((r) => {
  const u = new URL(r.url());
  return u.pathname === '/api/v1/voice/paths' && !u.searchParams.has('contact') && check(u.searchParams);
});

async function checkTable(page, answer) {
  const rows = page.locator('[data-testid="paths-table"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), answer.paths.length);
  for (const [i, p] of answer.paths.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute('data-node'), String(p.node));
    assert.equal((await row.locator('th').textContent()).trim(), `${p.steps.join(' → ')}${p.cut ? ' → …' : ''}`);
    assert.equal((await row.locator('td').first().textContent()).trim(), p.converted.toLocaleString('en-US'));
  }
}

// The flows the chart must draw, summed here from the API's prefix tree: parent step -> child
// step (by position), each step -> the outcome (here) and -> "no outcome" (stopped).
function expectedFlows(answer) {
  const byId = new Map(answer.nodes.map((n) => [n.id, n]));
  const flows = new Map();
  const add = (a, b, v) => { if (v > 0) flows.set(`${a}>${b}`, (flows.get(`${a}>${b}`) || 0) + v); };
  for (const n of answer.nodes) {
    const me = `${n.depth}\u00b7${n.step}`;
    if (n.parent !== null) {
      const p = byId.get(n.parent);
      add(`${p.depth}\u00b7${p.step}`, me, n.contacts);
    }
    add(me, 'outcome', n.here);
    add(me, 'open', n.stopped);
  }
  return flows;
}

async function checkSankey(page, answer) {
  const drawn = await page.locator('[data-testid="paths-sankey"] path').evaluateAll((ps) => ps.map((p) => ({
    s: p.dataset.source, t: p.dataset.target, v: Number(p.dataset.value),
  })));
  const got = new Map(drawn.filter((f) => f.t !== 'rare').map((f) => [`${f.s}>${f.t}`, f.v]));
  assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expectedFlows(answer)].sort()));
  // every step's contacts leave it: to a child, the outcome, "no outcome" or the rarer steps
  const out = new Map();
  for (const f of drawn) out.set(f.s, (out.get(f.s) || 0) + f.v);
  for (const n of answer.nodes) {
    const name = `${n.depth}\u00b7${n.step}`;
    const sameName = answer.nodes.filter((m) => `${m.depth}\u00b7${m.step}` === name);
    assert.equal(out.get(name), sameName.reduce((t, m) => t + m.contacts, 0), name);
  }
}

test('the Digital paths screen shows the API\'s Sankey chart and common paths', async () => {
  const page = await newPage(world);
  const first = pathsAnswer(page, (q) => q.get('outcome') === 'purchase' && q.get('min_support') === '10');
  await signIn(page, 'admin@example.com', { path: '/voice/paths' });
  await page.getByRole('heading', { level: 1, name: 'Digital paths' }).waitFor();
  const a0 = await (await first).json();
  const totals = page.getByTestId('paths-totals');
  await totals.waitFor();
  assert.match(await totals.textContent(), new RegExp(`^${a0.converted.toLocaleString('en-US')} of ${a0.contacts.toLocaleString('en-US')} contacts`));
  // a lower support and fewer steps: common paths appear, drawn and listed as answered
  const lower = pathsAnswer(page, (q) => q.get('min_support') === '2' && q.get('max_length') === '2');
  await page.getByLabel('Steps kept').fill('2');
  await page.getByLabel('Support').fill('2');
  await page.getByLabel('Support').press('Tab');
  const a1 = await (await lower).json();
  assert.ok(a1.paths.length > 0, 'the demo has common paths of two steps');
  const img = page.getByRole('img', { name: /Sankey chart of the paths from first touch to purchase/ });
  await img.waitFor();
  await checkSankey(page, a1);
  await checkTable(page, a1);
  // another outcome asks again
  const churn = pathsAnswer(page, (q) => q.get('outcome') === 'churn' && q.get('min_support') === '2');
  await page.getByLabel('Outcome').selectOption('churn');
  const a2 = await (await churn).json();
  assert.equal(a2.outcome, 'churn');
  if (a2.paths.length) await checkTable(page, a2);
  else await page.getByText(/No path to churn was taken/).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});

test("a contact's page shows its own path to its purchase", async () => {
  const orders = await world.api.get('/api/v1/orders?limit=50&sort=id');
  const order = orders.items.find((o) => o.contact_id);
  assert.ok(order, 'the demo has an order naming a contact');
  const own = await world.api.get(`/api/v1/voice/paths?contact=${order.contact_id}`);
  assert.equal(own.contact.reached, true);
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: `/contacts/${order.contact_id}` });
  const section = page.locator('section[aria-labelledby="path-title"]');
  const steps = section.locator('[data-testid="path-steps"] li');
  await steps.first().waitFor();
  assert.equal(await steps.count(), own.contact.steps.length + 1);
  for (const [i, s] of own.contact.steps.entries()) {
    assert.equal(await steps.nth(i).getAttribute('data-step'), s.step);
  }
  assert.equal(await steps.last().getAttribute('data-step'), 'outcome');
  assert.match(await section.getByTestId('path-summary').textContent(), /^Reached purchase on /);
  // the same contact's path by interaction type
  const byType = page.waitForResponse((r) => r.url().includes('/api/v1/voice/paths?') && r.url().includes('step=type'));
  await section.getByLabel('Steps').selectOption('type');
  const t = await (await byType).json();
  await section.locator(`[data-testid="path-steps"] li[data-step="${t.contact.steps[0].step}"]`).first().waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});
