// main.js - the customer portal's entry point (docs/portal.md, "The portal application"): draws
// the portal into #portal. The portal is its own small application beside the staff one; it
// shares only the view layer (/app/lib/html.js: Preact + htm) and the formatting helpers.
import { html, render } from '/app/lib/html.js';
import { Portal } from './app.js';

const root = document.getElementById('portal');
root.textContent = '';
render(html`<${Portal} />`, root);
