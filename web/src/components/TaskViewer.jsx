// TaskViewer shows one task: what it is, its state, its log streaming live
// while it runs, and a Stop button (which asks first).
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from './context.js';
import { TaskFollower } from '../lib/tasklog.js';
import { dateTime, duration, parseUPID, statusClass, taskName } from '../lib/format.js';
import { ConfirmDialog, Dialog } from './Dialog.jsx';
import { ErrorAlert } from './Alert.jsx';

export function TaskViewer({ upid }) {
  const { api } = useApp();
  const info = parseUPID(upid);
  const [state, setState] = useState({ status: null, lines: [], error: null });
  const [asking, setAsking] = useState(false);
  const [now, setNow] = useState(Date.now() / 1000);
  const logRef = useRef(null);
  const stick = useRef(true);

  useEffect(() => {
    if (!info) return undefined;
    const f = new TaskFollower({ api, node: info.node, upid, onUpdate: setState }).start();
    const clock = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => { f.close(); clearInterval(clock); };
  }, [upid]);

  useEffect(() => {
    const el = logRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [state.lines.length]);

  if (!info) return <div class="alert alert-error">Not a task identifier: {upid}</div>;
  const s = state.status;
  const running = !s || s.status === 'running';
  const outcome = running ? 'running' : statusClass(s.exitstatus);
  const label = running ? (s ? 'running' : 'loading') : s.exitstatus;
  const end = !running && s && s.endtime ? s.endtime : now;

  return (
    <div class="task-viewer">
      <dl class="task-facts">
        <div><dt>Task</dt><dd>{taskName(info.type, info.id)}</dd></div>
        <div><dt>User</dt><dd>{info.user}</dd></div>
        <div><dt>Started</dt><dd>{dateTime(info.starttime)}</dd></div>
        {(running || s.endtime) && <div><dt>{running ? 'Running for' : 'Took'}</dt><dd>{duration(end - info.starttime)}</dd></div>}
        <div><dt>Status</dt><dd><span class={`chip chip-${outcome}`} data-testid="task-status">{label}</span></dd></div>
      </dl>
      <ErrorAlert error={state.error} />
      <pre class="task-log" ref={logRef} tabIndex={0} aria-label="Task log" aria-live="polite"
        onScroll={(e) => { const el = e.currentTarget; stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8; }}>
        {state.lines.map((l) => <div key={l.n} class="log-line"><span class="ln" aria-hidden="true">{l.n}</span>{l.t}</div>)}
        {running && <div class="log-line log-wait">…</div>}
      </pre>
      <div class="actions">
        {running && s && <button type="button" class="danger" onClick={() => setAsking(true)}>Stop task</button>}
      </div>
      {asking && (
        <ConfirmDialog title="Stop task" action="Stop the running task" name={taskName(info.type, info.id)} confirmLabel="Stop"
          onConfirm={() => api.del(`/nodes/${encodeURIComponent(info.node)}/tasks/${encodeURIComponent(upid)}`)}
          onClose={() => setAsking(false)} />
      )}
    </div>
  );
}

/** TaskDialog shows a task that a page just started, over the page. */
export function TaskDialog({ upid, onClose }) {
  return (
    <Dialog title="Task" onClose={onClose} wide>
      <TaskViewer upid={upid} />
    </Dialog>
  );
}
