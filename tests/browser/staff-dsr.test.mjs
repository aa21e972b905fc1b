// staff-dsr.test.mjs - the staff side of the customer's rights (docs/portal.md): the data-subject
// request queue (/dsrs: soonest due first, overdue flagged, extend, complete, reject, lift, the
// server's refusals shown) and the consent section of a contact's page (the state per purpose
// and channel as the API answers it, and a withdrawal recorded on the customer's behalf).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld(); });
after(async () => { if (world) await world.close(); });

const contact = (first, last) => world.api.post('/api/v1/contacts', {
  first_name: first, last_name: last, email: `${first}.${last}@dsr.example`.toLowerCase(),
});

test('the queue is sorted by due date and flags the overdue request; an extension needs a reason', async () => {
  const a = await contact('Oona', 'Latecombe');
  const b = await contact('Piet', 'Ontime');
  // received long ago: due one month later, long past; the other received now
  const late = await world.api.post('/api/v1/dsrs', { contact_id: a.id, kind: 'objection', received_at: '2026-01-05T10:00:00.000Z' });
  const fresh = await world.api.post('/api/v1/dsrs', { contact_id: b.id, kind: 'restriction' });
  assert.equal(late.overdue, true);
  assert.equal(fresh.overdue, false);

  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dsrs' });
  const rows = page.locator('table.data tbody tr');
  const lateRow = page.locator(`tr[data-dsr-id="${late.id}"]`);
  const freshRow = page.locator(`tr[data-dsr-id="${fresh.id}"]`);
  await lateRow.getByTestId('overdue').waitFor();
  await freshRow.waitFor();
  assert.equal(await freshRow.getByTestId('overdue').count(), 0);
  // soonest due first: the overdue one heads the queue, and the contact links to its page
  assert.equal(await rows.first().getAttribute('data-dsr-id'), String(late.id));
  assert.equal(await lateRow.getByRole('link', { name: 'Oona Latecombe' }).getAttribute('href'), `/contacts/${a.id}`);
  await page.getByTestId('dsr-counts').filter({ hasText: '1 overdue' }).waitFor();

  // extending without a reason: the server's 422 message is shown, nothing changes
  await page.getByRole('button', { name: `Extend request ${late.id}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Extend' }).click();
  const alert = page.getByRole('dialog').getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /reason/i);
  assert.equal((await world.api.get(`/api/v1/dsrs/${late.id}`)).status, 'open');
  // with two months and a reason it is extended, as the API then answers
  await page.getByLabel('Extend by').selectOption('2');
  await page.getByLabel('Reason (the customer reads it)').fill('We need the archive records held off site.');
  await page.getByRole('dialog').getByRole('button', { name: 'Extend' }).click();
  await page.getByRole('status').filter({ hasText: `Request ${late.id}` }).waitFor();
  const extended = await world.api.get(`/api/v1/dsrs/${late.id}`);
  assert.equal(extended.status, 'extended');
  assert.equal(extended.extension_reason, 'We need the archive records held off site.');
  await lateRow.filter({ hasText: 'Extended' }).waitFor();
  // an extended request cannot be extended again: the button is gone
  assert.equal(await page.getByRole('button', { name: `Extend request ${late.id}` }).count(), 0);

  // reject the restriction with a reason; it leaves the queue of what is to be answered
  await page.getByRole('button', { name: `Reject request ${fresh.id}` }).click();
  await page.getByLabel('Reason (the customer reads it)').fill('We could not verify that the request came from you.');
  await page.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
  await freshRow.waitFor({ state: 'detached' });
  assert.equal((await world.api.get(`/api/v1/dsrs/${fresh.id}`)).status, 'rejected');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a completed restriction is lifted from the queue', async () => {
  const c = await contact('Rosalind', 'Restrictwell');
  const d = await world.api.post('/api/v1/dsrs', { contact_id: c.id, kind: 'restriction' });
  await world.api.post(`/api/v1/dsrs/${d.id}/complete`, {});
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dsrs?status=completed' });
  const row = page.locator(`tr[data-dsr-id="${d.id}"]`);
  await row.getByRole('link', { name: 'Rosalind Restrictwell' }).waitFor();
  // only lifting is left to a completed restriction
  assert.deepEqual(await row.getByRole('button').allTextContents(), ['Lift']);
  await page.getByRole('button', { name: `Lift request ${d.id}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Lift' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await world.api.get(`/api/v1/dsrs/${d.id}`)).status, 'lifted');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('completing an erasure from the queue erases the contact', async () => {
  const c = await contact('Philippa', 'Oddington');
  const d = await world.api.post('/api/v1/dsrs', { contact_id: c.id, kind: 'erasure', notes: 'by letter' });
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/dsrs?kind=erasure' });
  const row = page.locator(`tr[data-dsr-id="${d.id}"]`);
  await row.getByRole('link', { name: 'Philippa Oddington' }).waitFor();
  await page.getByRole('button', { name: `Complete request ${d.id}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Erase the contact' }).click();
  await row.waitFor({ state: 'detached' });
  const done = await world.api.get(`/api/v1/dsrs/${d.id}`);
  assert.equal(done.status, 'completed');
  const erased = await world.api.get(`/api/v1/contacts/${c.id}`);
  assert.equal(erased.last_name, '(erased)');
  assert.equal(erased.first_name, null);
  assert.equal(erased.email, null);
  // its page shows it as erased, and its name nowhere
  await page.goto(`/contacts/${c.id}`);
  await page.getByRole('heading', { level: 1, name: /\(erased\)/ }).waitFor();
  assert.equal(await page.getByText('Oddington').count(), 0);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('the consent section shows what the API answers, and a withdrawal recorded there changes it', async () => {
  const c = await contact('Quentin', 'Consentley');
  // a grant on SMS marketing through the API first, so that the page has a state to show
  await world.api.post(`/api/v1/contacts/${c.id}/consents`, { purpose: 'marketing', channel: 'sms', state: 'granted' });
  const before = await world.api.get(`/api/v1/contacts/${c.id}/consents`);
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: `/contacts/${c.id}` });
  await page.getByTestId('consent-marketing-sms').waitFor();
  // every purpose and channel the API lists, with its state and whether a use is allowed
  assert.ok(before.current.length > 5);
  for (const x of before.current) {
    const cell = page.getByTestId(`consent-${x.purpose}-${x.channel}`);
    assert.equal(await cell.getAttribute('data-state'), x.state, `${x.purpose} ${x.channel}`);
    assert.equal(await cell.getAttribute('data-allowed'), String(x.allowed), `${x.purpose} ${x.channel}`);
  }
  assert.equal(before.current.find((x) => x.purpose === 'marketing' && x.channel === 'sms').state, 'granted');

  // the customer withdraws SMS marketing by phone: staff record it on its behalf
  const form = page.getByRole('form', { name: "Record consent on the customer's behalf" });
  await form.getByLabel('Purpose').selectOption('marketing');
  await form.getByLabel('Channel').selectOption('sms');
  await form.getByLabel('The customer').selectOption('withdrawn');
  await form.getByRole('button', { name: 'Record' }).click();
  await form.getByRole('status').filter({ hasText: 'Recorded' }).waitFor();
  const after = await world.api.get(`/api/v1/contacts/${c.id}/consents`);
  const sms = after.current.find((x) => x.purpose === 'marketing' && x.channel === 'sms');
  assert.equal(sms.state, 'withdrawn');
  assert.equal(sms.allowed, false);
  assert.equal(after.history.items[0].state, 'withdrawn');
  await page.locator('[data-testid="consent-marketing-sms"][data-state="withdrawn"]').waitFor();
  // the other channels are as the API now answers them
  for (const x of after.current) {
    assert.equal(await page.getByTestId(`consent-${x.purpose}-${x.channel}`).getAttribute('data-state'), x.state);
  }
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
