import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RollbackWatch, countdown, findRollbackTask, loadWatch, remainingSeconds, rollbackDeadline, saveWatch } from './rollback.js';
import { createClient } from './api.js';
import { fakeFetch } from '../test/helpers.js';

const APPLY = 'UPID:pve1:00001234:00005678:66000000:srvreload:networking:root@pam:';
const BACK = 'UPID:pve1:00001235:00005679:66000030:srvreload:networking:root@pam:';

describe('rollback countdown', () => {
  it('counts from the end of the apply task, erring early', () => {
    // submitted at t=1000 s (client), the task ran 3 s on the server's clock, 30 s timeout
    const d = rollbackDeadline(1_000_000, { starttime: 500, endtime: 503 }, 30);
    expect(d).toBe(1_000_000 + 32_000);
    expect(rollbackDeadline(1_000_000, { starttime: 500, endtime: 500 }, 30)).toBe(1_030_000);
  });
  it('formats whole seconds left, never below zero', () => {
    expect(remainingSeconds(10_000, 0)).toBe(10);
    expect(remainingSeconds(10_000, 9_001)).toBe(1);
    expect(remainingSeconds(10_000, 12_000)).toBe(0);
    expect(countdown(65)).toBe('1:05');
    expect(countdown(9)).toBe('0:09');
  });
  it('finds the rollback task: another srvreload started at or after the apply', () => {
    const list = [
      { upid: APPLY, type: 'srvreload', starttime: 100 },
      { upid: 'x', type: 'aptupdate', starttime: 120 },
      { upid: 'old', type: 'srvreload', starttime: 50 },
      { upid: BACK, type: 'srvreload', starttime: 130 },
    ];
    expect(findRollbackTask(list, APPLY, 100).upid).toBe(BACK);
    expect(findRollbackTask(list.slice(0, 3), APPLY, 100)).toBeNull();
  });
  it('remembers a watch across a reload', () => {
    const store = new Map();
    const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
    saveWatch(storage, { node: 'pve1', upid: APPLY, timeout: 30, submittedAt: 5 });
    expect(loadWatch(storage)).toEqual({ node: 'pve1', upid: APPLY, timeout: 30, submittedAt: 5 });
    saveWatch(storage, null);
    expect(loadWatch(storage)).toBeNull();
  });
});

describe('RollbackWatch', () => {
  let now;
  beforeEach(() => { vi.useFakeTimers(); now = 1_000_000; });
  afterEach(() => vi.useRealTimers());

  function watch(routes) {
    const fetchFn = fakeFetch(routes);
    const views = [];
    const w = new RollbackWatch({ api: createClient({ fetchFn }), node: 'pve1', upid: APPLY, timeout: 10, submittedAt: now,
      applyStart: 0x66000000, onUpdate: (v) => views.push(v), now: () => now });
    return { w, views, fetchFn };
  }
  async function advance(ms) {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }
  const status = (s) => () => [200, { data: s }];

  it('counts down after the apply and confirms', async () => {
    let applyDone = false;
    const { w, views, fetchFn } = watch({
      [`GET /nodes/pve1/tasks/${encodeURIComponent(APPLY)}/status`]: () => [200, { data: applyDone
        ? { status: 'stopped', exitstatus: 'OK', starttime: 0x66000000, endtime: 0x66000001 }
        : { status: 'running', starttime: 0x66000000 } }],
      'POST /nodes/pve1/network/confirm': () => [200, { data: null }],
    });
    w.start();
    await advance(0);
    expect(w.view.state).toBe('applying');
    applyDone = true;
    await advance(1000);
    expect(w.view.state).toBe('waiting');
    expect(w.view.remaining).toBe(9); // 10 s from submission (the 1 s run time is rounded away), 1 s gone
    await advance(3000);
    expect(w.view.remaining).toBe(6);
    await w.confirm();
    expect(w.view.state).toBe('confirmed');
    expect(fetchFn.calls.filter((c) => c.key === 'POST /nodes/pve1/network/confirm').length).toBe(1);
    await advance(20_000);
    expect(w.view.state).toBe('confirmed');
    expect(views.map((v) => v.state)).toContain('confirming');
  });

  it('shows the rollback when nobody confirms', async () => {
    const { w } = watch({
      [`GET /nodes/pve1/tasks/${encodeURIComponent(APPLY)}/status`]: status({ status: 'stopped', exitstatus: 'OK', starttime: 0x66000000, endtime: 0x66000000 }),
      'GET /nodes/pve1/tasks': (u) => {
        expect(u.searchParams.get('typefilter')).toBe('srvreload');
        return [200, { data: [{ upid: APPLY, type: 'srvreload', starttime: 0x66000000 }, { upid: BACK, type: 'srvreload', starttime: 0x66000010 }] }];
      },
      [`GET /nodes/pve1/tasks/${encodeURIComponent(BACK)}/status`]: status({ status: 'stopped', exitstatus: 'OK' }),
    });
    w.start();
    await advance(0);
    expect(w.view.state).toBe('waiting');
    expect(w.view.remaining).toBe(10);
    await advance(10_000);
    expect(['rolling-back', 'rolled-back']).toContain(w.view.state);
    await advance(2000);
    expect(w.view.state).toBe('rolled-back');
    expect(w.view.rollbackUpid).toBe(BACK);
    expect(w.view.exitstatus).toBe('OK');
  });

  it('reports a failed apply without a countdown', async () => {
    const { w } = watch({
      [`GET /nodes/pve1/tasks/${encodeURIComponent(APPLY)}/status`]: status({ status: 'stopped', exitstatus: 'cannot add bridge', starttime: 1, endtime: 2 }),
    });
    w.start();
    await advance(0);
    expect(w.view).toMatchObject({ state: 'failed', exitstatus: 'cannot add bridge' });
  });

  it('goes on to the rollback when the daemon has nothing left to confirm', async () => {
    const { w } = watch({
      [`GET /nodes/pve1/tasks/${encodeURIComponent(APPLY)}/status`]: status({ status: 'stopped', exitstatus: 'OK', starttime: 1, endtime: 1 }),
      'POST /nodes/pve1/network/confirm': () => [500, { message: 'no network change is waiting for confirmation\n', data: null }],
      'GET /nodes/pve1/tasks': () => [200, { data: [] }],
    });
    w.start();
    await advance(0);
    await w.confirm();
    expect(w.view.state).toBe('rolling-back');
    expect(w.view.error.message).toContain('no network change is waiting');
  });

  it('keeps counting when the daemon cannot be reached for the confirmation', async () => {
    const { w } = watch({
      [`GET /nodes/pve1/tasks/${encodeURIComponent(APPLY)}/status`]: status({ status: 'stopped', exitstatus: 'OK', starttime: 1, endtime: 1 }),
    });
    w.api.post = async () => { const e = new Error('Cannot reach the hostadm daemon'); e.status = 0; throw e; };
    w.start();
    await advance(0);
    await w.confirm();
    expect(w.view.state).toBe('waiting');
    await advance(2000);
    expect(w.view.remaining).toBe(8);
  });
});
