import { describe, expect, it } from 'vitest';
import { askPlan, commandLine, errorText, planner } from './diskplan.js';
import { createClient } from './api.js';
import { createParams, ready } from '../pages/DiskCreate.jsx';
import { formValues, health, serverParams } from './metricform.js';
import { fakeFetch } from '../test/helpers.js';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

describe('disk create plans from the daemon', () => {
  it('asks the create endpoint with dry-run=1 and keeps its answer as it came', async () => {
    const plan = { devices: ['/dev/sdb'], steps: [{ text: 'Make the device an LVM physical volume', cmd: ['pvcreate', '--metadatasize', '250k', '/dev/sdb'] }, { text: 'Add the storage', file: { path: '/etc/pve/storage.cfg', content: 'lvm: vg1\n' } }] };
    const fetchFn = fakeFetch({ 'POST /nodes/n1/disks/lvm': () => [200, { data: plan }] });
    const got = await askPlan(createClient({ fetchFn }), '/nodes/n1/disks', 'lvm', { name: 'vg1', device: '/dev/sdb', add_storage: true });
    expect(got).toEqual(plan);
    expect([...fetchFn.calls[0].body.entries()]).toEqual([['name', 'vg1'], ['device', '/dev/sdb'], ['add_storage', '1'], ['dry-run', '1']]);
    expect(got.steps.map(commandLine)).toEqual(['pvcreate --metadatasize 250k /dev/sdb', '']);
  });
  it('passes a refusal on as the API gave it', async () => {
    const fetchFn = fakeFetch({
      'POST /nodes/n1/disks/zfs': (u, init) => (new URLSearchParams(init.body).get('name') === '1pool'
        ? [400, { message: 'Parameter verification failed.\n', errors: { name: "invalid format - storage ID '1pool' contains illegal characters\n" } }]
        : [500, { message: 'raidz needs at least 3 disks\n' }]),
    });
    const api = createClient({ fetchFn });
    const e1 = await askPlan(api, '/nodes/n1/disks', 'zfs', { name: 'tank', raidlevel: 'raidz', devices: '/dev/sdb' }).catch((e) => e);
    expect(errorText(e1)).toBe('raidz needs at least 3 disks');
    const e2 = await askPlan(api, '/nodes/n1/disks', 'zfs', { name: '1pool' }).catch((e) => e);
    expect(e2.errors.name).toMatch(/illegal characters/);
    expect(errorText(e2)).toBe("Parameter verification failed.\nname: invalid format - storage ID '1pool' contains illegal characters");
  });
  it('asks once the edits rest, and only the newest answer counts', async () => {
    const asked = [];
    const answers = {};
    const results = [];
    const schedule = planner((p) => { asked.push(p.n); return new Promise((res, rej) => { answers[p.n] = { res, rej }; }); }, (r) => results.push(r), 20);
    schedule({ n: 1 });
    schedule({ n: 2 });
    await wait(40);
    expect(asked).toEqual([2]); // the first edit never asked
    schedule({ n: 3 });
    await wait(40);
    expect(asked).toEqual([2, 3]);
    answers[3].res({ steps: ['newest'] });
    answers[2].res({ steps: ['stale'] });
    await wait(0);
    expect(results).toEqual([{ plan: { steps: ['newest'] } }]);
    schedule({ n: 4 });
    schedule.cancel();
    await wait(40);
    expect(asked).toEqual([2, 3]);
    schedule({ n: 5 });
    await wait(40);
    answers[5].rej(new Error('refused'));
    await wait(0);
    expect(results[1].error.message).toBe('refused');
  });
  it('maps the wizard to the API parameters', () => {
    const v = { name: ' tank ', device: '', devices: ['/dev/sdb', '/dev/sdc'], add_storage: true, raidlevel: 'draid', ashift: '12', compression: 'on', 'draid-data': '2', 'draid-spares': '', data: '', metadata: '', label: '', btrfscompression: '', aux: {} };
    expect(createParams('zfs', v)).toEqual({ name: 'tank', add_storage: true, devices: '/dev/sdb,/dev/sdc', raidlevel: 'draid', ashift: '12', compression: 'on', 'draid-config': 'data=2' });
    expect(ready('zfs', v)).toBe(true);
    expect(ready('lvm', v)).toBe(false);
    expect(ready('zfs', { ...v, name: ' ' })).toBe(false);
  });
});

describe('metric server form', () => {
  it('creates with the filled fields of the type', () => {
    const v = { ...formValues(), id: 'influx1', type: 'influxdb', server: '192.0.2.5', port: '8089', bucket: 'pve', token: 's3cret' };
    expect(serverParams(v, null)).toEqual({ id: 'influx1', type: 'influxdb', server: '192.0.2.5', port: '8089', bucket: 'pve', token: 's3cret' });
  });
  it('updates with the digest, deletes emptied fields, keeps the token when empty', () => {
    const before = { type: 'graphite', server: 'g', port: 2003, path: 'pve', disable: 0, digest: 'abc' };
    const v = { ...formValues(before), path: '', disable: true };
    expect(serverParams(v, before)).toEqual({ server: 'g', port: '2003', disable: true, digest: 'abc', delete: 'path' });
  });
  it('classifies health', () => {
    expect(health({ disable: 1 }).text).toBe('disabled');
    expect(health({ failing: 1, error: 'refused' }).text).toBe('failing');
    expect(health({ failing: 0, 'last-success': 5 }).text).toBe('sending');
  });
});
