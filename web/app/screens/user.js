// user.js - one user: details, edit (administrators: role, unit, team, disabled) and, for
// administrators, the user's API tokens.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import * as fmt from '../lib/format.js';
import { userFields } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState } from '../components/states.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';
import { RefName } from '../components/refname.js';
import { TokenList } from '../components/tokens.js';

export default function User({ params, user }) {
  const u = useFetch((signal) => api.get(`/api/v1/users/${params.id}`, {}, { signal }), [params.id]);
  const [editing, setEditing] = useState(false);
  const admin = user.role === 'admin';
  const back = { href: '/admin/users', label: 'Users' };
  if (u.error) return html`<${Page} title="User" back=${back}><${ErrorState} error=${u.error} onRetry=${u.reload} what="This user" /><//>`;
  if (!u.data) return html`<${Page} title="User" back=${back}><${Loading} what="Loading the user" /><//>`;
  const x = u.data;
  const row = (term, value) => html`<div><dt>${term}</dt><dd>${value === null || value === undefined || value === '' ? '–' : value}</dd></div>`;
  return html`
    <${Page} title=${x.name} subtitle=${`${fmt.label(x.role)}${x.disabled ? ' · disabled' : ''}`} back=${back}
      actions=${admin && html`<button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit user</button>`}>
      <div class="columns">
        <div class="col-main">
          ${admin && html`<${Section} title="API tokens" id="user-tokens"><${TokenList} userId=${x.id === user.id ? null : x.id} canCreate=${x.id === user.id} /><//>`}
        </div>
        <div class="col-side">
          <${Section} title="Details" id="user-details">
            <dl class="details">
              ${row('Email', x.email)}
              ${row('Role', fmt.label(x.role))}
              ${row('Unit', x.unit_id && html`<${RefName} kind="unit" id=${x.unit_id} />`)}
              ${row('Team', x.team_id && html`<${RefName} kind="team" id=${x.team_id} />`)}
              ${row('Hourly cost', x.hourly_cost && fmt.money(x.hourly_cost))}
              ${row('Status', x.disabled ? 'Disabled' : 'Active')}
              ${row('Added', fmt.date(x.created_at))}
            </dl>
          <//>
        </div>
      </div>
      <${Dialog} open=${editing} title="Edit user" onClose=${() => setEditing(false)}>
        <${EditUser} target=${x} onSaved=${(v) => { u.setData(v); setEditing(false); }} onCancel=${() => setEditing(false)} />
      <//>
    <//>`;
}

function EditUser({ target, onSaved, onCancel }) {
  const refs = useFetch(() => Promise.all([lookups.units(), lookups.teams()]), []);
  if (refs.loading) return html`<${Loading} />`;
  const [units, teams] = refs.data || [[], []];
  return html`<${RecordForm} edit fields=${userFields(units, teams, { create: false })} record=${target}
    onSubmit=${async (body) => onSaved(Object.keys(body).length ? await api.patch(`/api/v1/users/${target.id}`, body) : target)}
    onCancel=${onCancel} />`;
}
