// api.js - the portal's one door to /portal/api/ (docs/portal.md): JSON in and out, the portal
// session's CSRF token on every change (the staff app's token is another), and every failure as
// a PortalError with the API's message. A 401 on anything but the sign-in calls means the session
// ended: the shell shows the sign-in screen again.

let csrfToken = null;
let onEnded = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function onSessionEnded(fn) {
  onEnded = fn;
}

export class PortalError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || (status ? `The server answered ${status}.` : 'The server cannot be reached. Check the connection and try again.'));
    this.status = status;
    this.code = e.code || `http_${status}`;
    this.field = e.field || null;
  }
}

const QUIET_401 = ['/portal/api/session', '/portal/api/session/link', '/portal/api/invitations/accept'];

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new PortalError(0, null);
  }
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new PortalError(r.status, data);
    if (r.status === 401 && !QUIET_401.includes(path)) onEnded(err);
    throw err;
  }
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};
