// voice-screens.test.mjs - the survey builder, the survey results and the ideas board
// (docs/voice.md, docs/web.md) against a real server: an administrator builds a survey and the
// API then holds exactly its questions; a question the server refuses shows the server's message
// beside it; the results show what GET /api/v1/voice/surveys answers, per question too
// (suppressed below k as such); the ideas board puts each idea in its status column with its votes and product, filters
// by product, a move changes the status in the API, and a partner sees the board without the
// status control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
let seed;

// A small world: a business unit and a partner, 14 contacts in the unit and 3 in the partner's,
// the catalogue's voice-of-the-customer types (answers are recorded as interactions of them).
async function seedWorld() {
  const north = await world.api.post('/api/v1/units', { name: 'North', kind: 'business_unit' });
  const south = await world.api.post('/api/v1/units', { name: 'South', kind: 'partner' });
  world.addUser('pat@example.com', 'partner', { unit: 'South' });
  world.addUser('mia@example.com', 'manager', { unit: 'North' });
  for (const [code, rv] of [['voc_nps_promoter', 5], ['voc_nps_passive', 1], ['voc_nps_detractor', -5],
    ['voc_ticket_csat', 1], ['voc_needs_questionnaire', 2], ['voc_relationship_survey', 1]]) {
    await world.api.post('/api/v1/interaction-types', {
      code, name: code.replace(/_/g, ' '), phase: 'retention', level: 4, channel: 'web', rv, cost: '0.00', touch: 0.2, tech: 0.8, is_voc: true,
    });
  }
  const north_contacts = [];
  for (let i = 0; i < 14; i++) {
    north_contacts.push(await world.api.post('/api/v1/contacts', { first_name: 'Nia', last_name: `North${i}`, unit_id: north.id }));
  }
  const south_contacts = [];
  for (let i = 0; i < 3; i++) {
    south_contacts.push(await world.api.post('/api/v1/contacts', { first_name: 'Sol', last_name: `South${i}`, unit_id: south.id }));
  }
  return { north, south, north_contacts, south_contacts };
}

before(async () => {
  world = await createWorld();
  seed = await seedWorld();
});
after(async () => { if (world) await world.close(); });

async function clean(page) {
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
}

test('without surveys or ideas the screens say what to do', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/voice/surveys' });
  await page.getByRole('heading', { level: 1, name: 'Surveys' }).waitFor();
  await page.getByText('No surveys yet.').waitFor();
  assert.equal(await page.locator('[role="alert"]').count(), 0);
  await page.getByRole('link', { name: 'Ideas' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ideas' }).waitFor();
  await page.getByText('No ideas yet.').waitFor();
  await page.getByTestId('role-none').waitFor();
  assert.equal(await page.locator('[role="alert"]').count(), 0);
  await clean(page);
  await page.context().close();
});

test('an administrator builds a survey; a refused question shows the server\'s message beside it', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/voice/surveys' });
  await page.getByRole('button', { name: 'New survey' }).click();
  await page.getByRole('heading', { level: 1, name: 'New survey' }).waitFor();
  await page.getByLabel('Name').fill('After a ticket');
  await page.getByLabel('Question 1: text').fill('How likely are you to recommend us?');
  assert.equal(await page.getByLabel('Question 1: kind').inputValue(), 'nps');
  await page.getByRole('button', { name: 'Add a question' }).click();
  await page.getByLabel('Question 2: kind').selectOption('single');
  await page.getByLabel('Question 2: text').fill('Which channel do you prefer?');
  await page.getByLabel('Channel', { exact: true }).fill('email');
  await page.getByLabel('Touchpoint').fill('after a support ticket');
  // a choice question without choices: the server refuses it and names the question
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/surveys') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Create survey' }).click();
  const bad = await refused;
  assert.equal(bad.status(), 422);
  const err = (await bad.json()).error;
  assert.equal(err.field, 'questions');
  assert.match(err.message, /items\[1\]/);
  const q2 = page.locator('.question[data-index="1"]');
  await q2.getByTestId('question-error').waitFor();
  assert.equal(await q2.getByTestId('question-error').textContent(), err.message);
  assert.equal(await page.locator('.question[data-index="0"] [data-testid="question-error"]').count(), 0);
  // give the choices; reorder twice (down, then up) to come back to the same order
  await page.getByLabel('Question 2: choices, one per line').fill('Phone\nEmail\nWeb');
  await page.getByRole('button', { name: 'Move question 1 down' }).click();
  assert.equal(await page.getByLabel('Question 1: kind').inputValue(), 'single');
  await page.getByRole('button', { name: 'Move question 2 up' }).click();
  assert.equal(await page.getByLabel('Question 1: kind').inputValue(), 'nps');
  // a third question, removed again
  await page.getByRole('button', { name: 'Add a question' }).click();
  await page.getByRole('button', { name: 'Remove question 3' }).click();
  assert.equal(await page.locator('.question').count(), 2);
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/surveys') && r.request().method() === 'POST' && r.status() === 201);
  await page.getByRole('button', { name: 'Create survey' }).click();
  const survey = await (await created).json();
  await page.waitForURL(`**/voice/surveys/${survey.id}`);
  await page.getByRole('heading', { level: 1, name: 'After a ticket' }).waitFor();
  const held = await world.api.get(`/api/v1/surveys/${survey.id}`);
  assert.deepEqual(held.questions, {
    items: [
      { id: 'q1', kind: 'nps', text: 'How likely are you to recommend us?', required: false },
      { id: 'q2', kind: 'single', text: 'Which channel do you prefer?', required: false, choices: ['Phone', 'Email', 'Web'] },
    ],
  });
  assert.equal(held.channel, 'email');
  assert.equal(held.touchpoint, 'after a support ticket');
  // an audience the server does not accept is shown at the audience field
  await page.getByLabel('Audience (a contact filter)').fill('shoe_size=44');
  const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/surveys/${survey.id}`) && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save survey' }).click();
  const p = await patched;
  assert.equal(p.status(), 422);
  const perr = (await p.json()).error;
  assert.equal(perr.field, 'audience');
  const audience = page.locator('.field.has-error').filter({ has: page.getByLabel('Audience (a contact filter)') });
  assert.equal(await audience.locator('.field-error').textContent(), perr.message);
  await page.getByLabel('Audience (a contact filter)').fill(`unit_id=${seed.north.id}`);
  const ok = page.waitForResponse((r) => r.url().endsWith(`/api/v1/surveys/${survey.id}`) && r.request().method() === 'PATCH' && r.status() === 200);
  await page.getByRole('button', { name: 'Save survey' }).click();
  await ok;
  assert.equal((await world.api.get(`/api/v1/surveys/${survey.id}`)).audience, `unit_id=${seed.north.id}`);
  await clean(page);
  await page.context().close();
});

test('the results show what the survey report answers; a small survey is suppressed, never zero', async () => {
  const big = await world.api.post('/api/v1/surveys', {
    name: 'Relationship check', channel: 'web',
    questions: { items: [{ id: 'n', kind: 'nps', text: 'Recommend us?' }, { id: 'c', kind: 'csat', text: 'Satisfied?' }] },
  });
  const small = await world.api.post('/api/v1/surveys', {
    name: 'Tiny pulse', questions: { items: [{ id: 'n', kind: 'nps', text: 'Recommend us?' }] },
  });
  const scores = [10, 9, 9, 8, 7, 6, 3, 10, 0, 9, 5, 8];
  const csats = [5, 4, 4, 3, 2, 5, 1, 4, 5, 3, 4, 2];
  for (const [i, c] of seed.north_contacts.slice(0, 12).entries()) {
    await world.api.post(`/api/v1/surveys/${big.id}/optins`, { contact_id: c.id, state: 'granted', share: i % 3 === 0 });
    await world.api.post(`/api/v1/surveys/${big.id}/responses`, { contact_id: c.id, answers: { n: scores[i], c: csats[i] } });
  }
  // one update: the latest answer counts
  await world.api.post(`/api/v1/surveys/${big.id}/responses`, { contact_id: seed.north_contacts[0].id, answers: { n: 2, c: 1 } });
  // a withdrawn opt-in
  await world.api.post(`/api/v1/surveys/${big.id}/optins`, { contact_id: seed.north_contacts[13].id, state: 'granted' });
  await world.api.post(`/api/v1/surveys/${big.id}/optins`, { contact_id: seed.north_contacts[13].id, state: 'withdrawn' });
  for (const c of seed.north_contacts.slice(0, 3)) {
    await world.api.post(`/api/v1/surveys/${small.id}/optins`, { contact_id: c.id, state: 'granted' });
    await world.api.post(`/api/v1/surveys/${small.id}/responses`, { contact_id: c.id, answers: { n: 9 } });
  }
  const report = await world.api.get('/api/v1/voice/surveys');
  const rep = report.surveys.find((s) => s.id === big.id);
  const tiny = report.surveys.find((s) => s.id === small.id);
  assert.equal(rep.answers.suppressed, false);
  assert.equal(tiny.answers.suppressed, true);

  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/voice/surveys' });
  const row = (id) => page.locator(`[data-testid="surveys-table"] tr[data-survey="${id}"]`);
  await row(big.id).waitFor();
  assert.equal((await row(big.id).locator('[data-col="answers"]').textContent()).replace(/\D/g, ''), String(rep.answers.answers));
  assert.equal(await row(small.id).locator('[data-col="answers"]').textContent(), 'suppressed');
  assert.equal(await row(small.id).locator('[data-col="nps"]').textContent(), 'suppressed');

  await row(big.id).getByRole('link', { name: 'Relationship check' }).click();
  await page.getByRole('heading', { level: 1, name: 'Relationship check' }).waitFor();
  const txt = (id) => page.getByTestId(id).textContent().then((s) => s.trim());
  await page.getByTestId('nps-score').waitFor();
  assert.equal(await txt('opted-in'), String(rep.opted_in));
  assert.equal(await txt('sharing'), String(rep.sharing));
  assert.equal(await txt('withdrawn'), String(rep.withdrawn));
  assert.equal(await txt('updates'), String(rep.updates));
  assert.equal(await txt('answers'), String(rep.answers.answers));
  const nps = rep.answers.nps;
  assert.equal(Number(await txt('nps-score')), Math.round(nps.score * 10) / 10);
  const cell = (col) => page.locator(`[data-testid="nps-table"] [data-col="${col}"]`).textContent();
  assert.equal(await cell('promoters'), String(nps.promoters));
  assert.equal(await cell('passives'), String(nps.passives));
  assert.equal(await cell('detractors'), String(nps.detractors));
  // the answers recomputed from what was written: the latest of each contact
  const latest = scores.slice();
  latest[0] = 2;
  assert.equal(nps.promoters, latest.filter((s) => s >= 9).length);
  assert.equal(nps.detractors, latest.filter((s) => s <= 6).length);
  const csat = rep.answers.csat;
  assert.match(await txt('csat-score'), new RegExp(`^${Math.round(csat.score * 10) / 10}\\s?%$`));
  await page.locator('[data-testid="nps-panel"] canvas').first().waitFor();
  await page.locator('[data-testid="csat-panel"] canvas').first().waitFor();

  // each question's answers per value, as the report of this survey answers them
  const perQ = (await world.api.get(`/api/v1/voice/surveys?survey=${big.id}`)).surveys[0].questions;
  assert.deepEqual(perQ.map((q) => q.id), ['n', 'c']);
  for (const q of perQ) {
    assert.equal(q.suppressed, false);
    const li = page.locator(`[data-testid="question-results"] li[data-qid="${q.id}"]`);
    assert.equal(await li.getByTestId('q-answered').textContent(), String(q.answered));
    const cells = await li.locator('[data-testid="q-values"] tbody td').allTextContents();
    assert.deepEqual(cells, q.values.map((v) => String(v.answers)));
    await li.locator('canvas').first().waitFor();
  }
  // the NPS question's counts are the latest answers written
  assert.deepEqual(perQ[0].values.map((v) => v.answers), Array.from({ length: 11 }, (_, v) => latest.filter((x) => x === v).length));

  // the shared answers, one by one: those the API lists, no others
  const shared = (await world.api.get(`/api/v1/surveys/${big.id}/responses?limit=100`)).items;
  assert.equal(shared.length, seed.north_contacts.slice(0, 12).filter((_, i) => i % 3 === 0).length);
  const rows = page.locator('[data-testid="shared-answers"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), shared.length);
  for (const a of shared) {
    const tr = page.locator(`[data-testid="shared-answers"] tr[data-contact="${a.contact_id}"]`);
    assert.equal(await tr.locator('[data-q="n"]').textContent(), String(a.answers.n));
    assert.equal(await tr.locator('[data-q="c"]').textContent(), String(a.answers.c));
  }
  await page.goto(`/voice/surveys/${small.id}`);
  await page.getByRole('heading', { level: 1, name: 'Tiny pulse' }).waitFor();
  assert.equal(await txt('answers'), 'suppressed');
  assert.equal(await page.getByTestId('nps-score').count(), 0);
  await page.locator('[data-testid="question-results"] li[data-qid="n"] [data-testid="q-suppressed"]').waitFor();
  assert.equal(await page.locator('[data-testid="q-values"]').count(), 0);
  await clean(page);
  await page.context().close();

  // a manager reads the survey without the builder
  const mgr = await newPage(world);
  await signIn(mgr, 'mia@example.com', { path: `/voice/surveys/${big.id}` });
  await mgr.getByTestId('questions').waitFor();
  assert.equal(await mgr.getByRole('button', { name: 'Save survey' }).count(), 0);
  assert.equal(await mgr.locator('[data-testid="questions"] li').count(), 2);
  await clean(mgr);
  await mgr.context().close();
});

test('the ideas board: columns by status with votes; staff move ideas, a partner cannot', async () => {
  const [a, b, c] = seed.north_contacts;
  const s0 = seed.south_contacts[0];
  const pump = await world.api.post('/api/v1/products', { sku: 'PUMP-1', name: 'Hydraulic pump' });
  await world.api.post('/api/v1/products', { sku: 'VALVE-1', name: 'Check valve' });
  const ideas = [];
  ideas.push(await world.api.post('/api/v1/ideas', { contact_id: a.id, title: 'Dark mode for the portal' }));
  ideas.push(await world.api.post('/api/v1/ideas', { contact_id: b.id, title: 'Invoices as CSV', body: 'Every month.', product_id: pump.id }));
  ideas.push(await world.api.post('/api/v1/ideas', { contact_id: c.id, title: 'Same-day delivery' }));
  ideas.push(await world.api.post('/api/v1/ideas', { contact_id: s0.id, title: 'Partner price list' }));
  await world.api.patch(`/api/v1/ideas/${ideas[1].id}`, { status: 'planned' });
  await world.api.patch(`/api/v1/ideas/${ideas[2].id}`, { status: 'declined' });
  for (const [idea, voter, value] of [[0, b, 1], [0, c, 1], [0, a, -1], [1, a, 1], [2, a, -1], [3, seed.south_contacts[1], 1]]) {
    await world.api.post('/api/v1/idea-votes', { idea_id: ideas[idea].id, contact_id: voter.id, value });
  }
  const listed = (await world.api.get('/api/v1/ideas?limit=500')).items;
  const votes = (await world.api.get('/api/v1/idea-votes?limit=500')).items;
  const tally = (id) => ({
    up: votes.filter((v) => v.idea_id === id && v.value === 1).length,
    down: votes.filter((v) => v.idea_id === id && v.value === -1).length,
  });

  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/voice/ideas' });
  const card = (id) => page.locator(`[data-idea="${id}"]`);
  await card(ideas[0].id).waitFor();
  for (const idea of listed) {
    const col = page.locator(`.board-col[data-status="${idea.status}"]`);
    assert.equal(await col.locator(`[data-idea="${idea.id}"]`).count(), 1, `${idea.title} in ${idea.status}`);
    const t = tally(idea.id);
    assert.equal(Number(await card(idea.id).locator('[data-up]').getAttribute('data-up')), t.up);
    assert.equal(Number(await card(idea.id).locator('[data-down]').getAttribute('data-down')), t.down);
  }
  await card(ideas[0].id).getByRole('link', { name: 'Nia North0' }).waitFor();
  const community = await world.api.get('/api/v1/voice/community');
  assert.equal(await page.getByTestId('ideas-total').textContent(), String(community.ideas.total));
  assert.equal(await page.getByTestId('role-watcher').textContent(), String(community.roles.watcher));
  assert.equal(await page.getByTestId('role-doer').textContent(), String(community.roles.doer));

  // move by the select
  const moved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/ideas/${ideas[0].id}`) && r.request().method() === 'PATCH');
  await page.getByLabel('Status of Dark mode for the portal').selectOption('planned');
  assert.equal((await moved).status(), 200);
  await page.locator(`.board-col[data-status="planned"] [data-idea="${ideas[0].id}"]`).waitFor();
  assert.equal((await world.api.get(`/api/v1/ideas/${ideas[0].id}`)).status, 'planned');
  // move by the keyboard: → from planned is done
  await card(ideas[0].id).focus();
  const keyed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/ideas/${ideas[0].id}`) && r.request().method() === 'PATCH');
  await page.keyboard.press('ArrowRight');
  assert.equal((await keyed).status(), 200);
  await page.locator(`.board-col[data-status="done"] [data-idea="${ideas[0].id}"]`).waitFor();
  assert.equal((await world.api.get(`/api/v1/ideas/${ideas[0].id}`)).status, 'done');
  // the product: named on its card, and filtered on
  assert.equal(await card(ideas[1].id).locator('.idea-product').textContent(), 'Hydraulic pump');
  assert.equal(await card(ideas[0].id).locator('.idea-product').count(), 0);
  const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/ideas?') && new URL(r.url()).searchParams.get('product_id') === String(pump.id));
  await page.getByLabel('Product').selectOption(String(pump.id));
  await filtered;
  const about = (await world.api.get(`/api/v1/ideas?product_id=${pump.id}`)).items;
  await page.waitForFunction((n) => document.querySelectorAll('[data-idea]').length === n, about.length);
  for (const i of about) assert.equal(await card(i.id).count(), 1);
  assert.ok(page.url().includes(`product=${pump.id}`));
  await clean(page);
  await page.context().close();

  // a partner sees its own contacts' ideas, without the status control
  const partner = await newPage(world);
  await signIn(partner, 'pat@example.com', { path: '/voice/ideas' });
  await partner.locator(`[data-idea="${ideas[3].id}"]`).waitFor();
  const mine = (await world.clientOf('pat@example.com').get('/api/v1/ideas?limit=500')).items;
  assert.equal(await partner.locator('[data-idea]').count(), mine.length);
  assert.equal(await partner.locator('[data-idea] select').count(), 0);
  assert.equal(await partner.getByText('On a card: ← and →').count(), 0);
  await clean(partner);
  await partner.context().close();
});

test('the voice screens fit 390 px', async () => {
  const page = await newPage(world, { width: 390, height: 844 });
  await signIn(page, 'admin@example.com', { path: '/voice/surveys' });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.locator('[data-testid="surveys-table"]').waitFor();
  assert.equal(await overflow(), 0, 'surveys');
  const first = await page.locator('[data-testid="surveys-table"] tbody tr a').first().getAttribute('href');
  await page.goto(first);
  await page.locator('.question').first().waitFor();
  assert.equal(await overflow(), 0, 'survey');
  await page.goto('/voice/surveys/new');
  await page.getByLabel('Question 1: kind').waitFor();
  assert.equal(await overflow(), 0, 'new survey');
  await page.goto('/voice/ideas');
  await page.locator('[data-idea]').first().waitFor();
  assert.equal(await overflow(), 0, 'ideas');
  await clean(page);
  await page.context().close();
});
