// table.js - a list screen's table over useCursorList(): sortable column headers (buttons, with
// aria-sort), loading / empty / error states, and previous / next page controls.
import { html } from '../lib/html.js';
import { Loading, Empty, ErrorState } from './states.js';

// The next sort after a click on a column sorted by field: ascending, then descending.
export function nextSort(current, field) {
  return current === field ? `-${field}` : field;
}

function SortHeader({ col, sort, onSort }) {
  if (!col.sort || !onSort) return html`<th scope="col" class=${col.className}>${col.label}</th>`;
  const dir = sort === col.sort ? 'ascending' : sort === `-${col.sort}` ? 'descending' : 'none';
  const arrow = dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '';
  return html`
    <th scope="col" class=${col.className} aria-sort=${dir}>
      <button type="button" class="sort" onClick=${() => onSort(nextSort(sort, col.sort))}>
        ${col.label}<span class="arrow" aria-hidden="true">${arrow}</span>
      </button>
    </th>`;
}

// columns: [{key, label, sort: 'field' (optional), render(row), className}]
export function DataTable({ label, columns, list, sort, onSort, empty, what }) {
  if (list.error) return html`<${ErrorState} error=${list.error} onRetry=${list.reload} what=${what} />`;
  if (!list.items) return html`<${Loading} what=${`Loading ${label.toLowerCase()}`} />`;
  return html`
    <div class="table-wrap" aria-busy=${list.loading ? 'true' : 'false'}>
      ${list.items.length === 0 && list.page === 0
        ? html`<${Empty}>${empty || 'Nothing here yet.'}<//>`
        : html`
          <table class="data">
            <caption class="visually-hidden">${label}</caption>
            <thead><tr>${columns.map((c) => html`<${SortHeader} col=${c} sort=${sort} onSort=${onSort} />`)}</tr></thead>
            <tbody>
              ${list.items.map((row) => html`
                <tr key=${row.id}>
                  ${columns.map((c, i) => (i === 0
                    ? html`<th scope="row" class=${c.className}>${c.render ? c.render(row) : row[c.key]}</th>`
                    : html`<td class=${c.className}>${c.render ? c.render(row) : row[c.key]}</td>`))}
                </tr>`)}
            </tbody>
          </table>`}
      <${Pager} list=${list} label=${label} />
    </div>`;
}

export function Pager({ list, label }) {
  if (!list.hasPrevious && !list.hasNext) return null;
  return html`
    <nav class="pager" aria-label=${`Pages of ${label.toLowerCase()}`}>
      <button type="button" class="secondary" onClick=${list.previous} disabled=${!list.hasPrevious || list.loading}>← Previous</button>
      <span class="page-no" aria-live="polite">Page ${list.page + 1}${list.loading ? ' (loading…)' : ''}</span>
      <button type="button" class="secondary" onClick=${list.next} disabled=${!list.hasNext || list.loading}>Next →</button>
    </nav>`;
}
