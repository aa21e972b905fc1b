// survey.js - one survey (docs/voice.md, "Surveys"): its results as the survey report answers
// them (opt-ins, answers, NPS as promoters / passives / detractors and CSAT as satisfied / not,
// with their 95% intervals; a group below k shown as suppressed, never as zero), and its
// definition, and the latest answers of the contacts who share theirs one by one (the only
// answers anyone sees singly; GET /api/v1/surveys/{id}/responses). Administrators build it here: name, purpose, dates, the questions of every kind
// the model allows (src/model/survey.h), reordered and removed, the audience (a contact filter in
// the list syntax of GET /api/v1/contacts) and the channel, touchpoint, interaction type and
// product it follows. The server checks it: a 422 is shown beside the field it names, and a
// question's error ("questions: items[2]: ...") beside that question. Others read it.
//
//   GET, PATCH /api/v1/surveys/{id}, POST /api/v1/surveys, GET /api/v1/voice/surveys,
//   GET /api/v1/surveys/{id}/responses,
//   GET /api/v1/products, GET /api/v1/interaction-types
import { html, useState, useId, useMemo } from '../lib/html.js';
import { api, getAll } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { navigate } from '../lib/router.js';
import * as fmt from '../lib/format.js';
import * as lookups from '../lib/lookups.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty, FormError } from '../components/states.js';
import { Field } from '../components/form.js';
import { RefName } from '../components/refname.js';
import { Chart, loadECharts } from '../charts/chart.js';
import { npsBarsOption, csatBarsOption, questionBarsOption, valueLabel } from '../charts/voice-bars.js';

loadECharts();

export const KINDS = [
  ['nps', 'NPS (0–10)'], ['csat', 'CSAT (1–5)'], ['single', 'Single choice'], ['multiple', 'Multiple choice'],
  ['text', 'Free text'], ['intent', 'Stated intent'], ['wants', 'Wants'], ['needs', 'Needs'],
];
const kindLabel = (k) => (KINDS.find((x) => x[0] === k) || [k, k])[1];
const HAS_CHOICES = (k) => k === 'single' || k === 'multiple';

const SHARED_MAX = 100; // shared answers shown

async function load(id, signal) {
  const [products, types] = await Promise.all([
    getAll('/api/v1/products', { sort: 'name' }).catch(() => []),
    lookups.interactionTypes().catch(() => []),
  ]);
  if (id === 'new') return { survey: null, report: null, products, types };
  const [survey, report, shared] = await Promise.all([
    api.get(`/api/v1/surveys/${id}`, {}, { signal }),
    api.get('/api/v1/voice/surveys', { survey: id }, { signal }),
    api.get(`/api/v1/surveys/${id}/responses`, { limit: SHARED_MAX }, { signal }),
  ]);
  return { survey, report, shared, products, types };
}

export default function Survey({ params, user }) {
  const r = useFetch((signal) => load(params.id, signal), [params.id]);
  const admin = user.role === 'admin';
  const isNew = params.id === 'new';
  const back = { href: '/voice/surveys', label: 'Surveys' };
  if (r.error) return html`<${Page} title="Survey" back=${back}><${ErrorState} error=${r.error} onRetry=${r.reload} what="This survey" /><//>`;
  if (!r.data) return html`<${Page} title=${isNew ? 'New survey' : 'Survey'} back=${back}><${Loading} what="Loading the survey" /><//>`;
  const { survey, report, shared, products, types } = r.data;
  if (isNew && !admin) return html`<${Page} title="New survey" back=${back}><p class="state error" role="alert">Only administrators define surveys.</p><//>`;
  const rep = survey && report ? report.surveys.find((s) => s.id === survey.id) : null;
  return html`
    <${Page} title=${isNew ? 'New survey' : survey.name} back=${back} wide
      subtitle=${isNew ? 'Questions, audience and the moment it follows. Contacts answer only after opting in.' : survey.purpose}>
      ${!isNew && html`
        <${Section} title="Results" id="survey-results">
          <${Results} rep=${rep} k=${report.privacy.k} />
        <//>
        <${Section} title="Answers per question" id="survey-questions">
          <${Questions} rep=${rep} k=${report.privacy.k} />
        <//>
        <${Section} title="Shared answers" id="survey-shared">
          <${Shared} survey=${survey} shared=${shared} />
        <//>`}
      <${Section} title=${admin ? (isNew ? 'Definition' : 'Edit the survey') : 'Definition'} id="survey-definition">
        ${admin
          ? html`<${Builder} survey=${survey} products=${products} types=${types}
              onSaved=${(s) => { if (isNew) navigate(`/voice/surveys/${s.id}`); else r.setData({ ...r.data, survey: s }); }} />`
          : html`<${Definition} survey=${survey} products=${products} types=${types} />`}
      <//>
    <//>`;
}

// ---- results -------------------------------------------------------------------------------

function Results({ rep, k }) {
  const a = rep && rep.answers;
  const npsOpt = useMemo(() => (a && !a.suppressed && a.nps && a.nps.n ? npsBarsOption(a.nps) : null), [rep]);
  const csatOpt = useMemo(() => (a && !a.suppressed && a.csat && a.csat.n ? csatBarsOption(a.csat) : null), [rep]);
  if (!rep) return html`<${Empty}>No answers in your scope yet.<//>`;
  const item = (t, v, hint) => html`<div><dt>${t}</dt><dd>${v}${hint ? html`<span class="sub">${hint}</span>` : ''}</dd></div>`;
  return html`
    <dl class="details" aria-label="Opt-ins and answers" data-testid="survey-report">
      ${item('Opted in', html`<span data-testid="opted-in">${fmt.number(rep.opted_in)}</span>`, 'contacts whose latest opt-in is granted')}
      ${item('Sharing answers', html`<span data-testid="sharing">${fmt.number(rep.sharing)}</span>`, 'staff may see their answers one by one')}
      ${item('Withdrawn', html`<span data-testid="withdrawn">${fmt.number(rep.withdrawn)}</span>`)}
      ${item('Updated answers', html`<span data-testid="updates">${fmt.number(rep.updates)}</span>`, 'answers replaced by a later one')}
      ${a.suppressed
        ? item('Answers', html`<span class="badge muted" data-testid="answers">suppressed</span>`, `fewer than ${fmt.number(k)} contacts answered: nothing is shown`)
        : item('Answers', html`<span data-testid="answers">${fmt.number(a.answers)}</span>`, `latest answers of ${fmt.number(a.contacts)} contacts`)}
    </dl>
    ${!a.suppressed && html`
      <div class="columns even">
        <div data-testid="nps-panel">
          <h3>NPS</h3>
          ${a.nps && a.nps.n ? html`
            <p><strong class="big" data-testid="nps-score">${fmt.decimal(a.nps.score, 1)}</strong>
              <span class="sub">95% interval ${fmt.decimal(a.nps.interval_low, 1)} to ${fmt.decimal(a.nps.interval_high, 1)}, ${fmt.number(a.nps.n)} answers</span></p>
            <${Chart} option=${npsOpt} size="small" label="NPS answers: promoters, passives and detractors" />
            <table class="data" data-testid="nps-table"><caption class="visually-hidden">NPS answers</caption>
              <thead><tr><th scope="col">Answer</th><th scope="col" class="num">Contacts</th></tr></thead>
              <tbody>
                <tr><th scope="row">Promoters (9–10)</th><td class="num" data-col="promoters">${fmt.number(a.nps.promoters)}</td></tr>
                <tr><th scope="row">Passives (7–8)</th><td class="num" data-col="passives">${fmt.number(a.nps.passives)}</td></tr>
                <tr><th scope="row">Detractors (0–6)</th><td class="num" data-col="detractors">${fmt.number(a.nps.detractors)}</td></tr>
              </tbody></table>` : html`<p class="hint">No NPS answers.</p>`}
        </div>
        <div data-testid="csat-panel">
          <h3>CSAT</h3>
          ${a.csat && a.csat.n ? html`
            <p><strong class="big" data-testid="csat-score">${fmt.percent(a.csat.score / 100)}</strong>
              <span class="sub">satisfied (4 or 5); 95% interval ${fmt.percent(a.csat.interval_low / 100)} to ${fmt.percent(a.csat.interval_high / 100)}; mean ${fmt.decimal(a.csat.mean, 2)} of 5; ${fmt.number(a.csat.n)} answers</span></p>
            <${Chart} option=${csatOpt} size="small" label="CSAT answers: satisfied and not" />` : html`<p class="hint">No CSAT answers.</p>`}
        </div>
      </div>`}`;
}

// What the latest answers to each question say (GET /api/v1/voice/surveys?survey=ID), a
// question answered by fewer than k contacts shown as suppressed; free text only counted.
function Questions({ rep, k }) {
  const qs = (rep && rep.questions) || [];
  if (!qs.length) return html`<${Empty}>No questions.<//>`;
  return html`
    <ol class="question-results" data-testid="question-results">${qs.map((q) => html`
      <li data-qid=${q.id}>
        <h3>${q.text || q.id} <span class="badge muted">${kindLabel(q.kind)}</span></h3>
        ${q.suppressed
          ? html`<p class="hint"><span class="badge muted" data-testid="q-suppressed">suppressed</span> fewer than ${fmt.number(k)} contacts answered: nothing is shown.</p>`
          : html`
            <p class="hint">Answered by <span data-testid="q-answered">${fmt.number(q.answered)}</span> contacts${q.kind === 'multiple' ? ' (each may pick several)' : ''}.</p>
            ${q.values.length > 0 && html`<${QuestionChart} q=${q} />
              <table class="data compact" data-testid="q-values"><caption class="visually-hidden">Answers to ${q.text || q.id}</caption>
                <thead><tr><th scope="col">Answer</th><th scope="col" class="num">Contacts</th></tr></thead>
                <tbody>${q.values.map((v) => html`<tr><th scope="row">${valueLabel(v.value)}</th><td class="num">${fmt.number(v.answers)}</td></tr>`)}</tbody>
              </table>`}`}
      </li>`)}
    </ol>`;
}

function QuestionChart({ q }) {
  const option = useMemo(() => questionBarsOption(q), [q]);
  return html`<${Chart} option=${option} size=${q.values.length > 5 ? '' : 'small'} label=${`Answers to ${q.text || q.id}, per value`} />`;
}

// A shared answer's value as text.
function answerText(v) {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.join(', ');
  return valueLabel(v);
}

function Shared({ survey, shared }) {
  const qs = (survey.questions && survey.questions.items) || [];
  if (shared.items.length === 0) return html`<${Empty}>No contact shares its answers one by one; they count only in the results above.<//>`;
  return html`
    <p class="hint">The latest answers of the contacts who allow staff to see them one by one${shared.next_after ? `: the first ${fmt.number(shared.items.length)}` : ''}. Everyone else's answers count only in the results.</p>
    <div class="table-wrap">
      <table class="data" data-testid="shared-answers">
        <caption class="visually-hidden">Shared answers</caption>
        <thead><tr><th scope="col">Contact</th><th scope="col" class="opt">Answered</th>
          ${qs.map((q) => html`<th scope="col" title=${q.text}>${q.id}</th>`)}</tr></thead>
        <tbody>${shared.items.map((a) => html`
          <tr data-contact=${a.contact_id}>
            <th scope="row"><${RefName} kind="contact" id=${a.contact_id} href=${`/contacts/${a.contact_id}`} /></th>
            <td class="opt">${fmt.dateTime(a.answered_at)}</td>
            ${qs.map((q) => html`<td data-q=${q.id}>${answerText((a.answers || {})[q.id])}</td>`)}
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}

// ---- the definition, read-only ---------------------------------------------------------------

function Definition({ survey, products, types }) {
  const pname = (id) => (products.find((p) => p.id === id) || {}).name || (id ? `Product #${id}` : '–');
  const tname = (id) => (types.find((t) => t.id === id) || {}).name || (id ? `Type #${id}` : '–');
  const item = (t, v) => html`<div><dt>${t}</dt><dd>${v || '–'}</dd></div>`;
  const items = (survey.questions && survey.questions.items) || [];
  return html`
    <dl class="details" aria-label="Survey">
      ${item('Audience', survey.audience ? html`<code>${survey.audience}</code>` : 'every contact')}
      ${item('Channel', survey.channel)}${item('Touchpoint', survey.touchpoint)}
      ${item('Interaction type', survey.type_id && tname(survey.type_id))}${item('Product', survey.product_id && pname(survey.product_id))}
      ${item('Opens', survey.opens_at && fmt.dateTime(survey.opens_at))}${item('Closes', survey.closes_at && fmt.dateTime(survey.closes_at))}
    </dl>
    <ol class="questions" data-testid="questions">${items.map((q) => html`
      <li data-qid=${q.id}><strong>${q.text}</strong> <span class="badge muted">${kindLabel(q.kind)}</span>${q.required ? ' (required)' : ''}
        ${HAS_CHOICES(q.kind) && html`<span class="sub">${(q.choices || []).join(' · ')}</span>`}
        ${q.kind === 'intent' && html`<span class="sub">${q.product_id ? pname(q.product_id) : q.category || ''}${q.horizon_months ? `, within ${q.horizon_months} months` : ''}</span>`}
      </li>`)}
    </ol>`;
}

// ---- the builder -----------------------------------------------------------------------------

let qSeq = 0;
const localKey = () => `k${++qSeq}`;

// A question as the form edits it: choices one per line, numbers as text.
function toDraft(q) {
  return {
    key: localKey(), id: q.id || '', kind: q.kind || 'nps', text: q.text || '', required: Boolean(q.required),
    choices: (q.choices || []).join('\n'), product_id: q.product_id ? String(q.product_id) : '',
    category: q.category || '', horizon_months: q.horizon_months ? String(q.horizon_months) : '',
  };
}

// The question as the API takes it.
function fromDraft(d) {
  const q = { id: d.id.trim(), kind: d.kind, text: d.text.trim(), required: d.required };
  if (HAS_CHOICES(d.kind)) q.choices = d.choices.split('\n').map((c) => c.trim()).filter(Boolean);
  if (d.kind === 'intent') {
    if (d.product_id) q.product_id = Number(d.product_id);
    if (d.category.trim()) q.category = d.category.trim();
    if (d.horizon_months) q.horizon_months = Number(d.horizon_months);
  }
  return q;
}

function nextId(drafts) {
  let n = drafts.length + 1;
  while (drafts.some((d) => d.id === `q${n}`)) n += 1;
  return `q${n}`;
}

const TOP = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'purpose', label: 'Purpose', maxLength: 1000, hint: 'What it is for, e.g. “satisfaction after a support ticket”' },
  { name: 'opens_at', label: 'Opens', type: 'date', hint: 'Empty: open now' },
  { name: 'closes_at', label: 'Closes (not included)', type: 'date', hint: 'Empty: never closes' },
];

function Builder({ survey, products, types, onSaved }) {
  const s = survey || {};
  const [top, setTop] = useState(() => ({
    name: s.name || '', purpose: s.purpose || '', opens_at: s.opens_at ? s.opens_at.slice(0, 10) : '',
    closes_at: s.closes_at ? s.closes_at.slice(0, 10) : '', audience: s.audience || '', channel: s.channel || '',
    touchpoint: s.touchpoint || '', type_id: s.type_id ? String(s.type_id) : '', product_id: s.product_id ? String(s.product_id) : '',
  }));
  const [drafts, setDrafts] = useState(() => ((s.questions && s.questions.items) || [{ id: 'q1', kind: 'nps', text: 'How likely are you to recommend us to a friend or colleague?' }]).map(toDraft));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const set = (name) => (v) => setTop((t) => ({ ...t, [name]: v }));
  const setQ = (i, change) => setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...change } : d)));
  const move = (i, by) => setDrafts((ds) => {
    const j = i + by;
    if (j < 0 || j >= ds.length) return ds;
    const n = ds.slice();
    [n[i], n[j]] = [n[j], n[i]];
    return n;
  });
  const remove = (i) => setDrafts((ds) => ds.filter((_, j) => j !== i));
  const add = () => setDrafts((ds) => [...ds, { ...toDraft({ kind: 'single' }), id: nextId(ds) }]);

  function body() {
    const day = (v) => (v ? `${v}T00:00:00.000Z` : null);
    const ref = (v) => (v ? Number(v) : null);
    const b = {
      name: top.name.trim(), purpose: top.purpose.trim() || null, opens_at: day(top.opens_at), closes_at: day(top.closes_at),
      audience: top.audience.trim() || null, channel: top.channel.trim() || null, touchpoint: top.touchpoint.trim() || null,
      type_id: ref(top.type_id), product_id: ref(top.product_id), questions: { items: drafts.map(fromDraft) },
    };
    if (!survey) {
      for (const k of Object.keys(b)) if (b[k] === null) delete b[k];
      return b;
    }
    const same = (k) => JSON.stringify(b[k]) === JSON.stringify(survey[k] === undefined ? null : survey[k]);
    for (const k of Object.keys(b)) if (same(k)) delete b[k];
    return b;
  }

  async function submit(e) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      const b = body();
      const out = survey ? (Object.keys(b).length ? await api.patch(`/api/v1/surveys/${survey.id}`, b) : survey)
        : await api.post('/api/v1/surveys', b);
      setSaved(true);
      onSaved(out);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // The question a 422 names: "questions: items[2]: ..." -> 2.
  const m = error && error.field === 'questions' ? /items\[(\d+)\]/.exec(error.message) : null;
  const badQ = m ? Number(m[1]) : -1;
  const fieldError = (name) => (error && error.field === name ? error.message : null);
  const shownAt = error && (['name', 'purpose', 'opens_at', 'closes_at', 'audience', 'channel', 'touchpoint', 'type_id', 'product_id'].includes(error.field) || badQ >= 0);
  const refOpts = (list) => list.map((x) => ({ value: String(x.id), label: x.name }));
  return html`
    <form class="record-form survey-builder" onSubmit=${submit} novalidate>
      ${!shownAt && html`<${FormError} error=${error} />`}
      <div class="fields">
        ${TOP.map((f) => html`<${Field} key=${f.name} spec=${f} value=${top[f.name]} error=${fieldError(f.name)} onChange=${set(f.name)} />`)}
      </div>
      <h3>Questions</h3>
      ${error && error.field === 'questions' && badQ < 0 && html`<p class="field-error" role="alert">${error.message}</p>`}
      <ol class="question-list">
        ${drafts.map((d, i) => html`<${QuestionEditor} key=${d.key} d=${d} i=${i} n=${drafts.length} products=${products}
          error=${i === badQ ? error.message : null}
          onChange=${(c) => setQ(i, c)} onMove=${(by) => move(i, by)} onRemove=${() => remove(i)} />`)}
      </ol>
      <p><button type="button" class="secondary" onClick=${add}>Add a question</button></p>
      <h3>Audience and what it follows</h3>
      <div class="fields">
        <${Field} spec=${{ name: 'audience', label: 'Audience (a contact filter)', maxLength: 2000, hint: 'The filters of the contact list, e.g. source=web&unit_id=3 or created_at_from=2026-01-01. Empty: every contact.' }}
          value=${top.audience} error=${fieldError('audience')} onChange=${set('audience')} />
        <${Field} spec=${{ name: 'channel', label: 'Channel', maxLength: 50, hint: 'The channel it follows, e.g. phone, email, web' }}
          value=${top.channel} error=${fieldError('channel')} onChange=${set('channel')} />
        <${Field} spec=${{ name: 'touchpoint', label: 'Touchpoint', maxLength: 100, hint: 'The moment it follows, e.g. after a support ticket' }}
          value=${top.touchpoint} error=${fieldError('touchpoint')} onChange=${set('touchpoint')} />
        <${Field} spec=${{ name: 'type_id', label: 'Interaction type it follows', type: 'select', options: refOpts(types) }}
          value=${top.type_id} error=${fieldError('type_id')} onChange=${set('type_id')} />
        <${Field} spec=${{ name: 'product_id', label: 'Product it is about', type: 'select', options: refOpts(products) }}
          value=${top.product_id} error=${fieldError('product_id')} onChange=${set('product_id')} />
      </div>
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : survey ? 'Save survey' : 'Create survey'}</button>
        ${saved && html`<span role="status" class="saved">Saved.</span>`}
      </div>
    </form>`;
}

function QuestionEditor({ d, i, n, products, error, onChange, onMove, onRemove }) {
  const id = useId();
  const errId = `${id}-err`;
  const label = `Question ${i + 1}`;
  const field = (spec, value, key) => html`<${Field} spec=${spec} value=${value} onChange=${(v) => onChange({ [key]: v })} />`;
  return html`
    <li class=${`question${error ? ' has-error' : ''}`} data-index=${i} aria-labelledby=${`${id}-h`}
      aria-describedby=${error ? errId : undefined}>
      <div class="question-head">
        <h4 id=${`${id}-h`}>${label}</h4>
        <div class="actions">
          <button type="button" class="secondary small" disabled=${i === 0} onClick=${() => onMove(-1)} aria-label=${`Move question ${i + 1} up`}>↑</button>
          <button type="button" class="secondary small" disabled=${i === n - 1} onClick=${() => onMove(1)} aria-label=${`Move question ${i + 1} down`}>↓</button>
          <button type="button" class="danger secondary small" onClick=${onRemove} aria-label=${`Remove question ${i + 1}`}>Remove</button>
        </div>
      </div>
      ${error && html`<p class="field-error" id=${errId} role="alert" data-testid="question-error">${error}</p>`}
      <div class="fields">
        ${field({ name: `q${i}-kind`, label: `${label}: kind`, type: 'select', required: true, options: KINDS.map(([v, l]) => ({ value: v, label: l })) }, d.kind, 'kind')}
        ${field({ name: `q${i}-id`, label: `${label}: id`, maxLength: 32, hint: 'Unique in the survey, e.g. q1' }, d.id, 'id')}
        ${field({ name: `q${i}-text`, label: `${label}: text`, type: 'textarea', rows: 2, maxLength: 1000 }, d.text, 'text')}
        ${HAS_CHOICES(d.kind) && field({ name: `q${i}-choices`, label: `${label}: choices, one per line`, type: 'textarea', rows: 4, hint: '2 to 30 different choices' }, d.choices, 'choices')}
        ${d.kind === 'intent' && html`
          ${field({ name: `q${i}-product`, label: `${label}: product`, type: 'select', options: products.map((p) => ({ value: String(p.id), label: p.name })) }, d.product_id, 'product_id')}
          ${field({ name: `q${i}-category`, label: `${label}: or category`, maxLength: 100 }, d.category, 'category')}
          ${field({ name: `q${i}-horizon`, label: `${label}: within (months)`, type: 'number', min: 1, max: 120, step: 1 }, d.horizon_months, 'horizon_months')}`}
        ${field({ name: `q${i}-required`, label: `${label}: an answer is required`, type: 'checkbox' }, d.required, 'required')}
      </div>
    </li>`;
}
