// access.test.mjs - each role sees what the API lets it: another unit's contact is "not found" to
// a frontline user, and the navigation follows the role from GET /api/v1/session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, seedTwoUnits } from './harness.mjs';

let world;
let seed;
before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
});
after(async () => { if (world) await world.close(); });

test("a frontline user cannot open another unit's contact: it shows as not found", async () => {
  const page = await newPage(world);
  const otto = seed.contacts.south[0];
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${otto.id}`));
  await signIn(page, 'nora@example.com', { path: `/contacts/${otto.id}` });
  assert.equal((await answered).status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Contact not found' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'does not exist, or it is not yours to see' }).waitFor();
  assert.equal(await page.getByText('Otto').count(), 0);

  // Nor does the list show it; their own unit's contacts are there.
  await page.getByRole('link', { name: 'Contacts', exact: true }).click();
  await page.getByRole('link', { name: 'Zelda Quist' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Otto Southby' }).count(), 0);
  await page.context().close();
});

test('the navigation follows the role', async () => {
  const frontline = await newPage(world);
  await signIn(frontline, 'nora@example.com', { path: '/contacts' });
  const nav = frontline.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Contacts' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Interaction catalogue' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Team dashboard' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Unit comparison' }).count(), 0);
  // the screen's own button comes with its module, after the navigation: wait for it
  const create = frontline.getByRole('button', { name: 'New contact' });
  await create.waitFor();
  assert.equal(await create.count(), 1);
  await frontline.context().close();

  const admin = await newPage(world);
  await signIn(admin, 'admin@example.com', { path: '/contacts' });
  const adminNav = admin.getByRole('navigation', { name: 'Main' });
  await adminNav.getByRole('link', { name: 'Users' }).waitFor();
  await adminNav.getByRole('link', { name: 'Interaction catalogue' }).waitFor();
  await adminNav.getByRole('link', { name: 'Team dashboard' }).waitFor();
  await adminNav.getByRole('link', { name: 'Unit comparison' }).waitFor();
  await adminNav.getByRole('link', { name: 'Customer value' }).waitFor();
  await admin.context().close();
});

test('a frontline user reads the catalogue but may not change it: the API says 403, the screen says so', async () => {
  const page = await newPage(world);
  await signIn(page, 'nora@example.com', { path: '/admin/catalogue' });
  await page.getByRole('cell', { name: /Site visit/ }).or(page.getByRole('rowheader', { name: /Site visit/ })).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New type' }).count(), 0);
  const status = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/interaction-types', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: '{}',
    });
    return r.status;
  });
  assert.equal(status, 403);
  await page.context().close();
});

test("an executive sees a partner's accounts but not its contacts, and the screens say why", async () => {
  world.addUser('erin@example.com', 'executive', { unit: 'North' });
  const account = await world.api.post('/api/v1/accounts', { name: 'Southern Mills', unit_id: seed.south.id });
  await world.api.post('/api/v1/contacts', { first_name: 'Sia', last_name: 'Miller', unit_id: seed.south.id, account_id: account.id });
  const page = await newPage(world);
  const otto = seed.contacts.south[0];
  await signIn(page, 'erin@example.com', { path: `/contacts/${otto.id}` });
  await page.getByRole('heading', { level: 1, name: 'Contact not found' }).waitFor();
  assert.equal(await page.getByText('Otto').count(), 0);

  await page.goto(`/accounts/${account.id}`);
  await page.getByRole('heading', { level: 1, name: 'Southern Mills' }).waitFor();
  await page.getByText('South keeps the detail of its contacts private').waitFor();
  assert.equal(await page.getByText('Sia').count(), 0);
  await page.context().close();
});
