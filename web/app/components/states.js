// states.js - what a screen shows while it waits, when there is nothing, and when it failed.
// Errors are shown as the API answered them: 404 "not found" (which also covers records outside
// the caller's scope: the API never tells the two apart), 403 "not allowed", and so on.
import { html } from '../lib/html.js';

export function Loading({ what = 'Loading' }) {
  return html`<p class="state loading" role="status"><span class="spinner" aria-hidden="true"></span>${what}…</p>`;
}

export function Empty({ children }) {
  return html`<p class="state empty">${children}</p>`;
}

const headings = {
  0: 'No connection',
  401: 'Signed out',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  422: 'Please check the form',
  429: 'Too many attempts',
};

export function errorHeading(error) {
  if (headings[error.status]) return headings[error.status];
  return error.status >= 500 ? 'The server could not do this' : 'Something went wrong';
}

export function ErrorState({ error, onRetry, what }) {
  if (!error) return null;
  const text = error.status === 404
    ? `${what || 'This record'} does not exist, or it is not yours to see.`
    : error.status === 403
      ? `Your role may not do this. ${error.message}`
      : error.message;
  return html`
    <div class="state error" role="alert" data-status=${error.status}>
      <h2>${errorHeading(error)}</h2>
      <p>${text}</p>
      ${onRetry && error.status !== 404 && error.status !== 403
        && html`<button type="button" class="secondary" onClick=${onRetry}>Try again</button>`}
    </div>`;
}

// A one-line message for forms: role="alert" so screen readers read it out.
export function FormError({ error }) {
  if (!error) return null;
  return html`<p class="form-error" role="alert">${errorHeading(error)}: ${error.message}</p>`;
}
