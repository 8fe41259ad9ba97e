// Watching a network apply with rollback: PUT /nodes/{node}/network with
// rollback-timeout starts a task that applies the staged file; when it ends
// well the daemon's timer runs, and unless POST .../network/confirm comes in
// time a second srvreload task restores the previous file. The daemon has
// no "pending" query, so the watch follows the apply task, counts down to a
// deadline it computes on the safe side, and afterwards finds the rollback
// task in the task list.

/**
 * rollbackDeadline is when (client ms) the daemon's rollback timer fires.
 * The timer starts when the apply task ends: submittedAt (client ms, taken
 * before the request) plus the task's run time on the server's clock plus
 * the timeout. Task times are whole seconds, so a second is taken off the
 * run time: the countdown may end a little early, never late.
 */
export function rollbackDeadline(submittedAt, status, timeout) {
  const ran = status && status.endtime && status.starttime ? Math.max(0, status.endtime - status.starttime - 1) : 0;
  return submittedAt + (ran + Number(timeout)) * 1000;
}

/** remainingSeconds is the whole seconds left until deadline (0 when past). */
export function remainingSeconds(deadline, now) {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** countdown formats seconds as m:ss: 65 → "1:05". */
export function countdown(s) {
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** findRollbackTask picks the rollback task from a task list: a srvreload task other than the apply, started at or after it. */
export function findRollbackTask(tasks, applyUpid, applyStart) {
  return (tasks || [])
    .filter((t) => t.type === 'srvreload' && t.upid !== applyUpid && t.starttime >= applyStart)
    .sort((a, b) => a.starttime - b.starttime)[0] || null;
}

/** STORAGE_KEY keeps a watch across a page reload (per browser tab). */
const STORAGE_KEY = 'hostadm.network-rollback';

/** saveWatch remembers (or forgets, with null) the running watch. */
export function saveWatch(storage, w) {
  try {
    if (w) storage.setItem(STORAGE_KEY, JSON.stringify(w));
    else storage.removeItem(STORAGE_KEY);
  } catch { /* private mode: the watch just does not survive a reload */ }
}

/** loadWatch returns the remembered watch {node, upid, timeout, submittedAt} or null. */
export function loadWatch(storage) {
  try {
    const w = JSON.parse(storage.getItem(STORAGE_KEY) || 'null');
    return w && w.upid && w.node && w.timeout ? w : null;
  } catch {
    return null;
  }
}

/**
 * RollbackWatch is the state machine behind the countdown. States:
 * applying → waiting (countdown, confirm possible) → confirming → confirmed;
 * or waiting → rolling-back → rolled-back; or applying → failed. onUpdate
 * hears every change as {state, remaining, deadline, rollbackUpid, exitstatus, error}.
 */
export class RollbackWatch {
  constructor({ api, node, upid, timeout, submittedAt, applyStart, onUpdate, now = () => Date.now(), interval = 1000 }) {
    Object.assign(this, { api, node, upid, timeout, submittedAt, applyStart, onUpdate, now, interval });
    this.base = `/nodes/${encodeURIComponent(node)}`;
    this.view = { state: 'applying', remaining: Number(timeout), deadline: null, rollbackUpid: null, exitstatus: null, error: null };
    this.timer = null;
    this.closed = false;
  }

  start() {
    this.step();
    return this;
  }

  /** close stops watching (the daemon's timer goes on). */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
  }

  set(patch) {
    this.view = { ...this.view, ...patch };
    if (!this.closed) this.onUpdate(this.view);
  }

  later(ms = this.interval) {
    clearTimeout(this.timer);
    if (!this.closed) this.timer = setTimeout(() => this.step(), ms);
  }

  async step() {
    if (this.closed) return;
    try {
      switch (this.view.state) {
        case 'applying': await this.pollApply(); break;
        case 'waiting': this.tick(); break;
        case 'rolling-back': await this.pollRollback(); break;
        default: return;
      }
    } catch (error) {
      this.set({ error });
      if (error.status === 401 || error.status === 403) return;
    }
    if (['applying', 'waiting', 'rolling-back'].includes(this.view.state)) this.later();
  }

  async pollApply() {
    const s = await this.api.get(`${this.base}/tasks/${encodeURIComponent(this.upid)}/status`);
    if (s.status === 'running') return;
    this.applyStart = s.starttime;
    if (s.exitstatus !== 'OK') {
      this.set({ state: 'failed', exitstatus: s.exitstatus, error: null });
      return;
    }
    const deadline = rollbackDeadline(this.submittedAt, s, this.timeout);
    this.set({ state: 'waiting', deadline, remaining: remainingSeconds(deadline, this.now()), error: null });
  }

  tick() {
    const remaining = remainingSeconds(this.view.deadline, this.now());
    if (remaining > 0) this.set({ remaining });
    else this.set({ state: 'rolling-back', remaining: 0 });
  }

  async pollRollback() {
    if (!this.view.rollbackUpid) {
      const list = await this.api.get(`${this.base}/tasks`, { typefilter: 'srvreload', source: 'all', since: this.applyStart || 0, limit: 20 });
      const t = findRollbackTask(list, this.upid, this.applyStart || 0);
      if (!t) return;
      this.set({ rollbackUpid: t.upid });
    }
    const s = await this.api.get(`${this.base}/tasks/${encodeURIComponent(this.view.rollbackUpid)}/status`);
    if (s.status !== 'running') this.set({ state: 'rolled-back', exitstatus: s.exitstatus, error: null });
  }

  /**
   * confirm keeps the change. When the daemon has nothing to confirm any
   * more the rollback already started: the watch goes on to find it, and
   * the daemon's message stays visible.
   */
  async confirm() {
    if (this.view.state !== 'waiting') return;
    this.set({ state: 'confirming', error: null });
    try {
      await this.api.post(`${this.base}/network/confirm`);
      clearTimeout(this.timer);
      this.set({ state: 'confirmed', error: null });
    } catch (error) {
      // Unreachable daemon or a lost session: the timer may still be
      // running, so the countdown goes on and Confirm can be tried again.
      const retry = error.status === 0 || error.status === 401 || error.status === 403;
      if (retry && remainingSeconds(this.view.deadline, this.now()) > 0) {
        this.set({ state: 'waiting', error });
        this.later();
        return;
      }
      this.set({ state: 'rolling-back', remaining: 0, error });
      this.later(0);
    }
  }
}
