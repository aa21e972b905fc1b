// value.js - words for the customer value answers (/api/v1/value/...), shared by the value
// dashboard and the account page.

// The REAP levers (docs/value.md, "REAP"), as a manager reads them.
export const LEVER_TEXT = {
  retain: 'Retain: valuable customers at risk',
  efficiency: 'Efficiency: serve at lower cost',
  acquire: 'Acquire look-alikes of the best',
  penetrate: 'Penetrate: sell more to those who stay',
};

// The products of a rule's side: "Filter service kit + Hydraulic oil, 208 l drum".
export const products = (list) => list.map((p) => p.name).join(' + ');

// True when an answer says the lifetime value models could not be fitted (docs/value.md, "When
// the models cannot be fitted"): its predictions are then the proxy from each customer's own
// history (docs/value.md, "Proxy values").
export const noModel = (answer) => Boolean(answer && Array.isArray(answer.warnings)
  && answer.warnings.some((w) => w.code === 'model_not_fitted'));

// The one sentence that explains it. An answer with the model (clv's list) says which case it
// is; one without (a single customer) gets the sentence that fits both.
export function noModelText(answer) {
  const model = answer && answer.model;
  if (model && model.repeat_buyers === 0) return 'Lifetime value needs repeat purchases to fit its model; predictions are each customer\'s own net value to date as a yearly rate.';
  return 'Lifetime value\'s model cannot be fitted on these orders (too few repeat purchases, or too alike); predictions are each customer\'s own net value to date as a yearly rate.';
}
