// layout.test.mjs - usable as people expect: at 390 px wide nothing scrolls sideways and the
// navigation sits behind a Menu button; the keyboard reaches everything with a visible focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, seedTwoUnits } from './harness.mjs';

let world;
let seed;
before(async () => {
  world = await createWorld();
  seed = await seedTwoUnits(world);
  // Zelda reaches the closing stage through a site visit (a trigger of level 3), so that the
  // stage filter below has someone to show; the server derives the stage as it records it.
  const zelda = seed.contacts.north.find((c) => c.first_name === 'Zelda');
  const visit = seed.types.find((t) => t.code === 'cl_site_visit');
  await world.api.post('/api/v1/interactions', { contact_id: zelda.id, type_id: visit.id, occurred_at: new Date().toISOString() });
  assert.equal((await world.api.get(`/api/v1/contacts/${zelda.id}`)).stage, 'closing');
});
after(async () => { if (world) await world.close(); });

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test('at 390 px the screens fit the width and the menu opens and closes', async () => {
  const page = await newPage(world, { width: 390, height: 844 });
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  await page.locator('table.data tbody tr').first().waitFor();
  assert.equal(await overflow(page), 0);
  // The filters wait behind a button; the search box stays in view.
  assert.equal(await page.getByLabel('Stage').isVisible(), false);
  await page.getByRole('button', { name: 'Filters' }).click();
  await page.getByLabel('Stage').selectOption('closing');
  await page.getByRole('link', { name: 'Zelda Quist' }).waitFor();
  await page.getByRole('link', { name: 'Ann Adams' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('link', { name: 'Ann Adams' }).waitFor();
  assert.equal(await overflow(page), 0);

  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.isVisible(), false);
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await nav.getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  assert.equal(await nav.isVisible(), false); // closed after navigating
  await page.getByRole('link', { name: 'Acme Tools' }).click();
  await page.getByRole('heading', { level: 1, name: 'Acme Tools' }).waitFor();
  await page.getByRole('link', { name: 'Zelda Quist' }).waitFor();
  assert.equal(await overflow(page), 0);
  await page.getByRole('link', { name: 'Zelda Quist' }).click();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  assert.equal(await overflow(page), 0);
  await page.context().close();
});

test('keyboard: skip link, focus moves to the new heading, visible focus, dialogs close on Escape', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  await page.locator('table.data tbody tr').first().waitFor();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, 'none');

  // Follow a link with Enter: the new screen's heading takes the focus.
  const link = page.getByRole('link', { name: 'Zelda Quist' });
  await link.focus();
  await page.keyboard.press('Enter');
  const h1 = page.getByRole('heading', { level: 1, name: 'Zelda Quist' });
  await h1.waitFor();
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');

  await page.getByRole('button', { name: 'Edit details' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Edit contact' });
  await dialog.getByLabel('Last name').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.getByRole('button', { name: 'Edit details' }).evaluate((el) => el === document.activeElement), true);
  await page.context().close();
});

test('every form control has a label', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/contacts' });
  const unlabelled = async () => page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML));
  for (const path of ['/contacts', `/contacts/${seed.contacts.north[0].id}`, '/accounts', '/admin/catalogue', '/admin/users', '/settings/tokens']) {
    await page.goto(path);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.locator('main form, main [role="search"], main table').first().waitFor();
    assert.deepEqual(await unlabelled(), [], path);
  }
  await page.context().close();
});
