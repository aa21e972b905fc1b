// value-fit.js - the value dashboard's "Model fit" section (docs/value.md, "Fit diagnostics"): the
// fitted BG/NBD and Gamma-Gamma parameters with their standard errors and 95% intervals, the fit's
// warnings, and the holdout check drawn as predicted against actual repeat purchases per number of
// repeat purchases in the calibration period. The answers are those of `kith value fit --json` and
// `kith value check --holdout-from DATE --json`:
//
//   GET /api/v1/value/fit      {as_of, model: {bgnbd, gamma_gamma, customers, repeat_buyers,
//                               diagnostics: {bgnbd: [{name, estimate, se, ci95_low, ci95_high,
//                               at_boundary}], gamma_gamma: [...], bounds}}, warnings?}
//   GET /api/v1/value/check?holdout_from=DATE
//                              {calibration: {from, to, customers}, holdout: {from, to, days},
//                               frequencies: [{frequency, customers, predicted_mean, actual_mean}],
//                               mae, mae_frequencies, warnings?}
//
// When no model can be fitted (422 not_converged or no_customers) the section is left out: the
// page's notice already says why, once.
import { html, useMemo, useState, useId } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Section } from './page.js';
import { Loading, ErrorState, Empty } from './states.js';
import { Chart, tipLine, esc } from '../charts/chart.js';

const sig = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });
const num = (v) => (v === null || v === undefined ? '–' : sig.format(v));
const MODELS = [['bgnbd', 'BG/NBD'], ['gamma_gamma', 'Gamma-Gamma']];
const YEAR_MS = 365 * 86400000;

// The default start of the holdout: a year before the as-of day.
export function defaultHoldout(asOf) {
  return new Date(Date.parse(asOf) - YEAR_MS).toISOString().slice(0, 10);
}

export function checkOption(d) {
  const rows = d.frequencies;
  return {
    grid: { left: 56, right: 16, top: 32, bottom: 48 },
    legend: { top: 0, data: ['Predicted', 'Actual'] },
    xAxis: { type: 'category', data: rows.map((f) => f.frequency), name: 'Repeat purchases in the calibration period', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name: 'Mean repeat purchases in the holdout', nameLocation: 'middle', nameGap: 42 },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const f = rows[items[0].dataIndex];
        return `<div class="tip-title">${esc(f.frequency)} repeat purchases (${esc(f.customers)} customers)</div>`
          + `${tipLine(0, 'predicted', num(f.predicted_mean))}${tipLine(1, 'actual', num(f.actual_mean))}`;
      },
    },
    series: [
      { name: 'Predicted', type: 'bar', data: rows.map((f) => f.predicted_mean) },
      { name: 'Actual', type: 'bar', data: rows.map((f) => f.actual_mean) },
    ],
  };
}

function Warnings({ list }) {
  return (list || []).map((w) => html`<p class="notice" role="status" data-warning=${w.code}>${w.message}</p>`);
}

function Parameters({ model }) {
  const diag = model.diagnostics;
  if (!diag) return null;
  return html`
    <div class="table-wrap">
      <table class="data" data-table="parameters">
        <caption>Fitted parameters with standard errors and 95% intervals</caption>
        <thead><tr><th scope="col">Model</th><th scope="col">Parameter</th><th scope="col" class="num">Estimate</th>
          <th scope="col" class="num">Standard error</th><th scope="col" class="num">95% interval</th></tr></thead>
        <tbody>${MODELS.filter(([key]) => diag[key]).map(([key, label]) => diag[key].map((p) => html`
          <tr data-at-boundary=${p.at_boundary ? 'true' : 'false'}>
            <td>${label}</td><th scope="row">${p.name}</th><td class="num">${num(p.estimate)}</td><td class="num">${num(p.se)}</td>
            <td class="num">${num(p.ci95_low)} – ${num(p.ci95_high)}${p.at_boundary ? ' (at the bound)' : ''}</td></tr>`))}
        </tbody>
      </table>
    </div>`;
}

function Check({ d }) {
  const option = useMemo(() => checkOption(d), [d]);
  return html`
    <p>Fitted on the orders of ${fmt.date(d.calibration.from)} to ${fmt.date(d.calibration.to)} (${fmt.number(d.customers)} customers),
      checked on the ${fmt.number(d.holdout.days)} days from ${fmt.date(d.holdout.from)}: mean absolute error ${num(d.mae)} repeat purchases
      per customer, ${num(d.mae_frequencies)} per frequency.</p>
    <${Warnings} list=${d.warnings} />
    <${Chart} option=${option} label="Predicted against actual repeat purchases in the holdout, by repeat purchases in the calibration period"
      caption="Mean repeat purchases in the holdout: predicted by the model and actual" />
    <details class="chart-table">
      <summary>Predicted and actual by frequency</summary>
      <div class="table-wrap">
        <table class="data" data-table="check">
          <caption class="visually-hidden">Predicted and actual repeat purchases in the holdout</caption>
          <thead><tr><th scope="col">Repeat purchases (calibration)</th><th scope="col" class="num">Customers</th>
            <th scope="col" class="num">Predicted</th><th scope="col" class="num">Actual</th></tr></thead>
          <tbody>${d.frequencies.map((f) => html`
            <tr><th scope="row">${f.frequency}</th><td class="num">${fmt.number(f.customers)}</td>
              <td class="num">${fmt.decimal(f.predicted_mean, 2)}</td><td class="num">${fmt.decimal(f.actual_mean, 2)}</td></tr>`)}
          </tbody>
        </table>
      </div>
    </details>`;
}

function CheckBody({ r }) {
  // a holdout the data cannot check (too few customers before it, none, a date out of range)
  if (r.error && (r.error.status === 400 || r.error.status === 422)) return html`<${Empty}>${r.error.message}<//>`;
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} what="Checking the model on the holdout" />`;
  return html`<div aria-busy=${r.loading ? 'true' : 'false'}><${Check} d=${r.data} /></div>`;
}

export function ValueFitSection() {
  const fit = useFetch((signal) => api.get('/api/v1/value/fit', {}, { signal }), []);
  const [from, setFrom] = useState(null);
  const fromId = useId();
  const holdout = from || (fit.data ? defaultHoldout(fit.data.as_of) : null);
  const check = useFetch((signal) => (holdout
    ? api.get('/api/v1/value/check', { holdout_from: holdout }, { signal })
    : new Promise(() => {})), [holdout]);
  if (fit.error && (fit.error.code === 'not_converged' || fit.error.code === 'no_customers')) return null;
  const m = fit.data && fit.data.model;
  return html`
    <${Section} title="Model fit" id="fit-title" actions=${holdout && html`
      <div class="field inline">
        <label for=${fromId}>Holdout from</label>
        <input id=${fromId} type="date" value=${holdout} onChange=${(e) => e.target.value && setFrom(e.target.value)} />
      </div>`}>
      ${fit.error && html`<${ErrorState} error=${fit.error} onRetry=${fit.reload} />`}
      ${!fit.error && !m && html`<${Loading} what="Loading the model" />`}
      ${m && html`
        <p>BG/NBD and Gamma-Gamma fitted on ${fmt.number(m.customers)} customers (${fmt.number(m.repeat_buyers)} repeat buyers) as of
          ${fmt.date(fit.data.as_of)}. The intervals come from the curvature of the likelihood at the estimate.</p>
        <${Warnings} list=${fit.data.warnings} />
        <${Parameters} model=${m} />
        <h3>Holdout check</h3>
        <${CheckBody} r=${check} />`}
    <//>`;
}
