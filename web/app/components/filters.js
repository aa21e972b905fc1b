// filters.js - the bar above a list: a search box (sent after a pause in typing), filter selects
// and a button that clears them all. It is a role="search" landmark.
import { html, useState, useEffect, useId } from '../lib/html.js';
import { useDebounced } from '../lib/hooks.js';

export function SearchBox({ label, value, onSearch, hint }) {
  const id = useId();
  const [text, setText] = useState(value);
  const debounced = useDebounced(text, 250);
  useEffect(() => {
    if (debounced !== value) onSearch(debounced.trim());
  }, [debounced]);
  useEffect(() => {
    if (value !== debounced.trim()) setText(value); // cleared from outside
  }, [value]);
  return html`
    <div class="field search">
      <label for=${id}>${label}</label>
      <input id=${id} type="search" value=${text} autocomplete="off" aria-describedby=${hint ? `${id}-hint` : undefined}
        onInput=${(e) => setText(e.target.value)} />
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    </div>`;
}

export function FilterSelect({ label, value, options, onChange, all = 'All' }) {
  const id = useId();
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      <select id=${id} value=${value} onChange=${(e) => onChange(e.target.value)}>
        <option value="">${all}</option>
        ${options.map((o) => html`<option value=${String(o.value)}>${o.label}</option>`)}
      </select>
    </div>`;
}

export function FilterText({ label, value, onChange }) {
  const id = useId();
  const [text, setText] = useState(value);
  const debounced = useDebounced(text, 400);
  useEffect(() => {
    if (debounced !== value) onChange(debounced.trim());
  }, [debounced]);
  useEffect(() => {
    if (value !== debounced.trim()) setText(value);
  }, [value]);
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type="text" value=${text} autocomplete="off" onInput=${(e) => setText(e.target.value)} />
    </div>`;
}

// The first child is the search box; the others are filters, which on a phone sit behind a
// "Filters" button so that the list stays in view.
export function FilterBar({ label, children, active, onClear }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [search, ...filters] = Array.isArray(children) ? children : [children];
  return html`
    <div class=${`filters${open ? ' open' : ''}`} role="search" aria-label=${label}>
      ${search}
      ${filters.length > 0 && html`
        <button type="button" class="secondary filter-toggle" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id}
          onClick=${() => setOpen(!open)}>Filters${active ? ' (on)' : ''}</button>`}
      <div class="more" id=${id}>
        ${filters}
        ${active && html`<button type="button" class="link clear" onClick=${onClear}>Clear filters</button>`}
      </div>
    </div>`;
}
