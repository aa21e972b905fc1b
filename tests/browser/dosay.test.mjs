// dosay.test.mjs - do vs say on the team dashboard, against the real server on a small demo
// database (`kith demo --contacts 300`) where a survey is added through the API: a contact who
// later churned answered 10 (a promoter), one who later bought answered 3 (a detractor), both
// sharing their answers, and one who later churned answered 9 without sharing. The dashboard's
// "Do vs say" section lists the disagreements the API answers to the same session (the shared
// ones only) and the segments, suppressed below k, and asks again for another segment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
const planted = {};
before(async () => {
  world = await createWorld({ demo: 300 });
  const survey = await world.api.post('/api/v1/surveys', {
    name: 'Relationship check', channel: 'web',
    questions: { items: [{ id: 'nps', kind: 'nps', text: 'Would you recommend us?' }] },
  });
  const day = 86400000;
  const churns = (await world.api.get('/api/v1/events?kind=churn&limit=20&sort=id')).items.filter((e) => e.contact_id);
  const orders = (await world.api.get('/api/v1/orders?limit=50&sort=id')).items.filter((o) => o.contact_id);
  const answer = async (contact, at, nps, share) => {
    await world.api.post(`/api/v1/surveys/${survey.id}/optins`, { contact_id: contact, state: 'granted', share });
    await world.api.post(`/api/v1/surveys/${survey.id}/responses`, {
      contact_id: contact, answered_at: new Date(at).toISOString(), answers: { nps },
    });
  };
  const promoter = churns[0];
  const hidden = churns.find((e) => e.contact_id !== promoter.contact_id);
  const detractor = orders.find((o) => o.contact_id !== promoter.contact_id && o.contact_id !== hidden.contact_id);
  await answer(promoter.contact_id, Date.parse(promoter.occurred_at) - day, 10, true);
  await answer(detractor.contact_id, Date.parse(detractor.ordered_at) - day, 3, true);
  await answer(hidden.contact_id, Date.parse(hidden.occurred_at) - day, 9, false);
  Object.assign(planted, { promoter: promoter.contact_id, detractor: detractor.contact_id, hidden: hidden.contact_id });
});
after(async () => { if (world) await world.close(); });

const dosayAnswer = (page, segment) => page.waitForResponse((r) => {
  const u = new URL(r.url());
  return u.pathname === '/api/v1/voice/dosay' && u.searchParams.get('segment') === segment;
});

test('the team dashboard lists what contacts said beside what they did', async () => {
  const page = await newPage(world);
  const first = dosayAnswer(page, 'unit');
  await signIn(page, 'admin@example.com', { path: '/dashboards/team' });
  const a = await (await first).json();
  const section = page.locator('section[aria-labelledby="dosay-title"]');
  const rows = section.locator('[data-testid="dosay-exceptions"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), a.disagreements.length);
  for (const [i, d] of a.disagreements.entries()) {
    assert.equal(await rows.nth(i).getAttribute('data-rule'), d.rule);
    assert.equal(await rows.nth(i).getAttribute('data-contact'), String(d.contact_id));
  }
  const got = new Set(a.disagreements.map((d) => `${d.rule}:${d.contact_id}`));
  assert.ok(got.has(`promoter_churned:${planted.promoter}`), JSON.stringify(a.disagreements));
  assert.ok(got.has(`detractor_buying:${planted.detractor}`), JSON.stringify(a.disagreements));
  assert.ok(![...got].some((k) => k.endsWith(`:${planted.hidden}`)), 'a private answer is not listed');
  assert.equal(a.total.suppressed, true); // three contacts answered: fewer than k
  const total = section.locator('[data-testid="dosay-segments"] tbody tr[data-segment="Total"]');
  assert.match(await total.textContent(), /fewer than 10 contacts: not shown/);
  // another segment asks again
  const all = dosayAnswer(page, 'all');
  await section.getByLabel('Segment').selectOption('all');
  const b = await (await all).json();
  assert.deepEqual(b.segments.map((s) => s.key.name), ['all']);
  await section.locator('[data-testid="dosay-segments"] tbody tr[data-segment="all"]').waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
});
