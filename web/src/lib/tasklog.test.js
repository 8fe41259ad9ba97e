import { describe, expect, it } from 'vitest';
import { mergeLog, TaskFollower, whenDone } from './tasklog.js';
import { createClient } from './api.js';
import { fakeFetch } from '../test/helpers.js';

describe('mergeLog', () => {
  it('appends only the next lines', () => {
    const a = mergeLog([], [{ n: 1, t: 'a' }, { n: 2, t: 'b' }], true);
    expect(mergeLog(a, [{ n: 2, t: 'b' }, { n: 3, t: 'c' }], true).map((l) => l.t)).toEqual(['a', 'b', 'c']);
  });
  it('skips the "no content" placeholder of an empty running log', () => {
    expect(mergeLog([], [{ n: 1, t: 'no content' }], true)).toEqual([]);
    expect(mergeLog([], [{ n: 1, t: 'no content' }], false)).toEqual([{ n: 1, t: 'no content' }]);
  });
});

describe('TaskFollower', () => {
  it('fetches new lines while the task runs and the whole log once it stopped', async () => {
    const log = ['start', 'step 1', 'step 2', 'TASK OK'];
    let polls = 0;
    const fetchFn = fakeFetch({
      'GET /nodes/n1/tasks/UPID%3Ax/status': () => {
        polls++;
        return [200, { data: polls < 3 ? { status: 'running' } : { status: 'stopped', exitstatus: 'OK' } }];
      },
      'GET /nodes/n1/tasks/UPID%3Ax/log': (u) => {
        const start = Number(u.searchParams.get('start'));
        const upto = polls === 1 ? 1 : polls === 2 ? 3 : 4;
        return [200, { data: log.slice(start, upto).map((t, i) => ({ n: start + i + 1, t })), total: upto }];
      },
    });
    const updates = [];
    const done = new Promise((resolve) => {
      new TaskFollower({
        api: createClient({ fetchFn }), node: 'n1', upid: 'UPID:x', interval: 1,
        onUpdate: (u) => { updates.push(u); if (u.status && u.status.status === 'stopped') resolve(); },
      }).start();
    });
    await done;
    expect(updates.map((u) => u.lines.length)).toEqual([1, 3, 4]);
    expect(updates[2].lines.map((l) => l.t)).toEqual(log);
    const starts = fetchFn.calls.filter((c) => c.key.endsWith('/log')).map((c) => c.url.searchParams.get('start'));
    expect(starts).toEqual(['0', '1', '0']);
  });
  it('stops polling on a 403 and reports it', async () => {
    const fetchFn = fakeFetch({ 'GET /nodes/n1/tasks/U/status': () => [403, { message: 'Permission check failed\n' }] });
    const update = await new Promise((resolve) => {
      new TaskFollower({ api: createClient({ fetchFn }), node: 'n1', upid: 'U', interval: 1, onUpdate: resolve }).start();
    });
    expect(update.error.status).toBe(403);
    await new Promise((r) => setTimeout(r, 20));
    expect(fetchFn.calls.length).toBe(1);
  });
});

describe('whenDone', () => {
  it('calls back once the task has stopped', async () => {
    const answers = [{ status: 'running' }, { status: 'running' }, { status: 'stopped', exitstatus: 'OK' }];
    const paths = [];
    const api = { get: async (p) => { paths.push(p); return answers.shift(); } };
    const done = await new Promise((resolve) => whenDone(api, 'UPID:n1:00000001:00000002:00000003:zfsarc::root@pam:', resolve, 1));
    expect(done.exitstatus).toBe('OK');
    expect(paths.length).toBe(3);
    expect(paths[0]).toBe('/nodes/n1/tasks/UPID%3An1%3A00000001%3A00000002%3A00000003%3Azfsarc%3A%3Aroot%40pam%3A/status');
  });
});
