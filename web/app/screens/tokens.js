// tokens.js - "API tokens": the signed-in user's own tokens for scripts and integrations.
import { html } from '../lib/html.js';
import { Page, Section } from '../components/page.js';
import { TokenList } from '../components/tokens.js';

export default function Tokens() {
  return html`
    <${Page} title="API tokens" subtitle="Tokens let scripts use the API as you, without your password.">
      <${Section} title="Your tokens" id="tokens-title">
        <${TokenList} canCreate=${true} />
      <//>
    <//>`;
}
