// signin.test.mjs - signing in and out through the browser, with the __Host- session cookie over
// plain http on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld(); });
after(async () => { if (world) await world.close(); });

test('a wrong password is refused with a message; the right one opens the contacts list', async () => {
  const page = await newPage(world);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();

  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/contacts');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === '__Host-kith');
  assert.ok(session, 'the browser kept the __Host- session cookie');
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a deep link survives signing in, and a reload keeps the session', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/settings/tokens' });
  await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
  await page.context().close();
});

test('sign-out ends the session', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  const signedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'DELETE');
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.equal((await signedOut).status(), 204);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText('You have signed out.').waitFor();
  assert.equal((await page.context().cookies()).find((c) => c.name === '__Host-kith'), undefined);
  // The server has forgotten the session: the API refuses, and Back or a reload shows sign-in.
  const status = await page.evaluate(async () => (await fetch('/api/v1/contacts')).status);
  assert.equal(status, 401);
  await page.goBack();
  assert.equal(new URL(page.url()).pathname, '/contacts');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.locator('table.data').count(), 0);
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.context().close();
});

test('a session ended elsewhere sends the user to sign in with a notice, then back where they were', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
  await page.locator('main').getByText('No contacts yet.').waitFor();
  await page.context().clearCookies(); // as if the session had expired
  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.getByText('Your session has ended').waitFor();
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await page.context().close();
});
