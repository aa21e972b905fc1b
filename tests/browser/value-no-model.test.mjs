// value-no-model.test.mjs - the customer value screens when the lifetime value models cannot be
// fitted: twelve accounts with one order each (no repeat purchases). The value API then answers
// 200 with a model_not_fitted warning and predictions from each customer's own history
// (docs/value.md, "Proxy values"); the dashboard says so once, at the top, and shows value to
// date in every section instead of an error or an empty state per section; an account's page
// says it too and shows the proxy for what is predicted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createWorld, newPage, signIn, cspViolations, kith } from './harness.mjs';

let world;
before(async () => {
  world = await createWorld();
  const accounts = path.join(world.dir, 'accounts.csv');
  const orders = path.join(world.dir, 'orders.csv');
  const ids = Array.from({ length: 12 }, (_, i) => i + 1);
  writeFileSync(accounts, `name,industry,revenue_band\n${ids.map((i) => `Acct ${i},Music,small\n`).join('')}`);
  writeFileSync(orders, `account_name,ordered_at,amount,margin\n${ids.map((i) => `Acct ${i},2025-${String(i).padStart(2, '0')}-15T10:00:00Z,${i * 100}.00,${i * 30}.00\n`).join('')}`);
  kith(world.db, ['import', accounts]);
  kith(world.db, ['import', orders]);
});
after(async () => { if (world) await world.close(); });

const SENTENCE = 'Lifetime value needs repeat purchases to fit its model; predictions are each customer\'s own net value to date as a yearly rate.';

test('without repeat purchases the value dashboard explains once and shows value to date', async () => {
  const clv = await world.api.get('/api/v1/value/clv?limit=10');
  assert.equal(clv.warnings[0].code, 'model_not_fitted');
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dashboards/value' });
  await page.getByRole('heading', { level: 1, name: 'Customer value' }).waitFor();
  const notice = page.locator('.notice[data-warning="model_not_fitted"]');
  await notice.waitFor();
  assert.equal(await notice.count(), 1);
  assert.equal((await notice.textContent()).trim(), SENTENCE);
  const section = (id) => page.locator(`section[aria-labelledby="${id}"]`);

  // every section draws its figures: no error, no "did not converge" state
  await section('dist-title').locator('canvas').nth(1).waitFor();
  await section('clv-title').getByRole('heading', { name: 'Top customers by value to date' }).waitFor();
  const links = section('clv-title').locator('tbody th a');
  await links.nth(9).waitFor();
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, clv.customers.map((c) => `/accounts/${c.account_id}`));
  assert.equal(await section('clv-title').locator('thead th').filter({ hasText: 'P(alive)' }).count(), 0);
  await section('rfm-title').locator('table.rfm-grid').waitFor();
  await section('reap-title').locator('.bars li').first().waitFor();
  assert.match(await section('reap-title').locator('.bars').textContent(), /to date/);
  await section('xsell-title').locator('.state.empty').waitFor();
  assert.equal(await page.locator('.state.empty').filter({ hasText: /converge|model/ }).count(), 0);
  assert.equal(await page.getByRole('alert').count(), 0);
  const text = await page.locator('main').innerText();
  for (const bad of ['(null)', 'undefined', 'NaN', 'did not converge']) assert.ok(!text.includes(bad), `the page shows "${bad}"`);

  // an account's page: the same explanation, the proxy from its own history, no P(alive)
  const top = clv.customers[0];
  await page.goto(`${world.url}/accounts/${top.account_id}`);
  const value = page.locator('section[aria-labelledby="account-value"]');
  await value.locator('.notice[data-warning="model_not_fitted"]').waitFor();
  await value.getByText('to date plus a proxy from its own history: no model could be fitted on the data').waitFor();
  await value.getByText('its net value to date as a yearly rate, discounted').waitFor();
  assert.equal(await value.getByText('Still active').count(), 0);
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
