// catalogue.js - the interaction catalogue (the relationship process model): every type with its
// phase, level, RV, cost and trigger flag. Administrators create, edit and delete types; other
// roles read it (the API lets them).
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useCursorList } from '../lib/hooks.js';
import { listQuery } from '../lib/listquery.js';
import * as fmt from '../lib/format.js';
import { interactionTypeFields, options, STAGES } from '../lib/records.js';
import * as lookups from '../lib/lookups.js';
import { Page } from '../components/page.js';
import { DataTable } from '../components/table.js';
import { SearchBox, FilterSelect, FilterBar } from '../components/filters.js';
import { Dialog } from '../components/dialog.js';
import { RecordForm } from '../components/form.js';
import { FormError } from '../components/states.js';

const DEFAULTS = { q: '', sort: 'name', phase: '', is_trigger: '' };
const yes = (b) => (b ? 'Yes' : '–');

export default function Catalogue({ query, user }) {
  const [f, update] = listQuery(query, DEFAULTS);
  const [editing, setEditing] = useState(null); // a type, or {} for a new one
  const list = useCursorList('/api/v1/interaction-types', f, { limit: 100 });
  const admin = user.role === 'admin';
  const columns = [
    {
      key: 'name', label: 'Name', sort: 'name',
      render: (t) => html`<span class="name">${t.name}</span><br /><code class="code">${t.code}</code>`,
    },
    { key: 'phase', label: 'Phase', sort: 'phase', render: (t) => fmt.label(t.phase) },
    { key: 'level', label: 'Level', sort: 'level', className: 'num' },
    { key: 'channel', label: 'Channel', className: 'opt' },
    { key: 'rv', label: 'RV', sort: 'rv', className: 'num', render: (t) => html`<span class=${`rv ${t.rv < 0 ? 'neg' : 'pos'}`}>${fmt.rv(t.rv)}</span>` },
    { key: 'cost', label: 'Cost', sort: 'cost', className: 'num', render: (t) => fmt.money(t.cost) },
    { key: 'is_trigger', label: 'Trigger', className: 'opt', render: (t) => yes(t.is_trigger) },
    { key: 'is_voc', label: 'VoC', className: 'opt', render: (t) => yes(t.is_voc) },
    ...(admin ? [{
      key: 'edit', label: html`<span class="visually-hidden">Actions</span>`,
      render: (t) => html`<button type="button" class="secondary small" onClick=${() => setEditing(t)} aria-label=${`Edit ${t.name}`}>Edit</button>`,
    }] : []),
  ];
  const active = Boolean(f.q || f.phase || f.is_trigger);
  function saved() {
    lookups.forget('interaction-types');
    setEditing(null);
    list.reload();
  }
  return html`
    <${Page} title="Interaction catalogue" wide
      subtitle="Each interaction type carries its Relationship Value (RV) and cost; a trigger moves the contact to the next level."
      actions=${admin && html`<button type="button" onClick=${() => setEditing({})}>New type</button>`}>
      <${FilterBar} label="Find interaction types" active=${active} onClear=${() => update({ q: '', phase: '', is_trigger: '' })}>
        <${SearchBox} label="Search types" value=${f.q} onSearch=${(q) => update({ q })} hint="Beginning of the code or a word of the name" />
        <${FilterSelect} label="Phase" value=${f.phase} options=${options(STAGES)} onChange=${(phase) => update({ phase })} />
        <${FilterSelect} label="Trigger" value=${f.is_trigger} options=${[{ value: 'true', label: 'Triggers only' }, { value: 'false', label: 'No triggers' }]}
          onChange=${(v) => update({ is_trigger: v })} />
      <//>
      <${DataTable} label="Interaction types" columns=${columns} list=${list} sort=${f.sort} onSort=${(sort) => update({ sort })}
        empty=${active ? 'No type matches these filters.' : 'The catalogue is empty.'} />
      <${Dialog} open=${Boolean(editing)} title=${editing && editing.id ? `Edit “${editing.name}”` : 'New interaction type'} onClose=${() => setEditing(null)}>
        ${editing && html`<${TypeForm} type=${editing} onSaved=${saved} onCancel=${() => setEditing(null)} />`}
      <//>
    <//>`;
}

function TypeForm({ type, onSaved, onCancel }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState(null);
  const edit = Boolean(type.id);
  async function submit(body) {
    if (edit) await api.patch(`/api/v1/interaction-types/${type.id}`, body);
    else await api.post('/api/v1/interaction-types', body);
    onSaved();
  }
  async function remove() {
    try {
      await api.del(`/api/v1/interaction-types/${type.id}`);
      onSaved();
    } catch (e) {
      setError(e);
      setConfirming(false);
    }
  }
  const defaults = edit ? type : { touch: 0.5, tech: 0.5, level: 1, rv: 1, cost: '0.00' };
  return html`
    <${RecordForm} edit=${edit} fields=${interactionTypeFields()} record=${defaults} submitLabel=${edit ? 'Save' : 'Create type'}
      onSubmit=${submit} onCancel=${onCancel} />
    ${edit && html`
      <div class="danger-zone">
        <${FormError} error=${error} />
        ${confirming
          ? html`<p>Delete “${type.name}”? A type that interactions refer to cannot be deleted.</p>
              <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
              <button type="button" class="secondary" onClick=${() => setConfirming(false)}>Keep it</button>`
          : html`<button type="button" class="danger secondary" onClick=${() => setConfirming(true)}>Delete this type…</button>`}
      </div>`}`;
}
