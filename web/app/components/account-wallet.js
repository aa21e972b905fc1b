// account-wallet.js - share of wallet on the account page (docs/value.md, "Share of wallet"): the
// account's estimated wallet (what it spends a year in the categories sold, from the account
// record), its revenue in the last 12 months and the share, revenue / wallet, as
// GET /api/v1/value/clv?account= computes it (the same figure as `kith value clv --account`).
// A user who may write edits the estimate here (PATCH /api/v1/accounts/{id}: wallet,
// wallet_year; the API validates both). An account without orders has no revenue yet.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { Loading, ErrorState } from './states.js';
import { RecordForm } from './form.js';

const FIELDS = [
  { name: 'wallet', label: 'Estimated wallet (a year)', type: 'money', hint: 'What the account spends a year in the categories you sell, from every supplier, in its currency, e.g. 250000.00' },
  { name: 'wallet_year', label: 'Estimate for the year', type: 'number', numeric: true, min: 1900, max: 2999, step: 1 },
];

// The clv answer for the account, or { notCustomer: true } when it has no order yet.
async function load(id, signal) {
  try {
    return await api.get('/api/v1/value/clv', { account: id }, { signal });
  } catch (e) {
    if (e.status === 404 && e.code === 'not_customer') return { notCustomer: true };
    throw e;
  }
}

function Share({ account, currency }) {
  const r = useFetch((signal) => load(account.id, signal), [account.id, account.wallet]);
  if (r.error) return html`<${ErrorState} error=${r.error} onRetry=${r.reload} what="The share of wallet" />`;
  if (!r.data) return html`<${Loading} what="Loading the share of wallet" />`;
  if (r.data.notCustomer) return html`<p class="hint" data-share="none">No orders yet: the share of wallet is 0%.</p>`;
  const c = r.data;
  return html`
    <div><dt>Share of wallet</dt><dd><strong data-share=${c.share_of_wallet}>${fmt.percent(c.share_of_wallet)}</strong>
      <span class="sub">revenue of the last 12 months over the estimated wallet</span></dd></div>
    <div><dt>Revenue, last 12 months</dt><dd>${fmt.money(c.revenue_current, currency)}<span class="sub">net of returns and credits</span></dd></div>`;
}

export function AccountWallet({ account, writable, onSaved }) {
  const [editing, setEditing] = useState(false);
  const a = account;
  const has = a.wallet !== null && a.wallet !== undefined && Number(a.wallet) > 0;
  if (editing) {
    return html`<${RecordForm} edit fields=${FIELDS} record=${a} submitLabel="Save estimate"
      onSubmit=${async (body) => { onSaved(Object.keys(body).length ? await api.patch(`/api/v1/accounts/${a.id}`, body) : a); setEditing(false); }}
      onCancel=${() => setEditing(false)} />`;
  }
  return html`
    <dl class="details" aria-label="Share of wallet">
      <div><dt>Estimated wallet</dt><dd>${has ? fmt.money(a.wallet, a.currency) : '–'}<span class="sub">${has
        ? `a year${a.wallet_year ? `, estimate for ${a.wallet_year}` : ''}`
        : 'no estimate: enter what the account spends a year in your categories to see its share'}</span></dd></div>
      ${has && html`<${Share} account=${a} currency=${a.currency} />`}
    </dl>
    ${writable && html`<button type="button" class="secondary" onClick=${() => setEditing(true)}>${has ? 'Edit estimate' : 'Add estimate'}</button>`}`;
}
