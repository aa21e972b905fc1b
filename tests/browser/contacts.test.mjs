// contacts.test.mjs - the contacts list (search, filters, paging) and a contact's page (log an
// interaction, see it on the timeline, edit details).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, seedTwoUnits, cspViolations } from './harness.mjs';

let world;
let seed;
before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
  // A contact's stage is derived from its interactions: a site visit (a level-3 trigger) takes
  // Ann Hughes to level 4, whose phase is closing; the others have no interaction and no stage.
  const hughes = seed.contacts.north.find((c) => c.last_name === 'Hughes');
  const visit = seed.types.find((t) => t.code === 'cl_site_visit');
  await world.api.post('/api/v1/interactions', { contact_id: hughes.id, type_id: visit.id, occurred_at: new Date(Date.now() - 86400e3).toISOString() });
});
after(async () => { if (world) await world.close(); });

test('search finds a contact by the beginning of a name', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  const rows = page.locator('table.data tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 10); // all of both units, for the administrator

  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/contacts?') && r.url().includes('q=quis'));
  await page.getByLabel('Search contacts').fill('quis');
  await searched;
  await page.getByRole('link', { name: 'Zelda Quist' }).waitFor();
  await rows.filter({ hasText: 'Adams' }).waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 1);
  assert.match(page.url(), /[?&]q=quis/); // the search is in the address: reload and links keep it

  await page.getByRole('link', { name: 'Zelda Quist' }).click();
  await page.getByRole('heading', { level: 1, name: 'Zelda Quist' }).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  await page.context().close();
});

test('filters, sort and cursor pages', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts?stage=closing' });
  await page.getByRole('link', { name: 'Ann Hughes' }).waitFor();
  assert.equal(await page.locator('table.data tbody tr').count(), 1);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('link', { name: 'Otto Southby' }).waitFor();

  // Sort by name descending, then walk pages of 50 with the API's cursor: add rows first.
  const desc = page.waitForResponse((r) => r.url().includes('sort=-last_name'));
  await page.getByRole('button', { name: 'Name' }).click(); // ascending is the default: this flips it
  await desc;
  await page.locator('table.data tbody tr').first().filter({ hasText: 'Southby' }).waitFor();
  assert.equal(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'), 'descending');
  await page.context().close();
});

test('paging walks the list with next and previous', async () => {
  for (let i = 0; i < 55; i++) {
    await world.api.post('/api/v1/contacts', { last_name: `Pager${String(i).padStart(2, '0')}`, unit_id: seed.north.id });
  }
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts?q=pager' });
  const rows = page.locator('table.data tbody tr');
  await page.getByRole('link', { name: 'Pager00' }).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.getByRole('link', { name: 'Pager54' }).waitFor();
  assert.equal(await rows.count(), 5);
  await page.getByText('Page 2').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Next →' }).isDisabled(), true);
  await page.getByRole('button', { name: '← Previous' }).click();
  await page.getByRole('link', { name: 'Pager00' }).waitFor();
  await page.context().close();
});

test('log an interaction and see it on the timeline', async () => {
  const page = await newPage(world);
  const zelda = seed.contacts.north.find((c) => c.last_name === 'Quist');
  await signIn(page, 'nora@example.com', { path: `/contacts/${zelda.id}` });
  await page.getByRole('heading', { level: 1, name: 'Zelda Quist' }).waitFor();
  await page.getByText('Nothing has happened with this contact yet.').waitFor();

  // The type picker shows each type's RV and cost.
  const picker = page.getByLabel('Interaction type');
  const option = picker.locator('option', { hasText: 'Site visit' });
  assert.match(await option.textContent(), /RV \+15, cost .*240\.00/);
  await picker.selectOption({ label: await option.textContent() });
  await page.getByText('trigger: moves the contact to the next level').waitFor();
  await page.getByLabel('Outcome').fill('met the plant manager');
  await page.getByLabel('Notes').fill('Walked the new extrusion line together.');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/interactions') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Log interaction' }).click();
  const response = await created;
  assert.equal(response.status(), 201);
  const rec = await response.json();
  assert.equal(rec.rv, 15);
  assert.equal(rec.cost, '240.00');
  assert.equal(rec.contact_id, zelda.id);

  const item = page.locator('.timeline li').first();
  await item.filter({ hasText: 'Site visit' }).waitFor();
  assert.match(await item.textContent(), /RV \+15/);
  assert.match(await item.textContent(), /Walked the new extrusion line together\./);
  await page.getByRole('status').filter({ hasText: 'Logged “Site visit”' }).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('edit a contact: the change is saved and shown; a refused value is shown at its field', async () => {
  const page = await newPage(world);
  const ann = seed.contacts.north[0];
  await signIn(page, 'nora@example.com', { path: `/contacts/${ann.id}` });
  await page.getByRole('button', { name: 'Edit details' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit contact' });
  await dialog.getByLabel('Job title').fill('Plant Director');
  await dialog.getByLabel('Email').fill('ann@localhost'); // the browser lets it through, the API does not
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.locator('.field-error').filter({ hasText: /email/i }).waitFor();
  await dialog.getByLabel('Email').fill('ann.adams@acme.example');
  const saved = page.waitForResponse((r) => r.request().method() === 'PATCH');
  await dialog.getByRole('button', { name: 'Save' }).click();
  assert.equal((await saved).status(), 200);
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('.details').getByText('Plant Director').waitFor();
  await page.context().close();
});
