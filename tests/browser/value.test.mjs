// value.test.mjs - the customer value dashboard against the real value routes, on a small demo
// database (`kith demo --contacts 300`: about 35 customers with orders). What the page shows is
// compared with what the API answers the same session: the distribution's figures and Lorenz
// curve, the top customers by lifetime value in the API's order, an RFM grid that counts every
// customer, the REAP lever counts and the cross-sell offers; a change of measure asks again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld({ demo: 300 }); });
after(async () => { if (world) await world.close(); });

const digits = (s) => Number(s.replace(/[^\d]/g, ''));

test('the value dashboard shows what the value API answers', async () => {
  const page = await newPage(world);
  const answers = {};
  page.on('response', async (r) => {
    const m = /\/api\/v1\/value\/(\w+)/.exec(r.url());
    if (m && r.ok()) answers[`${m[1]}${r.url().includes('measure=to_date') ? ':to_date' : ''}`] = r.json();
  });
  await signIn(page, 'admin@example.com', { path: '/dashboards/value' });
  await page.getByRole('heading', { level: 1, name: 'Customer value' }).waitFor();
  const section = (id) => page.locator(`section[aria-labelledby="${id}"]`);

  // the distribution: its figures, the Lorenz curve and the deciles on canvases
  await section('dist-title').locator('canvas').nth(1).waitFor();
  const dist = await answers.dist;
  const customers = dist.overall.customers;
  assert.ok(customers > 10, `the demo has customers (${customers})`);
  assert.match(await section('dist-title').locator('p').first().textContent(), new RegExp(`^${customers} customers`));
  assert.match(await section('dist-title').getByRole('img').first().getAttribute('aria-label'), /Lorenz curve/);

  // top customers: the API's first ten, in its order, each a link to its account
  const clv = await answers.clv;
  const links = section('clv-title').locator('tbody th a');
  await links.nth(clv.customers.length - 1).waitFor();
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, clv.customers.map((c) => `/accounts/${c.account_id}`));
  assert.equal(clv.customers.length, Math.min(10, clv.customers_total));

  // RFM: the 5 x 5 grid counts every customer once
  const rfm = await answers.rfm;
  const cells = section('rfm-title').locator('table.rfm-grid tbody td');
  await cells.nth(24).waitFor();
  const counts = (await cells.allTextContents()).map(digits);
  assert.equal(counts.reduce((a, b) => a + b, 0), rfm.customers_total);
  const first = rfm.customers[0];
  const cell = section('rfm-title').locator(`td[aria-label^="R${first.r}, F${first.f}:"]`);
  assert.ok(digits(await cell.textContent()) >= 1);

  // REAP: one bar per lever with customers, with the API's count
  const reap = await answers.reap;
  const bars = section('reap-title').locator('.bars li');
  await bars.first().waitFor();
  const shown = reap.levers.filter((l) => l.customers > 0);
  assert.equal(await bars.count(), shown.length);
  for (const [i, l] of shown.entries()) {
    assert.equal(digits(await bars.nth(i).locator('.bar-value').evaluate((e) => e.firstChild.textContent)), l.customers);
  }

  // cross-sell: an offer row per offer, and the strongest rules
  const xsell = await answers.xsell;
  assert.ok(xsell.offers.length > 0 && xsell.rules.length > 0, 'the demo has cross-sell rules');
  const tables = section('xsell-title').locator('table');
  await tables.nth(1).waitFor();
  assert.equal(await tables.nth(0).locator('tbody tr').count(), xsell.offers.length);
  assert.equal(await tables.nth(1).locator('tbody tr').count(), xsell.rules.length);
  assert.match(await tables.nth(0).locator('tbody tr').first().textContent(), new RegExp(xsell.offers[0].product.name.replace(/[()]/g, '.')));

  // another measure: the page asks again and shows the new total
  const again = page.waitForResponse((r) => r.url().includes('/api/v1/value/dist?measure=to_date'));
  await page.getByLabel('Measure').selectOption('to_date');
  const toDate = await (await again).json();
  assert.notEqual(toDate.overall.total, dist.overall.total);
  const total = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(toDate.overall.total);
  await section('dist-title').locator('p').first().filter({ hasText: total }).waitFor();

  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("an account's page shows its customer value, lever and offers as the API answers them", async () => {
  // the first customer with an offer, and one account that has never ordered
  const xsell = await world.api.get('/api/v1/value/xsell?limit=1');
  const id = xsell.offers[0].account_id;
  const clv = await world.api.get(`/api/v1/value/clv?account=${id}`);
  const reap = await world.api.get(`/api/v1/value/reap?account=${id}`);
  const offers = (await world.api.get(`/api/v1/value/xsell?account=${id}&offers=5`)).offers;
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: `/accounts/${id}` });
  const section = page.locator('section[aria-labelledby="account-value"]');
  const value = section.getByRole('definition').first();
  await value.locator('strong').waitFor();
  // the lifetime value, in the page's locale, is the API's to the cent
  const shown = await page.evaluate((v) => new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v), clv.value_lifetime);
  const account = await world.api.get(`/api/v1/accounts/${id}`);
  if (!account.currency) assert.equal(await value.locator('strong').textContent(), shown);
  assert.equal(digits(await value.locator('strong').textContent()), Math.round(clv.value_lifetime * 100));
  await section.getByText(reap.reason).waitFor();
  // customer since = the first order; the demo's orders carry margins, so "margin of N orders"
  const since = section.getByRole('term').filter({ hasText: 'Customer since' });
  assert.equal(await since.count(), 1);
  assert.equal(clv.value_kind, 'margin');
  await section.getByText(`margin of ${clv.orders} orders`).waitFor();
  const items = section.getByRole('list', { name: 'Offers for this customer' }).getByRole('listitem');
  assert.equal(await items.count(), offers.length);
  for (const [i, o] of offers.entries()) assert.match(await items.nth(i).textContent(), new RegExp(o.product.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

  // an account without orders is not a customer: a plain empty state, no error
  const all = await world.api.get('/api/v1/accounts?limit=500&fields=id');
  const customers = new Set((await world.api.get('/api/v1/value/clv?limit=10000')).customers.map((c) => c.account_id));
  const none = all.items.find((a) => !customers.has(a.id));
  await page.goto(`${world.url}/accounts/${none.id}`);
  await section.locator('.state.empty').filter({ hasText: 'No orders yet' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  await page.context().close();
});

test('a scope without orders shows empty states, not errors', async () => {
  // a partner whose unit has no account yet: every value route answers 422 no_customers
  const unit = await world.api.post('/api/v1/units', { name: 'Newcomer', kind: 'partner' });
  world.addUser('new@example.com', 'partner', { unit: unit.name });
  const page = await newPage(world);
  const dist = page.waitForResponse((r) => r.url().includes('/api/v1/value/dist'));
  await signIn(page, 'new@example.com', { path: '/dashboards/value' });
  assert.equal((await (await dist).json()).error.code, 'no_customers');
  for (const id of ['dist-title', 'clv-title', 'rfm-title', 'reap-title', 'xsell-title']) {
    await page.locator(`section[aria-labelledby="${id}"] .state.empty`).filter({ hasText: 'No customer has an order yet' }).waitFor();
  }
  assert.equal(await page.getByRole('alert').count(), 0);
  await page.context().close();
});

test('at 390 px the value dashboard fits the width', async () => {
  const page = await newPage(world, { width: 390, height: 844 });
  await signIn(page, 'admin@example.com', { path: '/dashboards/value' });
  await page.locator('section[aria-labelledby="dist-title"] canvas').nth(1).waitFor();
  for (const id of ['clv-title', 'rfm-title', 'reap-title', 'xsell-title']) {
    await page.locator(`section[aria-labelledby="${id}"] table, section[aria-labelledby="${id}"] .bars`).first().waitFor();
  }
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await page.context().close();
});

// ---- fit diagnostics: parameters with intervals, the holdout check (docs/value.md) ----------
// `kith demo --contacts 2000` (about 180 customers): enough for a fit before a holdout a year
// before the as-of day, which the 300-contact demo above is not.
test('the model fit section shows the parameters with intervals and the holdout check as the API answers', async () => {
  const big = await createWorld({ demo: 2000 });
  try {
    const fit = await big.api.get('/api/v1/value/fit');
    const holdout = new Date(Date.parse(fit.as_of) - 365 * 86400000).toISOString().slice(0, 10);
    const check = await big.api.get(`/api/v1/value/check?holdout_from=${holdout}`);
    assert.equal(check.holdout.from, holdout);
    const page = await newPage(big);
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/value/check')) asked.push(new URL(r.url()).searchParams.get('holdout_from')); });
    await signIn(page, 'admin@example.com', { path: '/dashboards/value' });
    const section = page.locator('section[aria-labelledby="fit-title"]');
    await section.locator('canvas').first().waitFor();
    const sig = (v) => page.evaluate((x) => new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 }).format(x), v);
    const dec = (v) => page.evaluate((x) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(x), v);

    // every parameter of both models, its standard error and interval as the API gives them
    const params = [...fit.model.diagnostics.bgnbd, ...fit.model.diagnostics.gamma_gamma];
    const rows = section.locator('table[data-table="parameters"] tbody tr');
    assert.equal(await rows.count(), params.length);
    for (const [i, p] of params.entries()) {
      const cells = await rows.nth(i).locator('th, td').allTextContents();
      assert.equal(cells[1], p.name);
      assert.equal(cells[2], await sig(p.estimate));
      assert.equal(cells[3], await sig(p.se));
      assert.equal(cells[4].trim(), `${await sig(p.ci95_low)} – ${await sig(p.ci95_high)}${p.at_boundary ? ' (at the bound)' : ''}`);
    }

    // the check: one row per frequency, predicted and actual as the API answers them
    assert.deepEqual(asked, [holdout]);
    assert.equal(await section.getByRole('img').first().getAttribute('aria-label'), 'Predicted against actual repeat purchases in the holdout, by repeat purchases in the calibration period');
    const freq = section.locator('table[data-table="check"] tbody tr');
    assert.equal(await freq.count(), check.frequencies.length);
    for (const [i, f] of check.frequencies.entries()) {
      const cells = await freq.nth(i).locator('th, td').allTextContents();
      assert.equal(cells[0], f.frequency);
      assert.equal(cells[2], f.predicted_mean === null ? '–' : await dec(f.predicted_mean));
      assert.equal(cells[3], f.actual_mean === null ? '–' : await dec(f.actual_mean));
    }
    assert.match(await section.locator('p').filter({ hasText: 'mean absolute error' }).textContent(), new RegExp(`mean absolute error ${(await sig(check.mae)).replace('.', '\\.')} `));

    // another holdout: the page asks again and shows its length
    const later = new Date(Date.parse(fit.as_of) - 180 * 86400000).toISOString().slice(0, 10);
    const again = page.waitForResponse((r) => r.url().includes(`holdout_from=${later}`));
    await section.getByLabel('Holdout from').fill(later);
    const next = await (await again).json();
    await section.locator('p').filter({ hasText: `checked on the ${next.holdout.days} days` }).waitFor();

    assert.equal(await page.getByRole('alert').count(), 0);
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(page.pageErrors, []);
    await page.context().close();
  } finally {
    await big.close();
  }
});
