// samples.js - example data for every chart, in the shapes that docs/web.md documents. Used by
// the browser test that renders each chart under the Content-Security-Policy and by
// `make screenshots`; the planned dashboards show real data once the API offers it.

function norm(ages, scale) {
  const q = (z) => ages.map((a) => Math.round(scale * Math.sqrt(a) * (1 + z) + 2 * z * 10));
  return { p10: q(-0.7), p25: q(-0.35), p50: q(0), p75: q(0.35), p90: q(0.75) };
}

const ages = Array.from({ length: 53 }, (_, i) => i * 7);

export const rvBand = {
  bucket_days: 7,
  norm: { label: 'Automation Closing team', ages, n: ages.map(() => 120), ...norm(ages, 4) },
  contact: {
    label: 'Hiroshi Jackson',
    ages: ages.slice(0, 40),
    rv: ages.slice(0, 40).map((a, i) => Math.round(4 * Math.sqrt(a) * (i < 20 ? 1.1 : 0.55))),
  },
};

export const teamNorm = {
  title: 'Cumulative RV at 180 days',
  groups: [
    { label: 'Automation Acquisition', n: 210, p10: 4, p25: 12, p50: 22, p75: 35, p90: 51 },
    { label: 'Automation Closing', n: 160, p10: 18, p25: 31, p50: 44, p75: 60, p90: 81, own: true },
    { label: 'Automation Retention', n: 140, p10: 30, p25: 48, p50: 66, p75: 88, p90: 120 },
  ],
};

export const unitCompare = {
  title: 'Cumulative RV today (all stages)',
  groups: [
    { label: 'Northwind Automation', n: 820, p10: 6, p25: 20, p50: 41, p75: 70, p90: 104, own: true },
    { label: 'Northwind Fluid Power', n: 640, p10: 3, p25: 15, p50: 33, p75: 58, p90: 90 },
    { label: 'Keystone Industrial Distribution', n: 290, p10: 1, p25: 9, p50: 21, p75: 39, p90: 62 },
    { label: 'Summit Channel Partners', n: 6, suppressed: true },
  ],
};

const lorenz = Array.from({ length: 101 }, (_, i) => [i / 100, (i / 100) ** 3.2]);
export const valueDistribution = {
  customers: 2000, total: 1234567.5, mean: 617.28, gini: 0.62, top20_share: 0.71,
  deciles: [0.46, 0.25, 0.12, 0.07, 0.04, 0.025, 0.015, 0.01, 0.007, 0.003].map((share, i) => ({
    decile: i + 1, customers: 200, sum: share * 1234567.5, share,
  })),
  lorenz,
};

export const scorecards = [
  { user_id: 7, name: 'Grace Whitfield', rv: 412, cost: '1830.00', rv_per_cost: 0.225, interactions: 310, contacts: 61, orders: 44, team_percentile: 88 },
  { user_id: 8, name: 'Samuel Achebe', rv: 298, cost: '1620.00', rv_per_cost: 0.184, interactions: 276, contacts: 57, orders: 31, team_percentile: 50 },
  { user_id: 9, name: 'Lena Hoffmann', rv: 190, cost: '1710.00', rv_per_cost: 0.111, interactions: 301, contacts: 66, orders: 20, team_percentile: 12 },
];

export const exceptions = [
  { contact_id: 42, contact_name: 'Larry Roberts', age_days: 63, rv: -4, p10: 6, p90: 40, status: 'behind', at: '2026-06-29T14:05:00.000Z' },
  { contact_id: 77, contact_name: 'Ashley Alvarez', age_days: 28, rv: 52, p10: 2, p90: 31, status: 'ahead', at: '2026-06-29T13:51:00.000Z' },
];

// GET /api/v1/deal-stats/winrate and /pipeline (docs/deals.md), by owner.
export const dealWinRate = {
  by: 'owner', from: null, to: null,
  groups: [
    { key: { id: 7, name: 'Grace Whitfield' }, won: 12, lost: 6, closed: 18, win_rate: 0.667, interval_low: 0.437, interval_high: 0.837, won_amount: '184000.00', lost_amount: '61000.00' },
    { key: { id: 8, name: 'Samuel Achebe' }, won: 5, lost: 9, closed: 14, win_rate: 0.357, interval_low: 0.163, interval_high: 0.612, won_amount: '72000.50', lost_amount: '118000.00' },
    { key: { id: null, name: null }, won: 1, lost: 1, closed: 2, win_rate: 0.5, interval_low: 0.095, interval_high: 0.905, won_amount: '900.00', lost_amount: '50.00' },
  ],
  total: { won: 18, lost: 16, closed: 34, win_rate: 0.529, interval_low: 0.367, interval_high: 0.686, won_amount: '256900.50', lost_amount: '179050.00' },
};

export const dealPipeline = {
  by: 'owner',
  groups: [
    { key: { id: 7, name: 'Grace Whitfield' }, count: 9, amount: '240000.00', weighted_amount: '98000.00', stages: [] },
    { key: { id: 8, name: 'Samuel Achebe' }, count: 6, amount: '130500.00', weighted_amount: '41250.00', stages: [] },
  ],
  total: { count: 15, amount: '370500.00', weighted_amount: '139250.00', stages: [] },
};

// A survey's answers in GET /api/v1/voice/surveys (docs/voice.md, "Surveys report").
export const surveyAnswers = {
  suppressed: false, contacts: 60, answers: 60,
  nps: { n: 60, promoters: 33, passives: 15, detractors: 12, score: 35, interval_low: 15.2, interval_high: 54.8 },
  csat: { n: 60, satisfied: 24, score: 40, interval_low: 28.6, interval_high: 52.6, mean: 3 },
};
