// form.js - labelled form fields and RecordForm, the create / edit form of any record. A field
// is described once ({name, label, type, options, required, hint}); RecordForm turns the inputs
// back into the API's JSON types, sends only what changed on an edit, and shows the API's
// refusal at the field it names (422 "field") or above the form.
import { html, useState, useId, useRef } from '../lib/html.js';
import { FormError } from './states.js';

// The input's text for a record's value.
function toInput(spec, v) {
  if (spec.type === 'checkbox') return Boolean(v);
  if (v === null || v === undefined) return '';
  if (spec.type === 'datetime') return v.slice(0, 16);
  if (spec.type === 'date') return v.slice(0, 10);
  return String(v);
}

// The JSON value for an input's text (null for an empty optional field).
function fromInput(spec, s) {
  if (spec.type === 'checkbox') return Boolean(s);
  if (s === '') return null;
  if (spec.type === 'number' || spec.numeric) return Number(s);
  if (spec.type === 'datetime') return new Date(s).toISOString();
  if (spec.type === 'date') return `${s}T00:00:00.000Z`; // a day: midnight UTC
  return s;
}

export function Field({ spec, value, error, onChange, inputRef }) {
  const id = useId();
  const hintId = spec.hint ? `${id}-hint` : null;
  const errId = error ? `${id}-error` : null;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    disabled: spec.disabled,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy,
    ref: inputRef,
  };
  let control;
  if (spec.type === 'select') {
    control = html`
      <select ...${common} value=${value} onChange=${(e) => onChange(e.target.value)}>
        ${!spec.required && html`<option value="">${spec.placeholder || '–'}</option>`}
        ${spec.options.map((o) => html`<option value=${String(o.value)}>${o.label}</option>`)}
      </select>`;
  } else if (spec.type === 'textarea') {
    control = html`<textarea ...${common} rows=${spec.rows || 3} maxLength=${spec.maxLength} value=${value}
      onInput=${(e) => onChange(e.target.value)}></textarea>`;
  } else if (spec.type === 'checkbox') {
    return html`
      <div class="field checkbox">
        <input type="checkbox" ...${common} checked=${value} onChange=${(e) => onChange(e.target.checked)} />
        <label for=${id}>${spec.label}</label>
        ${spec.hint && html`<p class="hint" id=${hintId}>${spec.hint}</p>`}
        ${error && html`<p class="field-error" id=${errId}>${error}</p>`}
      </div>`;
  } else {
    const type = { number: 'number', email: 'email', tel: 'tel', datetime: 'datetime-local', date: 'date', money: 'text' }[spec.type] || 'text';
    control = html`<input ...${common} type=${type} value=${value} min=${spec.min} max=${spec.max}
      step=${spec.step} maxLength=${spec.maxLength} inputMode=${spec.type === 'money' ? 'decimal' : undefined}
      pattern=${spec.type === 'money' ? '-?[0-9]+([.][0-9]{1,2})?' : undefined} autoComplete=${spec.autoComplete || 'off'}
      onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`
    <div class=${`field${error ? ' has-error' : ''}`}>
      <label for=${id}>${spec.label}${spec.required && html`<span class="req" aria-hidden="true"> *</span>`}</label>
      ${control}
      ${spec.hint && html`<p class="hint" id=${hintId}>${spec.hint}</p>`}
      ${error && html`<p class="field-error" id=${errId}>${error}</p>`}
    </div>`;
}

// fields: specs; record: the current values (edit) or defaults (create). onSubmit(body) returns
// a promise; its ApiError is shown. In edit mode only changed members are sent.
export function RecordForm({ fields, record = {}, edit = false, submitLabel = 'Save', onSubmit, onCancel, children }) {
  const initial = Object.fromEntries(fields.map((f) => [f.name, toInput(f, record[f.name])]));
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const refs = useRef({});

  async function submit(e) {
    e.preventDefault();
    const body = {};
    for (const f of fields) {
      if (f.disabled) continue;
      if (edit && values[f.name] === initial[f.name]) continue;
      if (!edit && (values[f.name] === '' || values[f.name] === false) && !f.sendEmpty) continue;
      body[f.name] = fromInput(f, values[f.name]);
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(body);
    } catch (err) {
      setError(err);
      const el = err.field && refs.current[err.field];
      if (el) el.focus();
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name) => (error && error.field === name ? error.message : null);
  const general = error && !(error.field && fields.some((f) => f.name === error.field)) ? error : null;
  return html`
    <form class="record-form" onSubmit=${submit}>
      <${FormError} error=${general} />
      <div class="fields">
        ${fields.map((f) => html`<${Field} key=${f.name} spec=${f} value=${values[f.name]} error=${fieldError(f.name)}
          inputRef=${(el) => { refs.current[f.name] = el; }}
          onChange=${(v) => setValues((s) => ({ ...s, [f.name]: v }))} />`)}
      </div>
      ${children}
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : submitLabel}</button>
        ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
      </div>
    </form>`;
}

// Options for a select from a list of enum values: [{value, label}].
export function enumOptions(values, labelFn) {
  return values.map((v) => ({ value: v, label: labelFn ? labelFn(v) : v }));
}
