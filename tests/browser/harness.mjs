// harness.mjs - what every browser test file shares: a fresh database made with the CLI (`kith
// init`, `kith user add`) and filled through the API, a real `kith serve` on port 0 (the port is
// read from its first stderr line, as tests/api/conftest.py does), and Debian's chromium driven
// by playwright-core. Nothing here sleeps: Playwright's locators wait for what they look for.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KITH = process.env.KITH_BIN || path.join(ROOT, 'build', 'kith');
export const CHROMIUM = process.env.KITH_CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple';

// Runs the kith CLI on db; returns its standard output.
export function kith(db, args, input) {
  return execFileSync(KITH, [...args, '--db', db], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function addUser(db, email, role, { unit, team, password = PASSWORD } = {}) {
  const args = ['user', 'add', email, '--name', email.split('@')[0], '--role', role, '--password-stdin'];
  if (unit) args.push('--unit', unit);
  if (team) args.push('--team', team);
  kith(db, args, `${password}\n`);
}

// Starts `kith serve` on a free port; resolves to {url, log, stop()}.
export async function startServer(db) {
  const proc = spawn(KITH, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = readline.createInterface({ input: proc.stderr });
  const log = [];
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`kith serve exited (${code}) before listening`)));
  });
  lines.on('line', (l) => log.push(l)); // keep reading, or the access log would fill the pipe
  const m = /listening on (https?:\/\/[\d.]+:\d+)/.exec(first);
  if (!m) {
    proc.kill();
    throw new Error(`kith serve did not start: ${first}`);
  }
  return {
    url: m[1],
    log,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
      return undefined;
    }),
  };
}

// A client of the API with a bearer token (made with `kith user token`): no cookie, no CSRF.
export function apiClient(url, token) {
  async function call(method, p, body) {
    const r = await fetch(url + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = r.status === 204 ? null : await r.json();
    if (!r.ok) throw new Error(`${method} ${p} answered ${r.status}: ${JSON.stringify(data)}`);
    return data;
  }
  return {
    get: (p) => call('GET', p),
    post: (p, body) => call('POST', p, body),
    patch: (p, body) => call('PATCH', p, body),
  };
}

// A fresh database with an administrator, a running server, the admin's API client and chromium.
// With demo: N the database is `kith demo --contacts N` (deterministic) instead of an empty one.
// Call world.close() in after().
export async function createWorld({ demo } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kith-browser-'));
  const db = path.join(dir, 'kith.db');
  kith(db, demo ? ['demo', '--contacts', String(demo)] : ['init']);
  addUser(db, 'admin@example.com', 'admin');
  const server = await startServer(db);
  const token = kith(db, ['user', 'token', 'admin@example.com', '--name', 'browser tests']).trim().split('\n').pop();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const world = {
    dir,
    db,
    url: server.url,
    server,
    browser,
    api: apiClient(server.url, token),
    addUser: (email, role, opts) => addUser(db, email, role, opts),
    // An API token of another user (`kith user token`), for acting as them through the API.
    tokenOf: (email) => kith(db, ['user', 'token', email, '--name', 'browser tests']).trim().split('\n').pop(),
    clientOf: (email) => apiClient(world.url, world.tokenOf(email)),
    // Stops the server and starts a new one on the same database (a new port): the server then
    // loads its Relationship Value snapshot and live norm from everything written so far.
    async restart() {
      await world.server.stop();
      world.server = await startServer(db);
      world.url = world.server.url;
      world.api = apiClient(world.url, token);
    },
    async close() {
      await browser.close();
      await world.server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

// A new browser context (its own cookies) and page, recording Content-Security-Policy violations
// and uncaught errors so that a test can assert there were none.
export async function newPage(world, { width = 1280, height = 900 } = {}) {
  const context = await world.browser.newContext({ viewport: { width, height }, baseURL: world.url });
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.pageErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(e.message));
  return page;
}

export async function cspViolations(page) {
  return page.evaluate(() => window.cspViolations);
}

// Signs in through the sign-in screen and waits for the application.
export async function signIn(page, email, { path: start = '/', password = PASSWORD } = {}) {
  await page.goto(start);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// The common world: two units (North, a business unit; South, a partner), a team in each, a
// frontline user in each, the administrator, a small catalogue and contacts in both units.
export async function seedTwoUnits(world) {
  const north = await world.api.post('/api/v1/units', { name: 'North', kind: 'business_unit' });
  const south = await world.api.post('/api/v1/units', { name: 'South', kind: 'partner' });
  const northTeam = await world.api.post('/api/v1/teams', { name: 'North closing', kind: 'closing', unit_id: north.id });
  const southTeam = await world.api.post('/api/v1/teams', { name: 'South closing', kind: 'closing', unit_id: south.id });
  world.addUser('nora@example.com', 'frontline', { unit: 'North', team: 'North closing' });
  world.addUser('sam@example.com', 'frontline', { unit: 'South', team: 'South closing' });
  const types = [];
  for (const t of [
    { code: 'aq_intro_call', name: 'Introductory call', phase: 'acquisition', level: 1, channel: 'phone', rv: 5, cost: '12.50' },
    { code: 'cl_site_visit', name: 'Site visit', phase: 'closing', level: 3, channel: 'meeting', rv: 15, cost: '240.00', is_trigger: true },
    { code: 'rt_complaint', name: 'Complaint raised', phase: 'retention', level: 5, channel: 'email', rv: -8, cost: '30.00' },
  ]) types.push(await world.api.post('/api/v1/interaction-types', { touch: 0.5, tech: 0.5, ...t }));
  const account = await world.api.post('/api/v1/accounts', { name: 'Acme Tools', unit_id: north.id, team_id: northTeam.id });
  const contacts = { north: [], south: [] };
  const names = ['Adams', 'Baker', 'Clarke', 'Dixon', 'Evans', 'Fisher', 'Grant', 'Hughes'];
  for (const [i, last] of names.entries()) {
    contacts.north.push(await world.api.post('/api/v1/contacts', {
      first_name: 'Ann', last_name: `${last}`, email: `ann.${last.toLowerCase()}@acme.example`, unit_id: north.id,
      team_id: northTeam.id, account_id: account.id,
    }));
  }
  contacts.north.push(await world.api.post('/api/v1/contacts', {
    first_name: 'Zelda', last_name: 'Quist', email: 'zelda.quist@acme.example', unit_id: north.id, team_id: northTeam.id,
    account_id: account.id, title: 'Head of Procurement',
  }));
  contacts.south.push(await world.api.post('/api/v1/contacts', {
    first_name: 'Otto', last_name: 'Southby', unit_id: south.id, team_id: southTeam.id,
  }));
  return { north, south, northTeam, southTeam, types, account, contacts };
}
