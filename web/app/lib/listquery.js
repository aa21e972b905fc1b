// listquery.js - a list screen's search, filters and sort live in the address (?q=&sort=...), so
// that reload, back and a shared link keep them. Values equal to their default are left out.
import { setQuery } from './router.js';

// [values, update] from the current query and the defaults ({q: '', sort: 'name', ...}).
export function listQuery(query, defaults) {
  const values = {};
  for (const [k, d] of Object.entries(defaults)) values[k] = query.has(k) ? query.get(k) : d;
  function update(changes) {
    const next = { ...values, ...changes };
    const kept = {};
    for (const [k, v] of Object.entries(next)) if (v !== defaults[k]) kept[k] = v;
    setQuery(kept);
  }
  return [values, update];
}
