// api.js - the one door to kith's HTTP API (docs/api.md): JSON in and out, the session's CSRF
// token on every change, and every failure as an ApiError that screens show as it is
// (403 "not allowed", 404 "not found", 422 with the field at fault ...).

let csrfToken = null;
const sessionEndedListeners = new Set();

export function setCsrfToken(token) {
  csrfToken = token;
}

// fn(error) runs when a request answers 401: the session ended (signed out elsewhere, expired).
export function onSessionEnded(fn) {
  sessionEndedListeners.add(fn);
  return () => sessionEndedListeners.delete(fn);
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || (status ? `The server answered ${status}.` : 'No answer from the server.'));
    this.status = status;
    this.code = e.code || `http_${status}`;
    this.field = e.field || null;
  }
}

// "?a=1&b=x" from an object, leaving out undefined, null and "" values.
export function queryString(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, { params, body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let r;
  try {
    r = await fetch(path + queryString(params), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { error: { code: 'network', message: 'The server cannot be reached. Check the connection and try again.' } });
  }
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new ApiError(r.status, data);
    if (r.status === 401 && path !== '/api/v1/session') sessionEndedListeners.forEach((fn) => fn(err));
    throw err;
  }
  return data;
}

export const api = {
  get: (path, params, opts) => request('GET', path, { ...opts, params }),
  post: (path, body) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path) => request('DELETE', path),
};

// Every item of a list, following next_cursor (for small lists: the catalogue, units, teams).
export async function getAll(path, params = {}, { max = 5000 } = {}) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { ...params, limit: 500, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
