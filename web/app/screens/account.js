// account.js - one account: details and edit (PATCH), its contacts, deals and orders (paged),
// "New deal" (POST /api/v1/deals), and its customer value (components/account-value.js).
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch, useCursorList } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { canWrite, accountFields, dealFields } from '../lib/records.js';
import { allStages, stageList, dealName, dealFormRefs } from '../lib/deals.js';
import { navigate } from '../lib/router.js';
import * as lookups from '../lib/lookups.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState } from '../components/states.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';
import { RefName } from '../components/refname.js';
import { DataTable } from '../components/table.js';
import { NewContact } from './contacts.js';
import { AccountValue } from '../components/account-value.js';
import { AccountV2T2 } from '../components/account-v2t2.js';
import { AccountWallet } from '../components/account-wallet.js';

const contactColumns = [
  { key: 'name', label: 'Name', render: (c) => html`<a href=${`/contacts/${c.id}`}>${fmt.personName(c)}</a>` },
  { key: 'title', label: 'Job title', className: 'opt' },
  { key: 'buying_role', label: 'Buying role', render: (c) => fmt.label(c.buying_role) },
  { key: 'stage', label: 'Stage', className: 'opt', render: (c) => fmt.label(c.stage) },
];

const orderColumns = [
  { key: 'ordered_at', label: 'Date', render: (o) => html`<time datetime=${o.ordered_at}>${fmt.date(o.ordered_at)}</time>` },
  { key: 'external_id', label: 'Reference', className: 'opt', render: (o) => o.external_id || `Order ${o.id}` },
  { key: 'amount', label: 'Amount', className: 'num', render: (o) => fmt.money(o.amount, o.currency) },
  { key: 'margin', label: 'Margin', className: 'num opt', render: (o) => fmt.money(o.margin, o.currency) },
];

const OUTCOME = { open: 'Open', won: 'Won', lost: 'Lost' };

function dealColumns(stageById) {
  return [
    { key: 'name', label: 'Deal', render: (d) => html`<a href=${`/deals/${d.id}`}>${dealName(d)}</a>` },
    {
      key: 'stage', label: 'Stage',
      render: (d) => {
        const name = stageById[d.stage_id] ? stageById[d.stage_id].name : `Stage #${d.stage_id}`;
        const outcome = OUTCOME[d.outcome] || fmt.label(d.outcome);
        // a closed deal says so, unless its stage's name already does ("Won", "Lost")
        return html`${name}${d.outcome !== 'open' && name !== outcome ? html` <span class=${`badge ${d.outcome}`}>${outcome}</span>` : ''}`;
      },
    },
    { key: 'amount', label: 'Amount', className: 'num', render: (d) => fmt.money(d.amount, d.currency) },
    { key: 'owner', label: 'Owner', className: 'opt', render: (d) => (d.owner_id ? html`<${RefName} kind="user" id=${d.owner_id} />` : '–') },
    {
      key: 'close', label: 'Expected / closed', className: 'opt nowrap',
      render: (d) => (d.outcome !== 'open' && d.closed_at ? `closed ${fmt.date(d.closed_at)}` : d.expected_close_at ? `expected ${fmt.date(d.expected_close_at)}` : '–'),
    },
  ];
}

// An independent unit (partner, distributor, dealer) that keeps its detail private: executives
// and analysts of the principal do not see its contacts (docs/internals/access.md), so an empty
// list there says why instead of "no contacts".
const INDEPENDENT = new Set(['partner', 'distributor', 'dealer']);

function contactsEmpty(user, unit) {
  const hidden = unit && INDEPENDENT.has(unit.kind) && !unit.shares_detail
    && (user.role === 'executive' || user.role === 'analyst');
  return hidden
    ? `${unit.name} keeps the detail of its contacts private; its relationships count in the RV and value figures.`
    : 'No contacts at this account yet.';
}

export default function Account({ params, user }) {
  const id = params.id;
  const account = useFetch((signal) => api.get(`/api/v1/accounts/${id}`, {}, { signal }), [id]);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const contacts = useCursorList('/api/v1/contacts', { account_id: id, sort: 'last_name', fields: 'first_name,last_name,email,title,buying_role,stage' }, { limit: 20 });
  const orders = useCursorList('/api/v1/orders', { account_id: id, sort: '-ordered_at' }, { limit: 20 });
  const deals = useCursorList('/api/v1/deals', { account_id: id, sort: '-id' }, { limit: 20 });
  const stages = useFetch(() => allStages().then(lookups.byId), []);
  const [newDeal, setNewDeal] = useState(false);
  const units = useFetch(() => lookups.units().then(lookups.byId), []);

  if (account.error) {
    return html`<${Page} title=${account.error.status === 404 ? 'Account not found' : 'Account'} back=${{ href: '/accounts', label: 'Accounts' }}>
      <${ErrorState} error=${account.error} onRetry=${account.reload} what="This account" /><//>`;
  }
  if (!account.data) return html`<${Page} title="Account"><${Loading} what="Loading the account" /><//>`;
  const a = account.data;
  const writable = canWrite(user);
  const row = (term, value) => html`<div><dt>${term}</dt><dd>${value === null || value === undefined || value === '' ? '–' : value}</dd></div>`;
  return html`
    <${Page} title=${fmt.accountName(a)} subtitle=${[a.industry, a.territory].filter(Boolean).join(' · ')} back=${{ href: '/accounts', label: 'Accounts' }}
      actions=${writable && html`<button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit details</button>`}>
      <div class="columns">
        <div class="col-main">
          <${Section} title="Contacts" id="account-contacts"
            actions=${writable && html`<button type="button" class="secondary" onClick=${() => setAdding(true)}>Add contact</button>`}>
            <${DataTable} label="Contacts of this account" columns=${contactColumns} list=${contacts} empty=${contactsEmpty(user, units.data && units.data[a.unit_id])} />
          <//>
          <${Section} title="Deals" id="account-deals"
            actions=${writable && html`<button type="button" class="secondary" onClick=${() => setNewDeal(true)}>New deal</button>`}>
            <${DataTable} label="Deals of this account" columns=${dealColumns(stages.data || {})} list=${deals} empty="No deals with this account yet." />
          <//>
          <${Section} title="Orders" id="account-orders">
            <${DataTable} label="Orders" columns=${orderColumns} list=${orders} empty="No orders yet." />
          <//>
          <${Section} title="Knowledge Frame (V2T2)" id="account-v2t2">
            <${AccountV2T2} id=${a.id} />
          <//>
        </div>
        <div class="col-side">
          <${Section} title="Details" id="account-details">
            <dl class="details">
              ${row('Industry', a.industry)}
              ${row('Territory', a.territory)}
              ${row('Annual revenue', a.annual_revenue && fmt.money(a.annual_revenue, a.currency))}
              ${row('Revenue band', a.revenue_band)}
              ${row('Source', a.source)}
              ${row('Owner', a.owner_id && html`<${RefName} kind="user" id=${a.owner_id} />`)}
              ${row('Unit', a.unit_id && html`<${RefName} kind="unit" id=${a.unit_id} />`)}
              ${row('Team', a.team_id && html`<${RefName} kind="team" id=${a.team_id} />`)}
              ${row('Added', fmt.date(a.created_at))}
            </dl>
          <//>
          <${Section} title="Customer value" id="account-value">
            <${AccountValue} id=${a.id} currency=${a.currency} />
          <//>
          <${Section} title="Share of wallet" id="account-wallet"><${AccountWallet} account=${a} writable=${writable} onSaved=${account.setData} /><//>
        </div>
      </div>
      <${Dialog} open=${editing} title="Edit account" onClose=${() => setEditing(false)}>
        <${EditAccount} user=${user} account=${a} onSaved=${(u) => { account.setData(u); setEditing(false); }} onCancel=${() => setEditing(false)} />
      <//>
      <${Dialog} open=${newDeal} title="New deal with this account" onClose=${() => setNewDeal(false)}>
        <${NewDeal} user=${user} account=${a} onCancel=${() => setNewDeal(false)} />
      <//>
      <${Dialog} open=${adding} title="New contact at this account" onClose=${() => setAdding(false)}>
        <${NewContact} user=${user} account=${a} onCancel=${() => setAdding(false)} />
      <//>
    <//>`;
}

function EditAccount({ user, account, onSaved, onCancel }) {
  const refs = useFetch(() => (user.role === 'admin' ? Promise.all([lookups.units(), lookups.teams()]) : Promise.resolve([[], []])), []);
  if (refs.loading) return html`<${Loading} />`;
  const [units, teams] = refs.data || [[], []];
  return html`<${RecordForm} edit fields=${accountFields(user, units, teams)} record=${account}
    onSubmit=${async (body) => onSaved(Object.keys(body).length ? await api.patch(`/api/v1/accounts/${account.id}`, body) : account)}
    onCancel=${onCancel} />`;
}

// The create form of a deal of this account: it starts in an open stage of the account's unit's
// list; the deal's page opens once it is created.
function NewDeal({ user, account, onCancel }) {
  const refs = useFetch(() => Promise.all([dealFormRefs(user, account.id), allStages()]), [account.id]);
  if (refs.error) return html`<${ErrorState} error=${refs.error} onRetry=${refs.reload} />`;
  if (!refs.data) return html`<${Loading} />`;
  const [choices, stages] = refs.data;
  const open = stageList(stages, account.unit_id || user.unit_id).filter((s) => s.kind === 'open');
  async function create(body) {
    const d = await api.post('/api/v1/deals', { ...body, account_id: account.id });
    navigate(`/deals/${d.id}`);
  }
  const record = {
    stage_id: open.length ? open[0].id : '', currency: account.currency, owner_id: user.id,
    unit_id: account.unit_id, team_id: account.team_id,
  };
  return html`<${RecordForm} fields=${dealFields(user, { ...choices, stages: open })} record=${record}
    submitLabel="Create deal" onSubmit=${create} onCancel=${onCancel} />`;
}
