// surveys.js - the surveys (docs/voice.md, "Surveys"): each survey with what it follows, its
// questions, the contacts opted in and the NPS and CSAT of its latest answers as the survey
// report answers them (suppressed below k, never shown as zero). Administrators create surveys
// ("New survey", screens/survey.js); everyone else reads them.
//
//   GET /api/v1/surveys, GET /api/v1/voice/surveys
import { html } from '../lib/html.js';
import { api, getAll } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { Page } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';

async function load(signal) {
  const [surveys, report] = await Promise.all([
    getAll('/api/v1/surveys', { sort: 'name' }),
    api.get('/api/v1/voice/surveys', {}, { signal }),
  ]);
  const byId = Object.fromEntries(report.surveys.map((s) => [s.id, s]));
  return { surveys, byId, k: report.privacy.k };
}

// "NPS 32 (n 40)", "suppressed" or "–" for a survey's answers.
export function npsText(a) {
  if (!a || a.suppressed) return 'suppressed';
  return a.nps && a.nps.n ? fmt.decimal(a.nps.score, 1) : '–';
}
export function csatText(a) {
  if (!a || a.suppressed) return 'suppressed';
  return a.csat && a.csat.n ? fmt.percent(a.csat.score / 100) : '–';
}

export default function Surveys({ user }) {
  const r = useFetch((signal) => load(signal), []);
  const admin = user.role === 'admin';
  return html`
    <${Page} title="Surveys" wide
      subtitle="Opt-in surveys of satisfaction, wants, needs and intent. Answers are seen only as aggregates; groups of fewer than k contacts are suppressed."
      actions=${admin && html`<button type="button" onClick=${() => navigate('/voice/surveys/new')}>New survey</button>`}>
      ${r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`
        : !r.data ? html`<${Loading} what="Loading the surveys" />`
          : r.data.surveys.length === 0
            ? html`<${Empty}>No surveys yet. ${admin ? 'Choose “New survey” to ask customers for their NPS, satisfaction, wants, needs or intent.' : 'An administrator defines them.'}<//>`
            : html`<${SurveyTable} data=${r.data} />`}
    <//>`;
}

function SurveyTable({ data }) {
  return html`
    <p class="hint">Suppressed: fewer than ${fmt.number(data.k)} contacts answered, so nothing is shown.</p>
    <div class="table-wrap">
      <table class="data" data-testid="surveys-table">
        <caption class="visually-hidden">Surveys</caption>
        <thead><tr>
          <th scope="col">Survey</th><th scope="col" class="opt">Follows</th><th scope="col" class="num opt">Questions</th>
          <th scope="col" class="num">Opted in</th><th scope="col" class="num">Answers</th>
          <th scope="col" class="num">NPS</th><th scope="col" class="num">CSAT</th>
        </tr></thead>
        <tbody>${data.surveys.map((s) => {
          const rep = data.byId[s.id];
          const a = rep && rep.answers;
          return html`
            <tr data-survey=${s.id}>
              <th scope="row"><a href=${`/voice/surveys/${s.id}`}>${s.name}</a>${s.purpose && html`<span class="sub">${s.purpose}</span>`}</th>
              <td class="opt">${[s.channel, s.touchpoint].filter(Boolean).join(' · ') || '–'}</td>
              <td class="num opt">${fmt.number(((s.questions || {}).items || []).length)}</td>
              <td class="num">${rep ? fmt.number(rep.opted_in) : '–'}</td>
              <td class="num" data-col="answers">${!a || a.suppressed ? html`<span class="badge muted">suppressed</span>` : fmt.number(a.answers)}</td>
              <td class="num" data-col="nps">${npsText(a)}</td>
              <td class="num" data-col="csat">${csatText(a)}</td>
            </tr>`;
        })}
        </tbody>
      </table>
    </div>`;
}
