// page.js - the frame of every screen: its <h1> (focused after an in-app navigation, so that
// keyboard and screen-reader users land on the new content), the document title and actions.
import { html, useEffect, useRef } from '../lib/html.js';
import { hasNavigated } from '../lib/router.js';

export function Page({ title, subtitle, actions, back, children, wide }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = title ? `${title} · kith` : 'kith';
  }, [title]);
  useEffect(() => {
    if (hasNavigated() && heading.current) heading.current.focus();
  }, []);
  return html`
    <div class=${`page${wide ? ' wide' : ''}`}>
      ${back && html`<p class="back"><a href=${back.href}>← ${back.label}</a></p>`}
      <div class="page-head">
        <div>
          <h1 tabindex="-1" ref=${heading}>${title || '…'}</h1>
          ${subtitle && html`<p class="subtitle">${subtitle}</p>`}
        </div>
        ${actions && html`<div class="actions">${actions}</div>`}
      </div>
      ${children}
    </div>`;
}

export function Section({ title, actions, children, id }) {
  return html`
    <section class="card" aria-labelledby=${id}>
      <div class="section-head">
        <h2 id=${id}>${title}</h2>
        ${actions && html`<div class="actions">${actions}</div>`}
      </div>
      ${children}
    </section>`;
}
