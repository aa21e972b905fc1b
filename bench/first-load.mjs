// first-load.mjs - `make bench-web`: how quickly a manager's team dashboard becomes usable, and
// how many bytes its first load transfers. Not a test: it prints figures for docs/BENCHMARKS.md.
//
// A demo database (`kith demo --contacts N`, 10,000 by default) is served by a real `kith serve`;
// Debian's chromium (playwright-core) signs in as the demo's first manager, then opens
// /dashboards/team RUNS times in a fresh browser context each (an empty cache: a first visit) and
// RUNS times again in a context that has already loaded the application (a returning user: the
// app's files revalidate with 304, the vendor modules come from the cache).
//
// "Usable": the page's clock (performance.now(), from the start of the navigation) when the norm
// chart is drawn on its canvas, the rep scorecards have rows, the exceptions list is loaded and
// the live stream is open. The transfer size is the sum of the encoded (on the wire, gzip where
// the server compresses) bodies and headers of every response of the first load, from the
// DevTools protocol (Network.loadingFinished), the event stream excepted.
//
//   KITH_BIN=build/kith node bench/first-load.mjs [--contacts N] [--runs R]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { kith, startServer, KITH, CHROMIUM } from '../tests/browser/harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CONTACTS = arg('--contacts', 10000);
const RUNS = arg('--runs', 7);
const PASSWORD = 'benchmark only, not a real password';

const dir = mkdtempSync(path.join(tmpdir(), 'kith-bench-web-'));
const db = path.join(dir, 'demo.db');
console.log(`kith demo --contacts ${CONTACTS} (${KITH})`);
kith(db, ['demo', '--contacts', String(CONTACTS)]);
const managerRow = kith(db, ['export', 'users']).trim().split('\n').slice(1).map((l) => l.split(',')).find((r) => r[4] === 'manager');
const manager = managerRow[2];
kith(db, ['user', 'passwd', manager, '--password-stdin'], `${PASSWORD}\n`);

const server = await startServer(db);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function signIn(page) {
  await page.goto('/');
  await page.getByLabel('Email').fill(manager);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// Resolves to performance.now() of the page when the dashboard is usable.
function usable(page) {
  return page.waitForFunction(() => {
    const q = (s) => document.querySelector(s);
    const ok = q('section[aria-labelledby="norm-title"] canvas')
      && q('section[aria-labelledby="cards-title"] tbody tr')
      && q('section[aria-labelledby="live-title"] .exceptions li, section[aria-labelledby="live-title"] .state.empty')
      && q('section[aria-labelledby="live-title"] .dot.live');
    return ok ? performance.now() : false;
  }, null, { polling: 'raf', timeout: 30000 }).then((h) => h.jsonValue());
}

// One load of /dashboards/team: {ms, bytes, requests, decoded}.
async function load(page, cdp) {
  const sizes = new Map();
  const urls = new Map();
  const onResponse = (e) => urls.set(e.requestId, e.response);
  const onDone = (e) => sizes.set(e.requestId, e.encodedDataLength);
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onDone);
  await page.goto('/dashboards/team');
  const ms = await usable(page);
  if (process.argv.includes('--verbose')) {
    const entries = await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => [Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize, e.name.replace(location.origin, '')]));
    for (const e of entries) console.log(`  ${String(e[0]).padStart(5)} → ${String(e[1]).padStart(5)} ms ${String(e[2]).padStart(7)} B ${e[3]}`);
    console.log(`  usable at ${Math.round(ms)} ms`);
  }
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onDone);
  let bytes = 0;
  let requests = 0;
  for (const [id, n] of sizes) {
    const r = urls.get(id);
    if (r && r.url.includes('/api/v1/rv/stream')) continue;
    bytes += n;
    requests += 1;
  }
  return { ms, bytes, requests };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cold = [];
const warm = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // a first visit: a new context (no cache), signed in, then the cache emptied
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url });
    const page = await ctx.newPage();
    await signIn(page);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await page.goto('about:blank');
    cold.push(await load(page, cdp));
    await page.goto('about:blank');
    warm.push(await load(page, cdp));
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (xs, key, unit, digits = 0) => `median ${median(xs.map((x) => x[key])).toFixed(digits)} ${unit} (min ${Math.min(...xs.map((x) => x[key])).toFixed(digits)}, max ${Math.max(...xs.map((x) => x[key])).toFixed(digits)})`;
console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model}), demo ${CONTACTS} contacts, ${RUNS} runs`);
console.log(`first visit (empty cache): usable in ${fmt(cold, 'ms', 'ms')}; transferred ${(median(cold.map((x) => x.bytes)) / 1024).toFixed(0)} kB in ${median(cold.map((x) => x.requests))} responses`);
console.log(`returning (cached):        usable in ${fmt(warm, 'ms', 'ms')}; transferred ${(median(warm.map((x) => x.bytes)) / 1024).toFixed(0)} kB in ${median(warm.map((x) => x.requests))} responses`);
