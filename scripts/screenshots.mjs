// screenshots.mjs - `make screenshots`: a PNG of every screen of the web application under
// docs/screenshots/, from a fresh demo database (`kith demo`). The demo's users have no
// passwords, so one administrator and one frontline user (found with `kith export users`) get
// one with `kith user passwd --password-stdin`. Runs Debian's chromium through playwright-core.
//
//   KITH_BIN=build/kith node scripts/screenshots.mjs [--contacts N]
import { mkdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { kith, startServer, KITH, CHROMIUM } from '../tests/browser/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const PASSWORD = 'screenshots only, not a real password';
const contactsArg = process.argv.indexOf('--contacts');
const CONTACTS = contactsArg > 0 ? process.argv[contactsArg + 1] : '10000';

// The first user of role in `kith export users` (CSV: id,created_at,email,name,role,...).
function firstUser(db, role) {
  const rows = kith(db, ['export', 'users']).trim().split('\n').slice(1).map((l) => l.split(','));
  const row = rows.find((r) => r[4] === role);
  if (!row) throw new Error(`the demo has no ${role} user`);
  return { id: Number(row[0]), email: row[2], name: row[3] };
}

async function signIn(page, email) {
  await page.goto('/contacts');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// Waits until nothing is loading, then saves docs/screenshots/<name>.png.
async function shot(page, name, { fullPage = false } = {}) {
  await page.locator('.loading, [aria-busy="true"]').first().waitFor({ state: 'detached' }).catch(() => {});
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  console.log(`docs/screenshots/${name}.png`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'kith-screenshots-'));
const db = path.join(dir, 'demo.db');
console.log(`building the demo database (${CONTACTS} contacts) with ${KITH}`);
kith(db, ['demo', '--contacts', CONTACTS]);
const admin = firstUser(db, 'admin');
const frontline = firstUser(db, 'frontline');
const manager = firstUser(db, 'manager');
const executive = firstUser(db, 'executive');
const partner = firstUser(db, 'partner');
const analyst = firstUser(db, 'analyst');
for (const u of [admin, frontline, manager, executive, partner, analyst]) kith(db, ['user', 'passwd', u.email, '--password-stdin'], `${PASSWORD}\n`);

mkdirSync(OUT, { recursive: true });
const server = await startServer(db);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const wide = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url, reducedMotion: 'reduce' });
  let page = await wide.newPage();
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(page, 'sign-in');

  // The frontline user's working screens.
  await signIn(page, frontline.email);
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'contacts');
  await page.getByLabel('Search contacts').fill('ma');
  await page.waitForResponse((r) => r.url().includes('q=ma'));
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'contacts-search');
  await page.locator('table.data tbody tr a').first().click();
  await page.locator('.timeline li').first().waitFor();
  await page.locator('section[aria-labelledby="rv-title"] canvas').first().waitFor();
  const picker = page.getByLabel('Interaction type');
  const option = await picker.locator('option').nth(3).textContent();
  await picker.selectOption({ label: option });
  await page.getByLabel('Notes').fill('Discussed the spare-parts agreement.');
  await shot(page, 'contact', { fullPage: true });
  await page.getByRole('button', { name: 'Edit details' }).click();
  await page.getByRole('dialog').getByLabel('Last name').waitFor();
  await shot(page, 'contact-edit');
  await page.keyboard.press('Escape');
  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'accounts');
  await page.locator('table.data tbody tr a').first().click();
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  await shot(page, 'account', { fullPage: true });
  await page.context().close();

  // The administrator's screens.
  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url, reducedMotion: 'reduce' });
  page = await adminCtx.newPage();
  await signIn(page, admin.email);
  await page.goto('/admin/catalogue');
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'catalogue');
  await page.locator('table.data tbody tr button').first().click();
  await page.getByRole('dialog').getByLabel('Name').waitFor();
  await shot(page, 'catalogue-edit');
  await page.keyboard.press('Escape');
  await page.goto('/admin/users');
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'users');
  await page.goto(`/admin/users/${frontline.id}`);
  await page.getByRole('heading', { name: 'Details' }).waitFor();
  await shot(page, 'user');
  await page.goto('/settings/tokens');
  await page.getByLabel('Name of a new token').fill('nightly export');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByTestId('token-secret').waitFor();
  await shot(page, 'tokens');

  // The dashboards, each as the role it is made for.
  const asRole = async (user) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url, reducedMotion: 'reduce' });
    const p = await ctx.newPage();
    await signIn(p, user.email);
    return p;
  };
  page = await asRole(manager);
  await page.goto('/dashboards/team');
  await page.locator('section[aria-labelledby="norm-title"] canvas').first().waitFor();
  await page.locator('section[aria-labelledby="live-title"] .exceptions li').first().waitFor();
  await page.locator('section[aria-labelledby="cards-title"] tbody tr').first().waitFor();
  await shot(page, 'team-dashboard', { fullPage: true });
  await page.context().close();

  page = await asRole(executive);
  await page.goto('/dashboards/units');
  await page.locator('section[aria-labelledby="units-title"] canvas').first().waitFor();
  await page.locator('section[aria-labelledby="grid-title"] tbody tr').first().waitFor();
  await shot(page, 'units-dashboard', { fullPage: true });
  await page.context().close();

  page = await asRole(partner);
  await page.goto('/dashboards/units');
  await page.locator('section[aria-labelledby="grid-title"] tbody tr').first().waitFor();
  await page.locator('section[aria-labelledby="units-title"] canvas').first().waitFor();
  await shot(page, 'units-dashboard-partner', { fullPage: true });
  await page.context().close();

  page = await asRole(analyst);
  await page.goto('/dashboards/value');
  await page.locator('section[aria-labelledby="dist-title"] canvas').nth(1).waitFor();
  for (const id of ['clv-title', 'rfm-title', 'reap-title', 'xsell-title']) {
    await page.locator(`section[aria-labelledby="${id}"] table, section[aria-labelledby="${id}"] .bars`).first().waitFor();
  }
  await shot(page, 'value-dashboard', { fullPage: true });
  await page.context().close();

  page = await asRole(manager);
  await page.goto('/dashboards/v2t2');
  await page.locator('section[aria-labelledby="v2t2-heat-title"] canvas').first().waitFor();
  await page.locator('[data-testid="v2t2-top"] tbody tr').first().waitFor();
  await page.locator('section[aria-labelledby="v2t2-trend-title"] canvas').first().waitFor();
  await shot(page, 'v2t2-dashboard', { fullPage: true });
  // the Knowledge Frame of the most out-of-tune relationship, on its account's page
  await page.locator('[data-testid="v2t2-top"] tbody tr th a').first().click();
  await page.locator('section[aria-labelledby="account-v2t2"] canvas').nth(1).waitFor();
  await page.locator('section[aria-labelledby="account-v2t2"] [data-testid="v2t2-zones"]').waitFor();
  await page.locator('section[aria-labelledby="account-v2t2"]').screenshot({ path: path.join(OUT, 'v2t2-account.png') });
  console.log('docs/screenshots/v2t2-account.png');
  await page.context().close();

  // Phone width.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: server.url, deviceScaleFactor: 2, reducedMotion: 'reduce' });
  page = await phone.newPage();
  await signIn(page, frontline.email);
  await page.locator('table.data tbody tr').first().waitFor();
  await shot(page, 'phone-contacts');
  await page.getByRole('button', { name: 'Menu' }).click();
  await shot(page, 'phone-menu');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.locator('table.data tbody tr a').first().click();
  await page.locator('.timeline li').first().waitFor();
  await page.locator('section[aria-labelledby="rv-title"] canvas').first().waitFor();
  await shot(page, 'phone-contact');
  await page.context().close();
  const phoneManager = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: server.url, deviceScaleFactor: 2, reducedMotion: 'reduce' });
  page = await phoneManager.newPage();
  await signIn(page, manager.email);
  await page.goto('/dashboards/team');
  await page.locator('section[aria-labelledby="norm-title"] canvas').first().waitFor();
  await page.locator('section[aria-labelledby="cards-title"] tbody tr').first().waitFor();
  await shot(page, 'phone-team-dashboard');
  await page.context().close();
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
