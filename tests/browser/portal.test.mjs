// portal.test.mjs - the customer portal in a phone's browser (390 px; docs/portal.md, "The portal
// application"): a customer accepts its invitation, signs in with its password and with a
// one-time link, sees its interactions and Relationship Value explained, corrects its phone
// (an administrator accepts it in the staff app's correction queue, the customer then sees the
// outcome), and downloads its data. Nothing on any portal screen scrolls sideways at 390 px.
//
// Expected figures are computed here from what the test wrote (the RV of the interactions) or
// read from the staff API (the contact's level), not from the portal's own answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createWorld, newPage, signIn, seedTwoUnits, cspViolations } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const PORTAL_PASSWORD = 'my own portal passphrase';
let world;
let seed;
let zelda;

// The link of the newest message of kind in the outbox beside the database.
function lastLink(kind) {
  const dir = `${world.db}.outbox`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt') && f.includes(`-${kind}-`)).sort();
  const text = readFileSync(path.join(dir, files[files.length - 1]), 'utf8');
  const m = /(\/portal\/(?:accept|sign-in)#token=[A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, text);
  return m[1];
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function portalSignIn(page) {
  await page.goto('/portal/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(zelda.email);
  await page.getByLabel('Password').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
}

before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
  zelda = seed.contacts.north.find((c) => c.first_name === 'Zelda');
  await world.api.patch(`/api/v1/contacts/${zelda.id}`, { phone: '+44 1632 960001' });
  // intro call (+5), site visit (+15, a trigger of level 3), complaint (-8)
  for (const [i, t] of seed.types.entries()) {
    await world.api.post('/api/v1/interactions', {
      contact_id: zelda.id, type_id: t.id, occurred_at: `2026-0${i + 1}-10T10:00:00Z`,
    });
  }
  await world.api.post(`/api/v1/contacts/${zelda.id}/invitations`);
});
after(async () => { if (world) await world.close(); });

test('a customer accepts its invitation, signs in, and sees its interactions and RV explained', async () => {
  const page = await newPage(world, PHONE);
  await page.goto(lastLink('invitation'));
  await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
  await page.getByLabel('Password', { exact: true }).fill(PORTAL_PASSWORD);
  await page.getByLabel('The same password again').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token left the address');
  // signing out, then in again with the password
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  await portalSignIn(page);

  const want = seed.types.reduce((s, t) => s + t.rv, 0);
  const interactions = page.getByRole('region', { name: /Your interactions/ });
  await interactions.getByText(`Your Relationship Value is their sum: +${want}`).waitFor();
  const visit = interactions.getByRole('listitem').filter({ hasText: 'Site visit' });
  await visit.getByText('RV +15').waitFor();
  await visit.getByText(/It builds the relationship/).waitFor();
  await interactions.getByRole('listitem').filter({ hasText: 'Complaint raised' }).getByText(/It strains the relationship/).waitFor();
  assert.equal(await page.locator('[data-field="phone"]').textContent(), '+44 1632 960001');

  // what the company infers, as the staff API sees it, with its meaning
  const rv = await world.api.get(`/api/v1/rv/contacts/${zelda.id}`);
  await page.getByRole('link', { name: 'What we infer' }).click();
  await page.getByRole('heading', { level: 1, name: 'What we infer' }).waitFor();
  assert.equal(await page.locator('[data-inference="rv"]').textContent(), `+${want}`);
  assert.equal(rv.rv, want);
  assert.equal(await page.locator('[data-inference="level"]').textContent(), `Level ${rv.level}`);
  const card = page.locator('section[data-name="relationship_value"]');
  await card.getByText(/sum of the values of your interactions/).waitFor();
  for (const name of ['value_segment', 'rfm_segment', 'reap_lever', 'lookalike_group']) {
    await page.locator(`section[data-name="${name}"]`).getByText('What it is:').waitFor();
  }

  // every screen fits the phone
  for (const [link, heading] of [['My data', 'My data'], ['What we infer', 'What we infer'], ['Who has it', 'Who has it'],
    ['Corrections', 'Corrections'], ['Download', 'Download'], ['Consent', 'Consent'], ['Requests', 'Requests'],
    ['Devices', 'Devices']]) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    // a screen may load several parts at once: wait until none is loading
    await page.waitForFunction(() => ![...document.querySelectorAll('[role="status"]')].some((e) => /Loading/.test(e.textContent)));
    assert.equal(await overflow(page), 0, `${heading} scrolls sideways at 390 px`);
  }
  // the unit holding the contact's record, as a company unit
  await page.getByRole('link', { name: 'Who has it', exact: true }).click();
  const holder = page.getByRole('region', { name: 'Who holds your data' }).getByRole('listitem').filter({ hasText: 'North' });
  await holder.getByText('Company unit').waitFor();
  await holder.getByText(/your record is kept by this unit/).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a customer corrects its phone, staff accept it in the queue, the customer sees the outcome', async () => {
  const portal = await newPage(world, PHONE);
  await portalSignIn(portal);
  await portal.getByRole('link', { name: 'Correct your phone' }).click();
  await portal.getByRole('heading', { level: 1, name: 'Corrections' }).waitFor();
  assert.equal(await portal.getByLabel('Which detail').inputValue(), 'phone');
  // a value the contact's rules refuse is shown at the field
  await portal.getByLabel('Correct value').fill('x'.repeat(60));
  await portal.getByRole('button', { name: 'Send for review' }).click();
  await portal.getByRole('alert').filter({ hasText: 'phone' }).waitFor();
  await portal.getByLabel('Correct value').fill('+44 20 7946 0123');
  await portal.getByLabel('Note for the staff (optional)').fill('I moved');
  await portal.getByRole('button', { name: 'Send for review' }).click();
  const mine = portal.getByRole('region', { name: 'Your corrections' });
  await mine.getByRole('listitem').filter({ hasText: '+44 20 7946 0123' }).getByText('Waiting for review').waitFor();
  assert.equal(await overflow(portal), 0);

  const staff = await newPage(world);
  // the contact's page says a correction waits, and leads to the queue
  await signIn(staff, 'admin@example.com', { path: `/contacts/${zelda.id}` });
  await staff.getByText('The customer proposed a correction to these details in the portal.').waitFor();
  await staff.getByRole('link', { name: 'Review it' }).click();
  await staff.getByRole('heading', { level: 1, name: 'Corrections' }).waitFor();
  assert.equal(new URL(staff.url()).search, `?contact_id=${zelda.id}`);
  const row = staff.getByRole('row').filter({ hasText: '+44 20 7946 0123' });
  await row.getByText('+44 1632 960001').waitFor();
  await row.getByRole('button', { name: 'Accept' }).click();
  const accepted = staff.waitForResponse((r) => /\/api\/v1\/corrections\/\d+\/accept$/.test(r.url()));
  await staff.getByRole('button', { name: 'Accept and apply' }).click();
  assert.equal((await accepted).status(), 200);
  await staff.getByText('Correction of Phone accepted.').waitFor();
  await staff.getByText('No correction is waiting for review.').waitFor();
  const contact = await world.api.get(`/api/v1/contacts/${zelda.id}`);
  assert.equal(contact.phone, '+44 20 7946 0123');
  assert.deepEqual(await cspViolations(staff), []);
  await staff.context().close();

  await portal.reload();
  await mine.getByRole('listitem').filter({ hasText: '+44 20 7946 0123' }).getByText('Accepted: your record was changed').waitFor();
  await portal.getByRole('link', { name: 'My data' }).click();
  await portal.locator('[data-field="phone"]').filter({ hasText: '+44 20 7946 0123' }).waitFor();
  await portal.getByRole('link', { name: 'Who has it' }).click();
  await portal.getByText('accepted your correction').waitFor();
  assert.deepEqual(await cspViolations(portal), []);
  assert.deepEqual(portal.pageErrors, []);
  await portal.context().close();
});

test('a customer downloads its data as JSON and as a zip', async () => {
  const page = await newPage(world, PHONE);
  await portalSignIn(page);
  await page.getByRole('link', { name: 'Download', exact: true }).click();
  let wait = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download as JSON' }).click();
  const json = await wait;
  const doc = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.equal(doc.schema, 'kith.dsr-export/1');
  assert.equal(doc.subject.contact_id, zelda.id);
  assert.equal(doc.tables.interactions.rows.length, seed.types.length);
  assert.equal(doc.tables.corrections.rows.length, 1);
  wait = page.waitForEvent('download');
  await page.getByRole('link', { name: /Download as spreadsheets/ }).click();
  const zip = readFileSync(await (await wait).path());
  assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
  assert.deepEqual(await cspViolations(page), []);
  await page.context().close();
});

test('a customer signs in with a one-time link', async () => {
  const page = await newPage(world, PHONE);
  await page.goto('/portal/');
  await page.getByLabel('Email').fill(zelda.email);
  const sent = page.waitForResponse((r) => r.url().endsWith('/portal/api/sign-in-links'));
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  assert.equal((await sent).status(), 202);
  await page.goto(lastLink('sign_in'));
  await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
  assert.equal(new URL(page.url()).hash, '');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
