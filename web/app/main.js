// main.js - the entry point that index.html loads: draws the application into #app.
import { html, render } from './lib/html.js';
import { App } from './app.js';

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
