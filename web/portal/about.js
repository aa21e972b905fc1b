// about.js - "What we infer": the company's inferences about the customer
// (GET /portal/api/me/inferences), each with what it is and how it is derived (GDPR Art.
// 15(1)(h)): Relationship Value, level, stage, position among peers, value tier, RFM segment,
// REAP lever, look-alike group. The figures are the analyses' own (docs/portal.md).
import { html } from '/app/lib/html.js';
import { dateTime, decimal, label, rv as signed } from '/app/lib/format.js';
import { api } from './api.js';
import { useLoad, Screen, States } from './common.js';

const POSITION = { behind: 'behind most of your peers', ahead: 'ahead of most of your peers', normal: 'in line with your peers' };

function Value({ inf }) {
  const v = inf.value;
  if (v === null || v === undefined) return html`<p class="value none">${inf.reason || 'Not computed.'}</p>`;
  switch (inf.name) {
    case 'relationship_value':
      return html`<dl class="mini">
        <div class="row"><dt>Relationship Value</dt><dd class="big" data-inference="rv">${signed(v.rv)}</dd></div>
        <div class="row"><dt>Interactions counted</dt><dd>${v.interactions}</dd></div>
        <div class="row"><dt>Strength today</dt><dd>${decimal(v.strength, 2)} (half-life ${decimal(v.half_life_days, 0)} days)</dd></div>
        <div class="row"><dt>First and last</dt><dd>${dateTime(v.first_interaction)} – ${dateTime(v.last_interaction)}</dd></div>
      </dl>`;
    case 'relationship_level':
      return html`<p class="value big" data-inference="level">Level ${v}</p>`;
    case 'lifecycle_stage':
      return html`<p class="value big" data-inference="stage">${label(v)}</p>`;
    case 'rv_position':
      return html`<p class="value">${decimal(v.percentile, 0)}th percentile of your ${v.group}'s relationships at your age: ${POSITION[v.status] || v.status}.</p>`;
    case 'value_segment':
      return html`<p class="value big">Tier ${v.tier} of 5</p>`;
    case 'rfm_segment':
      return html`<p class="value"><strong>${label(v.segment)}</strong> (recency ${v.r}, frequency ${v.f}, monetary ${v.m}; last order ${v.recency_days} days ago)</p>`;
    case 'reap_lever':
      return html`<p class="value"><strong>${label(v.lever)}</strong>: ${v.reason}</p>`;
    default:
      return html`<p class="value">${typeof v === 'object' ? JSON.stringify(v) : String(v)}</p>`;
  }
}

export default function AboutMe() {
  const st = useLoad(() => api.get('/portal/api/me/inferences'));
  return html`
    <${Screen} title="What we infer" intro="What the company concludes about you from your data, and how. Nothing here is decided about you automatically; staff use it to look after the relationship.">
      <${States} state=${st} what="The inferences" />
      ${st.data && st.data.inferences.map((inf) => html`
        <section class="card inference" key=${inf.name} aria-labelledby=${`inf-${inf.name}`} data-name=${inf.name}>
          <h2 id=${`inf-${inf.name}`}>${inf.label}</h2>
          <${Value} inf=${inf} />
          <p class="explain"><strong>What it is: </strong>${inf.meaning}</p>
        </section>`)}
    <//>`;
}
