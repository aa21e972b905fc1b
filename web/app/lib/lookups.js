// lookups.js - small reference lists loaded once per page load and shared by every screen: the
// interaction catalogue, units, teams, and the names of users (a user the caller may not read
// stays a number: the API answers 404 and the screen shows "User 45").
import { api, getAll } from './api.js';

const cache = new Map();

function cached(key, load) {
  if (!cache.has(key)) {
    const p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failure is not remembered
  }
  return cache.get(key);
}

export function forget(key) {
  cache.delete(key);
}

export const interactionTypes = () => cached('interaction-types', () => getAll('/api/v1/interaction-types', { sort: 'name' }));
export const units = () => cached('units', () => getAll('/api/v1/units', { sort: 'name' }));
export const teams = () => cached('teams', () => getAll('/api/v1/teams', { sort: 'name' }));

export function userName(id) {
  if (!id) return Promise.resolve(null);
  return cached(`user:${id}`, () => api.get(`/api/v1/users/${id}`)
    .then((u) => u.name, (e) => (e.status === 404 ? null : Promise.reject(e))));
}

// {id: record} of a list.
export function byId(list) {
  return Object.fromEntries((list || []).map((r) => [r.id, r]));
}
