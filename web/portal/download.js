// download.js - "Download": everything held about the customer, its own data-subject export
// (GET /portal/api/export): one JSON document of a documented, versioned schema, or a zip of
// one CSV file per table (docs/dsr-export.md). Plain links: the browser downloads them with the
// portal's cookie.
import { html } from '/app/lib/html.js';
import { Screen } from './common.js';

export default function Download() {
  return html`
    <${Screen} title="Download" intro="Take everything we hold about you, to keep it or to give it to someone else.">
      <section class="card" aria-labelledby="dl-h">
        <h2 id="dl-h">Your data, all of it</h2>
        <p class="explain">The same data as on "My data", with your survey answers in full and what the company infers about you.</p>
        <ul class="downloads">
          <li><a class="button" href="/portal/api/export" download="my-data.json">Download as JSON</a>
            <span class="muted">one file, schema kith.dsr-export/1: for programs, and for another company's system</span></li>
          <li><a class="button" href="/portal/api/export?format=zip" download="my-data.zip">Download as spreadsheets (zip)</a>
            <span class="muted">one CSV file per kind of record, opened by any spreadsheet</span></li>
        </ul>
      </section>
    <//>`;
}
