// Following a task: poll its status and fetch only the log lines not seen
// yet, until the task stops; then read the whole log once more so the final
// view is exactly the file.
import { parseUPID } from './format.js';

/**
 * mergeLog appends a batch of {n, t} lines to lines (n is 1-based and
 * contiguous). The daemon answers an empty log with one "no content" line;
 * while the task runs that placeholder is not kept, so line 1 comes later.
 */
export function mergeLog(lines, batch, running) {
  if (!batch || !batch.length) return lines;
  if (running && lines.length === 0 && batch.length === 1 && batch[0].n === 1 && batch[0].t === 'no content') {
    return lines;
  }
  const next = lines.slice();
  for (const line of batch) {
    if (line.n === next.length + 1) next.push(line);
  }
  return next;
}

/** TaskFollower polls one task; onUpdate({status, lines, error}) hears every change. */
export class TaskFollower {
  constructor({ api, node, upid, onUpdate, interval = 1000 }) {
    this.api = api;
    this.base = `/nodes/${encodeURIComponent(node)}/tasks/${encodeURIComponent(upid)}`;
    this.onUpdate = onUpdate;
    this.interval = interval;
    this.lines = [];
    this.status = null;
    this.stopped = false;
    this.timer = null;
  }

  start() {
    this.poll();
    return this;
  }

  /** close ends the polling (the task goes on). */
  close() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async poll() {
    if (this.stopped) return;
    try {
      const status = await this.api.get(`${this.base}/status`);
      const running = status.status === 'running';
      if (running) {
        const log = await this.api.get(`${this.base}/log`, { start: this.lines.length, limit: 0 });
        this.lines = mergeLog(this.lines, log, true);
      } else {
        this.lines = mergeLog([], await this.api.get(`${this.base}/log`, { start: 0, limit: 0 }), false);
      }
      this.status = status;
      if (this.stopped) return;
      this.onUpdate({ status, lines: this.lines, error: null });
      if (!running) return;
    } catch (error) {
      if (this.stopped) return;
      this.onUpdate({ status: this.status, lines: this.lines, error });
      if (error.status === 401 || error.status === 403 || error.status === 400) return;
    }
    this.timer = setTimeout(() => this.poll(), this.interval);
  }
}

/**
 * whenDone calls fn(status) once the task has ended, polling its status
 * (for a page to reload what the task changed); it returns a cancel
 * function. A failing poll stops it without calling fn.
 */
export function whenDone(api, upid, fn, interval = 1000) {
  const node = parseUPID(upid)?.node;
  let timer = null;
  let stopped = !node;
  async function poll() {
    if (stopped) return;
    try {
      const status = await api.get(`/nodes/${encodeURIComponent(node)}/tasks/${encodeURIComponent(upid)}/status`);
      if (stopped) return;
      if (status.status !== 'running') {
        fn(status);
        return;
      }
    } catch {
      return;
    }
    timer = setTimeout(poll, interval);
  }
  poll();
  return () => { stopped = true; clearTimeout(timer); };
}
