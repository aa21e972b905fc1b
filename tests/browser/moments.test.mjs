// moments.test.mjs - the moments-of-truth screen against the real server on a demo database
// (`kith demo --contacts 2000`): the table lists the candidates the API tested, in its order,
// with its counts, effects and intervals; each interval is drawn on one scale with the zero line
// outside it exactly when the interval excludes zero; another outcome asks the API again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => {
  world = await createWorld({ demo: 2000 });
  world.addUser('ana@example.com', 'analyst');
});
after(async () => { if (world) await world.close(); });

const num = (el, attr) => el.getAttribute(attr).then(Number);

async function checkTable(page, body) {
  const shown = body.effects.filter((e) => e.tested && !e.suppressed);
  assert.ok(shown.length > 0, 'the demo has candidates to test');
  const rows = page.locator('[data-testid="moments-table"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), shown.length);
  for (const [i, e] of shown.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute('data-code'), e.code);
    assert.equal(await row.getAttribute('data-kind'), e.kind);
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[1].replace(/\D/g, ''), String(e.treated));
    assert.equal(cells[2].replace(/\D/g, ''), String(e.matched));
    assert.equal((await row.locator('.badge.moment').count()) === 1, e.moment);
    // the drawing: zero line, interval and effect on one scale
    const zero = await num(row.locator('line.forest-zero'), 'x1');
    const ci = row.locator('line.forest-ci');
    const lo = await num(ci, 'x1');
    const hi = await num(ci, 'x2');
    const dot = await num(row.locator('circle.forest-dot'), 'cx');
    assert.ok(lo <= dot + 1e-9 && dot <= hi + 1e-9, `${e.code}: the effect lies in its interval`);
    const excludes = e.interval_low > 0 || e.interval_high < 0;
    assert.equal(zero < lo || zero > hi, excludes, `${e.code}: zero is outside the drawn interval iff it is outside the interval`);
    if (excludes) assert.ok(await ci.getAttribute('class').then((c) => /up|down/.test(c)));
  }
  // one scale for all: the widths are proportional to the intervals
  const [a, b] = [shown[0], shown[shown.length - 1]];
  const width = async (i) => {
    const ci = rows.nth(i).locator('line.forest-ci');
    return (await num(ci, 'x2')) - (await num(ci, 'x1'));
  };
  const wa = await width(0);
  const wb = await width(shown.length - 1);
  const ra = a.interval_high - a.interval_low;
  const rb = b.interval_high - b.interval_low;
  if (ra > 0 && rb > 0) assert.ok(Math.abs(wa / wb - ra / rb) < 1e-6 * (ra / rb) + 1e-6);
  const summary = await page.getByTestId('moments-summary').textContent();
  assert.ok(summary.includes(`${body.study.moments} moments among ${body.study.tested} candidates tested`), summary);
}

test('the moments-of-truth table shows what the API answers, intervals drawn', async () => {
  const page = await newPage(world);
  const answer = (outcome) => page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/voice/moments' && u.searchParams.get('outcome') === outcome;
  });
  const rv = answer('rv');
  await signIn(page, 'ana@example.com', { path: '/dashboards/moments' });
  await page.getByRole('heading', { level: 1, name: 'Moments of truth' }).waitFor();
  const body = await (await rv).json();
  assert.equal(body.privacy.role, 'analyst');
  await checkTable(page, body);
  // the navigation offers the screen
  assert.equal(await page.getByRole('link', { name: 'Moments of truth' }).count(), 1);
  // another outcome
  const churn = answer('churn');
  await page.getByLabel('Outcome').selectOption('churn');
  const body2 = await (await churn).json();
  assert.equal(body2.outcome, 'churn');
  const first = body2.effects.find((e) => e.tested && !e.suppressed).code;
  await page.waitForFunction((code) => document.querySelector('[aria-busy="false"] [data-testid="moments-table"] tbody tr')
    ?.getAttribute('data-code') === code, first);
  await checkTable(page, body2);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});
