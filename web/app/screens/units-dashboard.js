// units-dashboard.js - PLANNED (routes.js keeps it hidden): the executive's confidential comparison
// of units and partners by the depth of their relationships: RV distributions only, groups
// smaller than k suppressed (DESIGN.md §4). Waits for the RV comparison API; adaptCompare() is
// the one place to adjust to its real answer.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useFetch } from '../lib/hooks.js';
import { Page, Section } from '../components/page.js';
import { Loading, ErrorState } from '../components/states.js';
import { NormGroupsChart } from '../charts/norm-groups.js';

// GET /api/v1/rv/compare -> {"k", "epsilon", "cells": [{unit, stage, own, suppressed, n, p10..p90}]}
function adaptCompare(answer) {
  return {
    title: 'Cumulative RV today (all stages)',
    k: answer.k,
    groups: answer.cells.filter((c) => c.stage === 'all').map((c) => ({ ...c, label: c.unit })),
  };
}

export default function UnitsDashboard() {
  const r = useFetch((signal) => api.get('/api/v1/rv/compare', {}, { signal }).then(adaptCompare), []);
  return html`
    <${Page} title="Unit comparison" wide subtitle="Distributions only: no contact or interaction leaves its unit.">
      <${Section} title="RV by unit" id="units-title">
        ${r.error ? html`<${ErrorState} error=${r.error} onRetry=${r.reload} />`
          : r.data ? html`<${NormGroupsChart} data=${r.data} />
              <p class="hint">Groups of fewer than ${r.data.k} contacts are suppressed.</p>`
            : html`<${Loading} />`}
      <//>
    <//>`;
}
