// voice.test.mjs - the NPS and CSAT dashboard against the real server on a small demo database
// (`kith demo --contacts 300`) with surveys answered through the API: two surveys that follow
// the phone and the web channels, answered by 14 and 12 contacts, and a third, by email, by 3
// (fewer than k = 10: suppressed). The channels' table shows, row by row, the NPS and CSAT with
// their intervals (drawn on -100..100 and 0..100) and the RV the promise route answers to the same
// session; suppressed groups say so; another grouping asks /voice/nps again and shows its answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => {
  world = await createWorld({ demo: 300 });
  world.addUser('eve@example.com', 'executive');
  // contacts the executive may read (not those of a partner that keeps its detail private)
  const contacts = (await world.clientOf('eve@example.com').get('/api/v1/contacts?limit=40&sort=id')).items;
  const survey = (name, channel, touchpoint) => world.api.post('/api/v1/surveys', {
    name, channel, touchpoint,
    questions: { items: [{ id: 'n', kind: 'nps', text: 'Recommend us?' }, { id: 'c', kind: 'csat', text: 'Satisfied?' }] },
  });
  const plan = [
    [await survey('After a call', 'phone', 'after a support call'), contacts.slice(0, 14)],
    [await survey('After checkout', 'web', 'after checkout'), contacts.slice(14, 26)],
    [await survey('After delivery', 'email', 'after delivery'), contacts.slice(26, 29)],
  ];
  let i = 0;
  for (const [s, cs] of plan) {
    for (const c of cs) {
      await world.api.post(`/api/v1/surveys/${s.id}/optins`, { contact_id: c.id, state: 'granted', share: false });
      i++;
      await world.api.post(`/api/v1/surveys/${s.id}/responses`, {
        contact_id: c.id,
        answered_at: new Date(Date.UTC(2026, 2, 1 + (i % 27))).toISOString(),
        answers: { n: (i * 7) % 11, c: 1 + (i % 5) },
      });
    }
  }
});
after(async () => { if (world) await world.close(); });

const d1 = (v) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 1 });
const num = (el, attr) => el.getAttribute(attr).then(Number);

// A row of answers against the API's cell: counts, NPS, CSAT and the drawn intervals.
async function checkAnswers(row, a) {
  if (a.suppressed) {
    assert.match(await row.locator('[data-col="suppressed"]').textContent(), /Fewer than k contacts/);
    assert.equal(await row.locator('svg.forest').count(), 0);
    return;
  }
  assert.equal((await row.locator('[data-col="contacts"]').textContent()).trim(), String(a.contacts));
  assert.equal((await row.locator('[data-col="answers"]').textContent()).trim(), String(a.answers));
  const nps = await row.locator('[data-col="nps"]').textContent();
  assert.ok(nps.startsWith(d1(a.nps.score)) && nps.includes(`${d1(a.nps.interval_low)} to ${d1(a.nps.interval_high)}`), nps);
  const csat = await row.locator('[data-col="csat"]').textContent();
  assert.ok(csat.startsWith(`${d1(a.csat.score)}%`) && csat.includes(`${d1(a.csat.interval_low)} to ${d1(a.csat.interval_high)}`), csat);
  // drawn where the API puts them: NPS on -100..100, CSAT on 0..100 (components/interval.js)
  const xpos = (v, lo, hi) => 6 + ((v - lo) / (hi - lo)) * (220 - 12);
  const drawn = async (svg) => [await num(svg.locator('line.forest-ci'), 'x1'),
    await num(svg.locator('line.forest-ci'), 'x2'), await num(svg.locator('circle.forest-dot'), 'cx')];
  const near = (x, y) => assert.ok(Math.abs(x - y) < 1e-6, `${x} vs ${y}`);
  const [n0, n1, nc] = await drawn(row.locator('svg.forest').nth(0));
  near(n0, xpos(a.nps.interval_low, -100, 100));
  near(n1, xpos(a.nps.interval_high, -100, 100));
  near(nc, xpos(a.nps.score, -100, 100));
  const [c0, c1, cc] = await drawn(row.locator('svg.forest').nth(1));
  near(c0, xpos(a.csat.interval_low, 0, 100));
  near(c1, xpos(a.csat.interval_high, 0, 100));
  near(cc, xpos(a.csat.score, 0, 100));
}

test('the NPS and CSAT dashboard shows each channel beside its RV as the API answers', async () => {
  const page = await newPage(world);
  const promiseAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/voice/promise');
  await signIn(page, 'eve@example.com', { path: '/dashboards/voice' });
  await page.getByRole('heading', { level: 1, name: 'NPS and CSAT' }).waitFor();
  const body = await (await promiseAnswer).json();
  assert.equal(body.privacy.role, 'executive');
  const byChannel = Object.fromEntries(body.channels.map((c) => [c.channel, c]));
  assert.ok(!byChannel.phone.answers.suppressed && !byChannel.web.answers.suppressed, 'phone and web are shown');
  assert.ok(byChannel.email.answers.suppressed, 'email has 3 contacts, fewer than k');
  const table = page.getByTestId('voice-promise');
  await table.locator('tbody tr').first().waitFor();
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), body.channels.length);
  for (const [i, c] of body.channels.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute('data-key'), c.channel ?? '');
    await checkAnswers(row, c.answers);
    assert.equal((await row.locator('[data-col="interactions"]').textContent()).trim(), c.rv.interactions.toLocaleString('en-US'));
    const rv = (await row.locator('[data-col="rv"]').textContent()).trim().replace(/[+,]/g, '').replace('−', '-');
    assert.equal(Number(rv), c.rv.rv);
  }
  await checkAnswers(table.locator('tfoot tr'), body.total.answers);
  assert.match(await page.getByTestId('voice-privacy').textContent(), new RegExp(`fewer than ${body.privacy.k} contacts`));

  // another grouping: the surveys
  const npsAnswer = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/voice/nps' && u.searchParams.get('by') === 'survey';
  });
  await page.getByLabel('Group by').selectOption('survey');
  const nps = await (await npsAnswer).json();
  await page.waitForFunction((n) => document.querySelector('[aria-busy="false"] [data-testid="voice-groups"] thead th')
    ?.textContent === n, 'Survey');
  const grows = page.locator('[data-testid="voice-groups"] tbody tr');
  assert.equal(await grows.count(), nps.groups.length);
  for (const [i, g] of nps.groups.entries()) {
    assert.equal(await grows.nth(i).getAttribute('data-key'), g.key.name ?? '');
    await checkAnswers(grows.nth(i), g);
  }
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});
