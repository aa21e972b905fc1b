// wallet.test.mjs - share of wallet on the account page (components/account-wallet.js), on a
// small demo database (`kith demo --contacts 300`, whose accounts mostly carry an estimated
// wallet): a customer's share is the API's, in the page's locale; an estimate entered on the page
// is saved through the API, and the share then shown is revenue / the entered wallet; a value the
// API refuses is shown at its field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld({ demo: 300 }); });
after(async () => { if (world) await world.close(); });

const percent = (page, v) => page.evaluate((x) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(x), v);

test("an account's page shows its share of wallet, and an estimate entered there", async () => {
  const list = (await world.api.get('/api/v1/value/clv?limit=200')).customers;
  const withWallet = list.find((c) => c.share_of_wallet !== null && c.revenue_current > 0);
  const without = list.find((c) => c.wallet === null && c.revenue_current > 0);
  assert.ok(withWallet && without, 'the demo has customers with and without a wallet');

  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: `/accounts/${withWallet.account_id}` });
  const section = page.locator('section[aria-labelledby="account-wallet"]');
  const share = section.locator('strong[data-share]');
  await share.waitFor();
  assert.equal((await share.textContent()).trim(), await percent(page, withWallet.share_of_wallet));
  assert.match(await section.textContent(), /estimate for 2026/);

  // an account without an estimate: enter one, the share follows
  await page.goto(`/accounts/${without.account_id}`);
  await section.getByText('no estimate').waitFor();
  await section.getByRole('button', { name: 'Add estimate' }).click();
  await section.getByLabel('Estimated wallet (a year)').fill('-5');
  await section.getByRole('button', { name: 'Save estimate' }).click();
  await section.locator('.field-error').waitFor(); // the API names the field it refuses
  await section.getByLabel('Estimated wallet (a year)').fill('1000.00');
  await section.getByLabel('Estimate for the year').fill('2026');
  await section.getByRole('button', { name: 'Save estimate' }).click();
  await share.waitFor();
  assert.equal((await share.textContent()).trim(), await percent(page, without.revenue_current / 1000));
  const saved = await world.api.get(`/api/v1/accounts/${without.account_id}`);
  assert.equal(saved.wallet, '1000.00');
  assert.equal(saved.wallet_year, 2026);

  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
