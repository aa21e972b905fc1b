// hooks.js - loading data into components: useFetch for one answer, useCursorList for the API's
// cursor-paginated lists, useDebounced for search boxes.
import { useState, useEffect, useRef } from './html.js';
import { api } from './api.js';

// Runs load(signal) when a dependency changes; stale answers are dropped (AbortController).
// Returns {data, error, loading, reload, setData}.
export function useFetch(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, error: null, loading: false }); },
      (error) => { if (!ctl.signal.aborted) setState({ data: null, error, loading: false }); },
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  return {
    ...state,
    reload: () => setTick((n) => n + 1),
    setData: (data) => setState({ data, error: null, loading: false }),
  };
}

// One page of GET path?params at a time, walking next_cursor forward and the cursors seen so far
// backward. A change of params (search, filter, sort) starts again at the first page; the page
// being shown stays visible while the next one loads. Keyset pagination on the server makes every
// page cost the same, so this stays quick on lists of any length.
export function useCursorList(path, params, { limit = 50 } = {}) {
  const key = `${path}?${JSON.stringify(params)}`;
  const [pos, setPos] = useState({ key, page: 0, tick: 0 });
  const cursors = useRef({ key, list: [null] });
  if (cursors.current.key !== key) cursors.current = { key, list: [null] };
  const page = pos.key === key ? pos.page : 0;
  const [state, setState] = useState({ items: null, next: null, error: null, loading: true });

  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api.get(path, { ...params, limit, cursor: cursors.current.list[page] || undefined }, { signal: ctl.signal })
      .then((d) => {
        cursors.current.list[page + 1] = d.next_cursor;
        setState({ items: d.items, next: d.next_cursor, error: null, loading: false });
      })
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ items: null, next: null, error, loading: false });
      });
    return () => ctl.abort();
  }, [key, page, pos.tick]);

  return {
    ...state,
    page,
    limit,
    hasPrevious: page > 0,
    hasNext: Boolean(state.next),
    previous: () => setPos({ key, page: Math.max(0, page - 1), tick: pos.tick }),
    next: () => setPos({ key, page: page + 1, tick: pos.tick }),
    reload: () => setPos({ key, page, tick: pos.tick + 1 }),
  };
}

// value, delayed by ms after its last change.
export function useDebounced(value, ms = 250) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
