// alike.test.mjs - "customers like this one" on the contact page (components/contact-alike.js), on
// a small demo database (`kith demo --contacts 300`): the panel lists the API's neighbours in its
// order (GET /api/v1/voice/alike, k 5) with what each bought next and the recommended products,
// each neighbour links to its own page, and a user sees only neighbours it may read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld({ demo: 300 }); });
after(async () => { if (world) await world.close(); });

// A contact whose neighbours bought something it lacks (the demo's buyers are accounts' contacts).
async function subject() {
  const contacts = (await world.api.get('/api/v1/contacts?limit=200')).items;
  for (const c of contacts) {
    const a = await world.api.get(`/api/v1/voice/alike?contact=${c.id}&k=5`);
    if (a.recommended.length > 0 && a.neighbours.length === 5) return { c, a };
  }
  throw new Error('no contact of the demo has neighbours with next purchases');
}

test('the contact page lists the customers most like it, with what they bought next', async () => {
  const { c, a } = await subject();
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: `/contacts/${c.id}` });
  const section = page.locator('section[aria-labelledby="alike-title"]');
  const items = section.getByTestId('alike-neighbour');
  await items.first().waitFor();
  assert.equal(await items.count(), a.neighbours.length);
  for (const [i, n] of a.neighbours.entries()) {
    const item = items.nth(i);
    assert.equal(await item.getAttribute('data-id'), String(n.id));
    assert.equal((await item.getByRole('link').textContent()).trim(), n.name || `Contact #${n.id}`);
    const next = (await item.getByTestId('alike-next').textContent()).trim();
    if (n.bought_next.length) assert.equal(next, `Bought next: ${n.bought_next.map((p) => p.name).join(', ')}`);
    else assert.equal(next, 'Bought nothing this contact lacks');
  }
  const rec = (await section.getByTestId('alike-recommended').textContent()).trim();
  assert.equal(rec, `Their next purchases suggest: ${a.recommended.map((p) => p.name).join(', ')}.`);

  // a neighbour's name leads to its page, which has its own neighbours
  const first = a.neighbours[0];
  await items.first().getByRole('link').click();
  await page.waitForURL(`**/contacts/${first.id}`);
  await section.getByTestId('alike-neighbour').first().waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a frontline user sees only neighbours it may read', async () => {
  const units = (await world.api.get('/api/v1/units?limit=50')).items;
  const teams = (await world.api.get('/api/v1/teams?limit=50')).items;
  const team = teams.find((t) => t.unit_id);
  const unit = units.find((u) => u.id === team.unit_id);
  world.addUser('fran@example.com', 'frontline', { unit: unit.name, team: team.name });
  const fran = world.clientOf('fran@example.com');
  const mine = (await fran.get('/api/v1/contacts?limit=500')).items;
  assert.ok(mine.length > 5 && mine.length < 300, 'the frontline user reads some contacts, not all');
  const ids = new Set(mine.map((x) => x.id));
  const c = mine[0];
  const page = await newPage(world);
  await signIn(page, 'fran@example.com', { path: `/contacts/${c.id}` });
  const items = page.locator('section[aria-labelledby="alike-title"]').getByTestId('alike-neighbour');
  await items.first().waitFor();
  for (const id of await items.evaluateAll((els) => els.map((e) => Number(e.dataset.id)))) assert.ok(ids.has(id), `neighbour ${id} is in scope`);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
