// contacts.js - the contacts list: search, filters, sort and cursor pages over GET /api/v1/contacts,
// and "New contact" for the roles that may write.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useCursorList, useFetch } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import { label, number, date, personName } from '../lib/format.js';
import { canWrite, contactFields, options, STAGES, BUYING_ROLES } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page } from '../components/page.js';
import { DataTable } from '../components/table.js';
import { SearchBox, FilterSelect, FilterBar } from '../components/filters.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';

const DEFAULTS = { q: '', sort: 'last_name', stage: '', buying_role: '', mine: '' };
const FIELDS = 'first_name,last_name,email,title,stage,level,created_at';

const columns = [
  { key: 'name', label: 'Name', sort: 'last_name', className: 'nowrap', render: (c) => html`<a href=${`/contacts/${c.id}`}>${personName(c)}</a>` },
  { key: 'email', label: 'Email', className: 'opt break' },
  { key: 'title', label: 'Job title', className: 'opt' },
  { key: 'stage', label: 'Stage', render: (c) => label(c.stage) },
  { key: 'level', label: 'Level', sort: 'level', className: 'num', render: (c) => number(c.level) },
  { key: 'created_at', label: 'Added', sort: 'id', className: 'opt nowrap', render: (c) => date(c.created_at) },
];

export default function Contacts({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const [creating, setCreating] = useState(false);
  const list = useCursorList('/api/v1/contacts', {
    q: f.q, sort: f.sort, stage: f.stage, buying_role: f.buying_role, owner_id: f.mine ? user.id : '', fields: FIELDS,
  });
  const active = Boolean(f.q || f.stage || f.buying_role || f.mine);
  return html`
    <${Page} title="Contacts" actions=${canWrite(user) && html`<button type="button" onClick=${() => setCreating(true)}>New contact</button>`}>
      <${FilterBar} label="Find contacts" active=${active} onClear=${() => update({ q: '', stage: '', buying_role: '', mine: '' })}>
        <${SearchBox} label="Search contacts" value=${f.q} onSearch=${(q) => update({ q })}
          hint="Beginning of a first name, last name or email" />
        <${FilterSelect} label="Stage" value=${f.stage} options=${options(STAGES)} onChange=${(stage) => update({ stage })} />
        <${FilterSelect} label="Buying role" value=${f.buying_role} options=${options(BUYING_ROLES)}
          onChange=${(v) => update({ buying_role: v })} />
        <div class="field checkbox">
          <input id="contacts-mine" type="checkbox" checked=${Boolean(f.mine)} onChange=${(e) => update({ mine: e.target.checked ? '1' : '' })} />
          <label for="contacts-mine">Only mine</label>
        </div>
      <//>
      <${DataTable} label="Contacts" what="This list" columns=${columns} list=${list} sort=${f.sort}
        onSort=${(sort) => update({ sort })}
        empty=${active ? 'No contact matches these filters.' : 'No contacts yet.'} />
      <${Dialog} open=${creating} title="New contact" onClose=${() => setCreating(false)}>
        <${NewContact} user=${user} onCancel=${() => setCreating(false)} />
      <//>
    <//>`;
}

// The create form; account_id comes with it when started from an account's page.
export function NewContact({ user, account, onCancel }) {
  const refs = useFetch(() => (user.role === 'admin' ? Promise.all([lookups.units(), lookups.teams()]) : Promise.resolve([[], []])), []);
  if (refs.loading) return null;
  const [units, teams] = refs.data || [[], []];
  async function create(body) {
    const c = await api.post('/api/v1/contacts', account ? { ...body, account_id: account.id } : body);
    navigate(`/contacts/${c.id}`);
  }
  return html`<${RecordForm} fields=${contactFields(user, units, teams)} record=${account ? { unit_id: account.unit_id, team_id: account.team_id } : {}}
    submitLabel="Create contact" onSubmit=${create} onCancel=${onCancel} />`;
}
