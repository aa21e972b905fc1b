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
