// portal-journey.test.mjs - a customer's whole journey through the portal on a phone (390 px;
// issue 16, docs/portal.md "The portal application"): it signs in, sees its interactions and
// Relationship Value explained, corrects its phone (staff accept it through the staff API),
// withdraws its consent to marketing by SMS and downloads the signed receipt (checked with `kith
// consent verify` against the database's key, and its payload read here), files an access
// request and downloads the export, files an erasure request (confirmed first) that staff
// complete through the staff API, and can no longer sign in. A second test registers a device:
// its token is shown once, the device is paused, its readings are shown, it is deleted.
//
// Expected values come from what the test wrote or from the staff API, never from the portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createWorld, newPage, seedTwoUnits, cspViolations, kith } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const PORTAL_PASSWORD = 'my own portal passphrase';
let world;
let seed;

// The link of the newest invitation message to email in the outbox beside the database.
function invitationLink(email) {
  const dir = `${world.db}.outbox`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt') && f.includes('-invitation-')).sort();
  for (const f of files.reverse()) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const m = /(\/portal\/accept#token=[A-Za-z0-9_-]+)/.exec(text);
    if (m && text.includes(email)) return m[1];
  }
  throw new Error(`no invitation to ${email} in the outbox`);
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

// Invites contact c, accepts the invitation in a new phone-sized page: the page, signed in.
async function invitedPage(c) {
  await world.api.post(`/api/v1/contacts/${c.id}/invitations`);
  const page = await newPage(world, PHONE);
  await page.goto(invitationLink(c.email));
  await page.getByLabel('Password', { exact: true }).fill(PORTAL_PASSWORD);
  await page.getByLabel('The same password again').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
  return page;
}

async function signInForm(page, email) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function go(page, link) {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: link }).waitFor();
  await page.getByText(/^Loading/).first().waitFor({ state: 'detached' });
}

const b64url = (s) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
});
after(async () => { if (world) await world.close(); });

test('a customer signs in, corrects, withdraws consent with a receipt, exports, is erased and cannot sign in', async () => {
  const zelda = seed.contacts.north.find((c) => c.first_name === 'Zelda');
  await world.api.patch(`/api/v1/contacts/${zelda.id}`, { phone: '+44 1632 960001' });
  for (const [i, t] of seed.types.entries()) {
    await world.api.post('/api/v1/interactions', { contact_id: zelda.id, type_id: t.id, occurred_at: `2026-0${i + 1}-10T10:00:00Z` });
  }
  let page = await invitedPage(zelda);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInForm(page, zelda.email);
  await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();

  // its RV explained: the sum of what the test wrote
  const want = seed.types.reduce((s, t) => s + t.rv, 0);
  const interactions = page.getByRole('region', { name: /Your interactions/ });
  await interactions.getByText(`Your Relationship Value is their sum: +${want}`).waitFor();
  await interactions.getByRole('listitem').filter({ hasText: 'Site visit' }).getByText(/It builds the relationship/).waitFor();

  // corrects its phone; staff accept through the staff API
  await page.getByRole('link', { name: 'Correct your phone' }).click();
  await page.getByLabel('Correct value').fill('+44 20 7946 0999');
  await page.getByRole('button', { name: 'Send for review' }).click();
  await page.getByRole('region', { name: 'Your corrections' }).getByText('Waiting for review').waitFor();
  const pending = (await world.api.get('/api/v1/corrections?status=pending')).items.filter((c) => c.contact_id === zelda.id);
  assert.equal(pending.length, 1);
  await world.api.post(`/api/v1/corrections/${pending[0].id}/accept`, {});
  assert.equal((await world.api.get(`/api/v1/contacts/${zelda.id}`)).phone, '+44 20 7946 0999');
  await page.reload();
  await page.getByRole('region', { name: 'Your corrections' }).getByText('Accepted: your record was changed').waitFor();

  // withdraws marketing by SMS with one click, downloads the receipt
  await go(page, 'Consent');
  assert.equal(await overflow(page), 0, 'Consent scrolls sideways at 390 px');
  const sms = page.locator('li[data-pair="marketing/sms"]');
  await sms.getByText('Nothing said yet').waitFor();
  await sms.getByRole('button', { name: 'Withdraw Offers and news · SMS' }).click();
  await sms.getByText('Not allowed: you withdrew').waitFor();
  await page.getByRole('status').getByText('Withdrawn: Offers and news · SMS.').waitFor();
  const staffView = await world.api.get(`/api/v1/contacts/${zelda.id}/consents`);
  assert.equal(staffView.current.find((c) => c.purpose === 'marketing' && c.channel === 'sms').state, 'withdrawn');
  const record = staffView.history.items[0];
  const history = page.getByRole('region', { name: 'Your choices so far' });
  const wait = page.waitForEvent('download');
  await history.locator(`li[data-receipt="${record.receipt_id}"]`).getByRole('link', { name: 'Download receipt' }).click();
  const file = await (await wait).path();
  const jws = readFileSync(file, 'utf8').trim();
  const parts = jws.split('.');
  assert.equal(parts.length, 3, 'a compact JWS');
  assert.equal(JSON.parse(b64url(parts[0])).alg, 'EdDSA');
  const payload = JSON.parse(b64url(parts[1]));
  assert.equal(payload.consentReceiptID, record.receipt_id);
  assert.equal(payload.piiPrincipalId, `urn:kith:contact:${zelda.id}`);
  assert.deepEqual([payload.kith.contactId, payload.kith.purpose, payload.kith.channel, payload.kith.state],
    [zelda.id, 'marketing', 'sms', 'withdrawn']);
  kith(world.db, ['consent', 'verify', file]); // throws unless the signature is the database key's

  // exports its data: an access request, answered at once with the export
  await go(page, 'Requests');
  await page.getByLabel('What you ask').selectOption('access');
  await page.getByRole('button', { name: 'Send request' }).click();
  const access = page.locator('li.request.completed').filter({ hasText: 'See my data' });
  await access.getByText('Done').waitFor();
  const dl = page.waitForEvent('download');
  await access.getByRole('link', { name: 'Download the answer (JSON)' }).click();
  const doc = JSON.parse(readFileSync(await (await dl).path(), 'utf8'));
  assert.equal(doc.schema, 'kith.dsr-export/1');
  assert.equal(doc.subject.contact_id, zelda.id);
  assert.equal(doc.tables.interactions.rows.length, seed.types.length);
  assert.equal(doc.tables.contacts.rows[0].phone, '+44 20 7946 0999');

  // files an erasure request: confirmed first
  await page.getByLabel('What you ask').selectOption('erasure');
  await page.getByLabel('Note (optional)').fill('Please forget me.');
  await page.getByRole('button', { name: 'Send request' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Erase your data?' });
  await ask.getByText(/you will no longer be able to sign in/).waitFor();
  await ask.getByRole('button', { name: 'Yes, request erasure' }).click();
  const erasure = page.locator('li.request.open').filter({ hasText: 'Erase my data' });
  await erasure.getByText(/answer due by/).waitFor();
  assert.equal(await overflow(page), 0, 'Requests scrolls sideways at 390 px');
  const queue = (await world.api.get('/api/v1/dsrs?status=open')).items.filter((d) => d.contact_id === zelda.id);
  assert.deepEqual(queue.map((d) => d.kind), ['erasure']);
  assert.equal(await erasure.getAttribute('data-id'), String(queue[0].id));
  // the due date the staff queue holds, as its UTC day in the browser's language
  const dueDay = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso)), queue[0].due_at);
  await erasure.getByText(`answer due by ${dueDay}`).waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);

  // staff complete it; the contact is erased and its portal access gone
  const done = await world.api.post(`/api/v1/dsrs/${queue[0].id}/complete`, {});
  assert.equal(done.status, 'completed');
  const erased = await world.api.get(`/api/v1/contacts/${zelda.id}`);
  assert.equal(erased.email, null);
  assert.equal(erased.phone, null);
  await page.getByRole('link', { name: 'My data', exact: true }).click();
  await page.getByText('Your session ended. Please sign in again.').waitFor();
  await page.context().close();

  page = await newPage(world, PHONE);
  await page.goto('/portal/');
  await signInForm(page, zelda.email);
  await page.getByRole('alert').getByText('wrong email or password').waitFor();
  assert.equal(await page.getByRole('heading', { level: 1, name: 'My data' }).count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  await page.context().close();
});

test('a customer registers a device, sees its token once, pauses it, sees its readings and deletes it', async () => {
  const ann = seed.contacts.north.find((c) => c.last_name === 'Adams');
  const page = await invitedPage(ann);
  await go(page, 'Devices');
  await page.getByText('None yet.').waitFor();
  await page.getByLabel('Name').fill('Cellar boiler');
  await page.getByLabel('Kind').fill('boiler');
  const made = page.waitForResponse((r) => r.url().endsWith('/portal/api/devices') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Register' }).click();
  const token = (await (await made).json()).token;
  assert.match(token, /^kithd_/);
  const shown = page.getByRole('region', { name: 'The token of Cellar boiler' });
  assert.equal(await shown.locator('[data-token]').textContent(), token);
  await shown.getByText('It will not be shown again').waitFor();
  await shown.getByRole('button', { name: 'Copy the token' }).waitFor();
  assert.equal(await overflow(page), 0, 'Devices scrolls sideways at 390 px');

  // the device posts two readings with its token
  const post = (lines) => fetch(`${world.url}/api/v1/streams`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' }, body: lines,
  });
  const sent = await post('{"type":"device.usage","at":"2026-03-01T08:00:00Z","value":{"hours":12}}\n'
    + '{"type":"device.alert","at":"2026-03-02T08:00:00Z","value":"pressure low"}\n');
  assert.ok(sent.ok, `streams answered ${sent.status}`);

  // shown once: a reload lists the device, never the token again
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
  const dev = page.locator('li.device').filter({ hasText: 'Cellar boiler' });
  await dev.getByText('Active').waitFor();
  assert.equal(await page.getByText(token).count(), 0);
  await dev.getByText('Latest readings').click();
  await dev.getByText('device.alert').waitFor();
  await dev.getByText('pressure low').waitFor();
  await dev.getByText('{"hours":12}').waitFor();

  await dev.getByRole('button', { name: 'Pause Cellar boiler' }).click();
  await dev.getByText('Paused', { exact: true }).waitFor();
  assert.equal((await post('{"type":"device.usage","at":"2026-03-03T08:00:00Z","value":1}\n')).status, 403);
  await dev.getByRole('button', { name: 'Resume Cellar boiler' }).waitFor();

  await dev.getByRole('button', { name: 'Delete Cellar boiler' }).click();
  const ask = dev.getByRole('alertdialog');
  await ask.getByText(/Its 2 readings are deleted with it/).waitFor();
  await ask.getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByText('Cellar boiler was deleted.').waitFor();
  await page.getByText('None yet.').waitFor();
  assert.equal((await post('{"type":"device.usage","at":"2026-03-04T08:00:00Z","value":1}\n')).status, 401);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
