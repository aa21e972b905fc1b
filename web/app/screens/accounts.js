// accounts.js - the accounts list: search, filters, sort and cursor pages over GET /api/v1/accounts,
// and "New account" for the roles that may write.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useCursorList, useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import { money, accountName } from '../lib/format.js';
import { canWrite, accountFields } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page } from '../components/page.js';
import { DataTable } from '../components/table.js';
import { SearchBox, FilterText, FilterBar } from '../components/filters.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';

const DEFAULTS = { q: '', sort: 'name', industry: '', territory: '', revenue_band: '' };
const FIELDS = 'name,industry,territory,revenue_band,annual_revenue,currency';

const columns = [
  { key: 'name', label: 'Name', sort: 'name', render: (a) => html`<a href=${`/accounts/${a.id}`}>${accountName(a)}</a>` },
  { key: 'industry', label: 'Industry', className: 'opt' },
  { key: 'territory', label: 'Territory', className: 'opt' },
  { key: 'revenue_band', label: 'Revenue band', className: 'opt' },
  { key: 'annual_revenue', label: 'Annual revenue', sort: 'annual_revenue', className: 'num', render: (a) => money(a.annual_revenue, a.currency) },
];

export default function Accounts({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const [creating, setCreating] = useState(false);
  const list = useCursorList('/api/v1/accounts', { ...f, fields: FIELDS });
  const active = Boolean(f.q || f.industry || f.territory || f.revenue_band);
  return html`
    <${Page} title="Accounts" actions=${canWrite(user) && html`<button type="button" onClick=${() => setCreating(true)}>New account</button>`}>
      <${FilterBar} label="Find accounts" active=${active} onClear=${() => update({ q: '', industry: '', territory: '', revenue_band: '' })}>
        <${SearchBox} label="Search accounts" value=${f.q} onSearch=${(q) => update({ q })} hint="Beginning of a word of the name" />
        <${FilterText} label="Industry" value=${f.industry} onChange=${(industry) => update({ industry })} />
        <${FilterText} label="Territory" value=${f.territory} onChange=${(territory) => update({ territory })} />
        <${FilterText} label="Revenue band" value=${f.revenue_band} onChange=${(v) => update({ revenue_band: v })} />
      <//>
      <${DataTable} label="Accounts" what="This list" columns=${columns} list=${list} sort=${f.sort}
        onSort=${(sort) => update({ sort })} empty=${active ? 'No account matches these filters.' : 'No accounts yet.'} />
      <${Dialog} open=${creating} title="New account" onClose=${() => setCreating(false)}>
        <${NewAccount} user=${user} onCancel=${() => setCreating(false)} />
      <//>
    <//>`;
}

function NewAccount({ user, onCancel }) {
  const refs = useFetch(() => (user.role === 'admin' ? Promise.all([lookups.units(), lookups.teams()]) : Promise.resolve([[], []])), []);
  if (refs.loading) return null;
  const [units, teams] = refs.data || [[], []];
  async function create(body) {
    const a = await api.post('/api/v1/accounts', body);
    navigate(`/accounts/${a.id}`);
  }
  return html`<${RecordForm} fields=${accountFields(user, units, teams)} submitLabel="Create account" onSubmit=${create} onCancel=${onCancel} />`;
}
