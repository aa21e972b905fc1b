// voice-paths.js - the digital paths (docs/voice.md, "Digital paths"): how the contacts the
// caller may read went from their first touch to their first purchase, churn or a service
// outcome, as a Sankey chart of the frequent steps (SVG, charts/paths-sankey.js) and a table of
// the common paths with their counts, conversion and median duration.
//
//   GET /api/v1/voice/paths?outcome=&step=&min_support=&max_length=
import { html, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState, Empty } from '../components/states.js';
import { PathsSankey, pathText, conversionText, outcomeLabel } from '../charts/paths-sankey.js';

const days = (d) => (d === null || d === undefined ? '–' : `${fmt.decimal(d, 1)} d`);

function PathsTable({ data }) {
  if (!data.paths.length) {
    return html`<${Empty}>No path to ${outcomeLabel(data.outcome).toLowerCase()} was taken by ${fmt.number(data.min_support)} contacts or more. Lower the support to see rarer paths.<//>`;
  }
  return html`
    <div class="table-wrap">
      <table class="data" data-testid="paths-table">
        <thead><tr><th>Path</th><th class="num">Reached it</th><th class="num">Took these steps</th><th class="num">Conversion</th><th class="num">Median time</th></tr></thead>
        <tbody>${data.paths.map((p) => html`
          <tr data-node=${p.node}>
            <th>${pathText(p.steps, p.cut)}</th>
            <td class="num">${fmt.number(p.converted)}</td>
            <td class="num">${fmt.number(p.contacts)}</td>
            <td class="num">${conversionText(p.conversion)}</td>
            <td class="num">${days(p.median_days)}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>`;
}

export default function VoicePaths() {
  const [outcome, setOutcome] = useState('purchase');
  const [step, setStep] = useState('channel');
  const [support, setSupport] = useState(10);
  const [length, setLength] = useState(5);
  const q = useFetch((signal) => api.get('/api/v1/voice/paths', { outcome, step, min_support: support, max_length: length }, { signal }),
    [outcome, step, support, length]);
  const ids = { outcome: useId(), step: useId(), support: useId(), length: useId() };
  const d = q.data;
  const controls = html`
    <div class="field inline">
      <label for=${ids.outcome}>Outcome</label>
      <select id=${ids.outcome} value=${outcome} onChange=${(e) => setOutcome(e.target.value)}>
        ${['purchase', 'churn', 'service'].map((o) => html`<option value=${o}>${outcomeLabel(o)}</option>`)}
      </select>
    </div>
    <div class="field inline">
      <label for=${ids.step}>Steps</label>
      <select id=${ids.step} value=${step} onChange=${(e) => setStep(e.target.value)}>
        <option value="channel">Channels</option>
        <option value="type">Interaction types</option>
      </select>
    </div>
    <div class="field inline">
      <label for=${ids.support}>Support</label>
      <input id=${ids.support} type="number" min="1" max="1000000" value=${support} onInput=${(e) => setSupport(Math.max(1, Number(e.target.value) || 1))} />
    </div>
    <div class="field inline">
      <label for=${ids.length}>Steps kept</label>
      <input id=${ids.length} type="number" min="1" max="12" value=${length} onInput=${(e) => setLength(Math.min(12, Math.max(1, Number(e.target.value) || 1)))} />
    </div>`;
  return html`
    <${Page} title="Digital paths" wide subtitle="The channels and interaction types by which your contacts went from their first touch to an outcome: repeats of a step in a row count once, paths are cut after the steps kept, and only what at least the support's number of contacts did is shown.">
      <${Section} title="Common paths" id="paths-title" actions=${controls}>
        ${q.error ? html`<${ErrorState} error=${q.error} onRetry=${q.reload} />`
          : !d ? html`<${Loading} what="Mining the paths" />`
            : html`<div aria-busy=${q.loading ? 'true' : 'false'}>
              <p class="hint" data-testid="paths-totals">${fmt.number(d.converted)} of ${fmt.number(d.contacts)} contacts with a path reached ${outcomeLabel(d.outcome).toLowerCase()} (${conversionText(d.conversion)}), after a median of ${days(d.median_days)}; ${fmt.number(d.without_path)} reached it before any touch.</p>
              ${d.nodes.length ? html`<${PathsSankey} answer=${d} label=${`Sankey chart of the paths from first touch to ${outcomeLabel(d.outcome).toLowerCase()}, step by step`} />`
                : html`<${Empty}>No step was taken by ${fmt.number(d.min_support)} contacts or more.<//>`}
              <${PathsTable} data=${d} />
            </div>`}
      <//>
    <//>`;
}
