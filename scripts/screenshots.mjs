// screenshots.mjs - `make screenshots`: a PNG of every screen of the web application under
// docs/screenshots/, from a fresh demo database (`kith demo`). The demo's users have no
// passwords, so one administrator and one frontline user (found with `kith export users`) get
// one with `kith user passwd --password-stdin`. The demo has no sales quotas: each rep with a
// manager gets one for the year of the forecast shown (`kith import quotas`), set from what they
// won the year before. Runs Debian's chromium through playwright-core.
//
//   KITH_BIN=build/kith node scripts/screenshots.mjs [--contacts N] [--only NAME,NAME...]
//
// --only writes only the named shots (e.g. `--only deals-board,deal,deals-dashboard`); the others
// are still visited but not saved, so docs/screenshots/ keeps them as they were.
import { mkdirSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { kith, startServer, apiClient, KITH, CHROMIUM } from '../tests/browser/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const PASSWORD = 'screenshots only, not a real password';
const contactsArg = process.argv.indexOf('--contacts');
const CONTACTS = contactsArg > 0 ? process.argv[contactsArg + 1] : '10000';
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',').map((n) => n.trim()).filter(Boolean)) : null;
const wanted = (name) => !ONLY || ONLY.has(name);

// CSV lines of `kith export TABLE` as objects (the demo's values hold no commas or quotes in the
// columns read here).
function exportRows(db, table) {
  const [head, ...lines] = kith(db, ['export', table]).trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => {
    const v = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, v[i]]));
  });
}

// The quarter ("2026Q3") in which most open deals are expected to close: the forecast shown.
// Its year's quotas go to every rep who has a manager: what they won the year before, rounded up
// to 10,000 (50,000 for a rep who won nothing), through `kith import quotas`.
function plantQuotas(db, dir) {
  const deals = exportRows(db, 'deals');
  const quarterOf = (t) => `${t.slice(0, 4)}Q${Math.floor((Number(t.slice(5, 7)) - 1) / 3) + 1}`;
  const counts = new Map();
  for (const d of deals) if (d.outcome === 'open' && d.expected_close_at) counts.set(quarterOf(d.expected_close_at), (counts.get(quarterOf(d.expected_close_at)) || 0) + 1);
  const quarter = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  const year = Number(quarter.slice(0, 4));
  const users = exportRows(db, 'users').filter((u) => u.manager_id && u.role === 'frontline');
  const lines = ['user_email,period_start,period_end,amount,currency'];
  for (const u of users) {
    const won = deals.filter((d) => d.owner_id === u.id && d.outcome === 'won' && d.closed_at && d.closed_at.startsWith(String(year - 1)))
      .reduce((t, d) => t + Number(d.amount || 0), 0);
    const amount = won > 0 ? Math.ceil(won / 10000) * 10000 : 50000;
    lines.push(`${u.email},${year}-01-01T00:00:00.000Z,${year + 1}-01-01T00:00:00.000Z,${amount.toFixed(2)},USD`);
  }
  const file = path.join(dir, 'quotas.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  kith(db, ['import', 'quotas', file]);
  return quarter;
}

// The first user of role in `kith export users` (CSV: id,created_at,email,name,role,...).
function firstUser(db, role) {
  const rows = kith(db, ['export', 'users']).trim().split('\n').slice(1).map((l) => l.split(','));
  const row = rows.find((r) => r[4] === role);
  if (!row) throw new Error(`the demo has no ${role} user`);
  return { id: Number(row[0]), email: row[2], name: row[3] };
}

// The demo has no surveys and no ideas: through the API (as the administrator) one survey with
// an NPS, a CSAT and a choice question answered by 60 opted-in contacts, a survey answered by
// too few to be shown (suppressed), and ideas in every status with votes, for the voice screens.
async function plantVoice(url, db, email) {
  const api = apiClient(url, kith(db, ['user', 'token', email, '--name', 'screenshots']).trim().split('\n').pop());
  const contacts = (await api.get('/api/v1/contacts?limit=80&sort=id')).items;
  const product = (await api.get('/api/v1/products?limit=1')).items[0];
  const survey = await api.post('/api/v1/surveys', {
    name: 'After a service visit', purpose: 'How the service visit went, and what the customer plans next',
    channel: 'phone', touchpoint: 'after a service visit',
    questions: { items: [
      { id: 'nps', kind: 'nps', text: 'How likely are you to recommend us to a colleague?', required: true },
      { id: 'csat', kind: 'csat', text: 'How satisfied are you with the visit?' },
      { id: 'how', kind: 'single', text: 'How would you like us to keep in touch?', choices: ['Phone', 'Email', 'Portal'] },
      { id: 'buy', kind: 'intent', text: 'I plan to buy within 6 months', ...(product ? { product_id: product.id } : { category: 'spare parts' }), horizon_months: 6 },
      { id: 'needs', kind: 'needs', text: 'What do you need from us that you do not get?' },
    ] },
  });
  const small = await api.post('/api/v1/surveys', {
    name: 'Portal pilot', channel: 'web', questions: { items: [{ id: 'nps', kind: 'nps', text: 'Recommend the portal?' }] },
  });
  const nps = [10, 9, 9, 8, 7, 10, 6, 9, 3, 8, 10, 9, 5, 9, 7, 10, 8, 9, 2, 10];
  for (const [i, c] of contacts.slice(0, 60).entries()) {
    await api.post(`/api/v1/surveys/${survey.id}/optins`, { contact_id: c.id, state: 'granted', share: i % 4 === 0 });
    await api.post(`/api/v1/surveys/${survey.id}/responses`, {
      contact_id: c.id, answers: { nps: nps[i % nps.length], csat: 1 + ((i * 7) % 5), how: ['Phone', 'Email', 'Portal'][i % 3], buy: i % 3 === 0 },
    });
  }
  for (const c of contacts.slice(0, 4)) {
    await api.post(`/api/v1/surveys/${small.id}/optins`, { contact_id: c.id, state: 'granted' });
    await api.post(`/api/v1/surveys/${small.id}/responses`, { contact_id: c.id, answers: { nps: 9 } });
  }
  const ideas = [
    ['Order history as a CSV download', 'new'], ['Text me when the technician is on the way', 'new'],
    ['Spare-parts kits per machine', 'planned'], ['Longer opening hours for the hotline', 'planned'],
    ['Show stock before I order', 'done'], ['Free delivery under 50 kg', 'declined'],
  ];
  for (const [i, [title, status]] of ideas.entries()) {
    const idea = await api.post('/api/v1/ideas', { contact_id: contacts[i].id, title, ...(product && i % 2 === 0 ? { product_id: product.id } : {}) });
    if (status !== 'new') await api.patch(`/api/v1/ideas/${idea.id}`, { status });
    for (let v = 0; v < 12 - 2 * i; v++) {
      await api.post('/api/v1/idea-votes', { idea_id: idea.id, contact_id: contacts[10 + v].id, value: v % 5 === 4 ? -1 : 1 });
    }
  }
  return survey.id;
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
  if (!wanted(name)) return;
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
const forecastQuarter = plantQuotas(db, dir);

mkdirSync(OUT, { recursive: true });
const server = await startServer(db);
const surveyId = await plantVoice(server.url, db, admin.email);
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
  await page.locator('section[aria-labelledby="alike-title"] [data-testid="alike-neighbour"]').first().waitFor();
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
  if (wanted('v2t2-account')) {
    await page.locator('section[aria-labelledby="account-v2t2"]').screenshot({ path: path.join(OUT, 'v2t2-account.png') });
    console.log('docs/screenshots/v2t2-account.png');
  }
  await page.context().close();

  // The customer's voice (docs/voice.md): NPS and CSAT by channel beside the channel's RV (the
  // demo has no surveys: the figures are suppressed, the RV shown) and the moments of truth.
  page = await asRole(executive);
  await page.goto('/dashboards/voice');
  await page.getByTestId('voice-promise').locator('tbody tr').first().waitFor();
  await shot(page, 'voice-dashboard', { fullPage: true });
  await page.context().close();

  // The moments of truth, as an analyst sees them.
  page = await asRole(analyst);
  await page.goto('/dashboards/moments');
  await page.locator('[data-testid="moments-table"] tbody tr').first().waitFor();
  await shot(page, 'moments');
  await page.context().close();

  // The customer's voice: the surveys, one survey's results and (as the administrator) its
  // builder, and the ideas board beside the community.
  page = await asRole(admin);
  await page.goto('/voice/surveys');
  await page.locator('[data-testid="surveys-table"] tbody tr').first().waitFor();
  await shot(page, 'surveys');
  await page.goto(`/voice/surveys/${surveyId}`);
  await page.locator('[data-testid="nps-panel"] canvas').first().waitFor();
  await page.locator('[data-testid="csat-panel"] canvas').first().waitFor();
  await shot(page, 'survey', { fullPage: true });
  await page.goto('/voice/ideas');
  await page.locator('[data-idea]').first().waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-idea] .deal-meta')].some((e) => e.textContent.includes('…')));
  await shot(page, 'ideas', { fullPage: true });
  await page.context().close();

  // Deals: a manager's pipeline board and a deal's page, the administrator's analytics grouped
  // by manager for the quarter of the forecast.
  page = await asRole(manager);
  await page.goto('/deals');
  await page.locator('.board-col .deal-card').first().waitFor();
  // the cards name their account and owner once they are on screen
  await page.waitForFunction(() => [...document.querySelectorAll('.board-col')].every((c) => [...c.querySelectorAll('.deal-card')].slice(0, 2)
    .every((d) => !d.querySelector('.deal-account').textContent.includes('…') && !d.querySelector('.deal-meta').textContent.startsWith('…'))));
  await shot(page, 'deals-board');
  // a deal of the last column, which went through the stages before it
  await page.locator('.board-col').last().locator('.deal-card a').first().click();
  await page.locator('.timeline li').first().waitFor();
  await shot(page, 'deal', { fullPage: true });
  await page.context().close();

  page = await asRole(admin);
  await page.goto(`/dashboards/deals?by=manager&quarter=${forecastQuarter}`);
  for (const id of ['winrate-title', 'pipeline-title', 'conversion-title', 'forecast-title', 'quota-title']) {
    await page.locator(`section[aria-labelledby="${id}"] canvas`).first().waitFor();
  }
  await shot(page, 'deals-dashboard', { fullPage: true });
  await page.context().close();

  // The digital paths (docs/voice.md): the first three steps that lead to a purchase.
  page = await asRole(admin);
  await page.goto('/voice/paths');
  await page.getByTestId('paths-totals').waitFor();
  await page.getByLabel('Steps kept').fill('3');
  await page.getByLabel('Support').fill('5');
  await page.locator('[data-testid="paths-table"] tbody tr').first().waitFor();
  await page.getByTestId('paths-sankey').waitFor();
  await shot(page, 'voice-paths', { fullPage: true });
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
