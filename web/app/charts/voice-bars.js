// voice-bars.js - a survey's answers as bars (docs/voice.md, "Surveys report"): NPS as its
// promoters, passives and detractors, CSAT as its satisfied (4 or 5) and other answers. The data
// are the "nps" and "csat" objects of GET /api/v1/voice/surveys (a survey's "answers"):
// {"n", "promoters", "passives", "detractors", "score", "interval_low", "interval_high"} and
// {"n", "satisfied", "score", "interval_low", "interval_high", "mean"}. Suppressed answers have
// no such objects and are never drawn. A question's answers per value (the "questions" of
// GET /api/v1/voice/surveys?survey=ID): {"id", "kind", "answered", "values": [{"value", "answers"}]}.
import { tipLine, esc } from './chart.js';
import { number, percent } from '../lib/format.js';

const NPS_COLOURS = ['#2e8540', '#5b6770', '#b5293d'];

function barsOption(labels, values, colours, total) {
  return {
    grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v) => number(v) } },
    yAxis: { type: 'category', data: labels, inverse: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const i = items[0].dataIndex;
        return `<div class="tip-title">${esc(labels[i])}</div>${tipLine(0, 'answers', number(values[i]))}`
          + `<div class="tip-line">share <b>${esc(percent(total ? values[i] / total : null))}</b></div>`;
      },
    },
    series: [{
      type: 'bar', barMaxWidth: 28,
      data: values.map((v, i) => ({ value: v, itemStyle: { color: colours[i % colours.length] } })),
      label: { show: true, position: 'right', formatter: (p) => number(p.value) },
    }],
  };
}

export function npsBarsOption(nps) {
  return barsOption(['Promoters (9–10)', 'Passives (7–8)', 'Detractors (0–6)'],
    [nps.promoters, nps.passives, nps.detractors], NPS_COLOURS, nps.n);
}

export function csatBarsOption(csat) {
  return barsOption(['Satisfied (4–5)', 'Not satisfied (1–3)'], [csat.satisfied, csat.n - csat.satisfied],
    ['#2e8540', '#b5293d'], csat.n);
}

// The label of a question's value: NPS and CSAT scores, a choice, Yes / No for an intent.
export function valueLabel(v) {
  if (v === true) return 'Yes';
  if (v === false) return 'No';
  return String(v);
}

const NPS_OF = (v) => (v >= 9 ? 0 : v >= 7 ? 1 : 2);

export function questionBarsOption(q) {
  const labels = q.values.map((x) => valueLabel(x.value));
  const values = q.values.map((x) => x.answers);
  let colours = ['#1f5f8b'];
  if (q.kind === 'nps') colours = q.values.map((x) => NPS_COLOURS[NPS_OF(x.value)]);
  else if (q.kind === 'csat') colours = q.values.map((x) => (x.value >= 4 ? '#2e8540' : '#b5293d'));
  else if (q.kind === 'intent') colours = ['#2e8540', '#5b6770'];
  return barsOption(labels, values, colours, q.answered);
}
