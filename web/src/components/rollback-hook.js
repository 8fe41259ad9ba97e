// useRollbackWatch runs the RollbackWatch of a network apply with rollback
// for the whole app, so the countdown stays in view on every page and
// survives a reload of the tab (sessionStorage).
import { useEffect, useRef, useState } from 'preact/hooks';
import { RollbackWatch, loadWatch, saveWatch } from '../lib/rollback.js';
import { parseUPID } from '../lib/format.js';

/** useRollbackWatch returns { watch, view, start, confirm, dismiss }. */
export function useRollbackWatch(api, node, storage = globalThis.sessionStorage) {
  const [watch, setWatch] = useState(() => {
    const w = storage && loadWatch(storage);
    return w && w.node === node ? w : null;
  });
  const [view, setView] = useState(null);
  const runner = useRef(null);
  useEffect(() => {
    if (!watch) { setView(null); return undefined; }
    const info = parseUPID(watch.upid);
    const r = new RollbackWatch({ api, node, upid: watch.upid, timeout: watch.timeout, submittedAt: watch.submittedAt,
      applyStart: info ? info.starttime : 0, onUpdate: setView }).start();
    runner.current = r;
    setView(r.view);
    return () => r.close();
  }, [watch && watch.upid]);
  useEffect(() => {
    if (view && ['confirmed', 'rolled-back', 'failed'].includes(view.state) && storage) saveWatch(storage, null);
  }, [view && view.state]);
  return {
    watch,
    view: watch ? view : null,
    start(w) {
      const next = { ...w, node };
      if (storage) saveWatch(storage, next);
      setWatch(next);
    },
    confirm: () => runner.current && runner.current.confirm(),
    dismiss() {
      if (storage) saveWatch(storage, null);
      setView(null);
      setWatch(null);
    },
  };
}
