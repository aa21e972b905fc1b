// users.js - the people who use kith: search, role and unit filters; administrators add users.
// Managers see their unit's users, read-only (the API decides).
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useCursorList, useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import { label } from '../lib/format.js';
import { options, ROLES, userFields } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page } from '../components/page.js';
import { DataTable } from '../components/table.js';
import { SearchBox, FilterSelect, FilterBar } from '../components/filters.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';
import { RefName } from '../components/refname.js';

const DEFAULTS = { q: '', sort: 'name', role: '', unit_id: '', disabled: '' };

const columns = [
  { key: 'name', label: 'Name', sort: 'name', render: (u) => html`<a href=${`/admin/users/${u.id}`}>${u.name}</a>` },
  { key: 'email', label: 'Email', className: 'opt break' },
  { key: 'role', label: 'Role', sort: 'role', render: (u) => label(u.role) },
  { key: 'unit_id', label: 'Unit', className: 'opt', render: (u) => html`<${RefName} kind="unit" id=${u.unit_id} />` },
  { key: 'disabled', label: 'Status', render: (u) => (u.disabled ? 'Disabled' : 'Active') },
];

export default function Users({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const [creating, setCreating] = useState(false);
  const units = useFetch(() => lookups.units(), []);
  const list = useCursorList('/api/v1/users', f);
  const active = Boolean(f.q || f.role || f.unit_id || f.disabled);
  const admin = user.role === 'admin';
  return html`
    <${Page} title="Users" actions=${admin && html`<button type="button" onClick=${() => setCreating(true)}>New user</button>`}>
      <${FilterBar} label="Find users" active=${active} onClear=${() => update({ q: '', role: '', unit_id: '', disabled: '' })}>
        <${SearchBox} label="Search users" value=${f.q} onSearch=${(q) => update({ q })} hint="Beginning of a name or email" />
        <${FilterSelect} label="Role" value=${f.role} options=${options(ROLES)} onChange=${(role) => update({ role })} />
        <${FilterSelect} label="Unit" value=${f.unit_id} options=${(units.data || []).map((u) => ({ value: u.id, label: u.name }))}
          onChange=${(v) => update({ unit_id: v })} />
        <${FilterSelect} label="Status" value=${f.disabled} options=${[{ value: 'false', label: 'Active' }, { value: 'true', label: 'Disabled' }]}
          onChange=${(v) => update({ disabled: v })} />
      <//>
      <${DataTable} label="Users" columns=${columns} list=${list} sort=${f.sort} onSort=${(sort) => update({ sort })}
        empty=${active ? 'No user matches these filters.' : 'No users.'} />
      <${Dialog} open=${creating} title="New user" onClose=${() => setCreating(false)}>
        <${NewUser} onCancel=${() => setCreating(false)} />
      <//>
    <//>`;
}

function NewUser({ onCancel }) {
  const refs = useFetch(() => Promise.all([lookups.units(), lookups.teams()]), []);
  if (refs.loading) return null;
  const [units, teams] = refs.data || [[], []];
  async function create(body) {
    const u = await api.post('/api/v1/users', body);
    navigate(`/admin/users/${u.id}`);
  }
  return html`
    <${RecordForm} fields=${userFields(units, teams, { create: true })} record=${{ role: 'frontline' }} submitLabel="Create user"
      onSubmit=${create} onCancel=${onCancel}>
      <p class="hint">A new user signs in once an administrator has set their password: <code>kith user passwd EMAIL</code>.</p>
    <//>`;
}
