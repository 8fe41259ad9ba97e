// usePoll loads a value now and again every `ms` while the page is visible.
import { useEffect, useState } from 'preact/hooks';

export function usePoll(load, ms, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let alive = true;
    let timer = null;
    async function run() {
      clearTimeout(timer);
      if (document.visibilityState !== 'hidden') {
        try {
          const data = await load();
          if (alive) setState({ data, error: null });
        } catch (error) {
          if (alive) setState((s) => ({ data: s.data, error }));
          if (error.status === 401 || error.status === 403) return;
        }
      }
      if (alive && ms) timer = setTimeout(run, ms);
    }
    run();
    const onVisible = () => { if (document.visibilityState === 'visible') run(); };
    document.addEventListener('visibilitychange', onVisible);
    return () => { alive = false; clearTimeout(timer); document.removeEventListener('visibilitychange', onVisible); };
  }, deps);
  return state;
}

/** useResource loads a value once per deps change; reload() loads it again. */
export function useResource(load, deps = []) {
  const [n, setN] = useState(0);
  const [state, setState] = useState({ data: null, error: null, loading: true });
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => { if (alive) setState({ data, error: null, loading: false }); },
      (error) => { if (alive) setState((s) => ({ data: s.data, error, loading: false })); });
    return () => { alive = false; };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}
