import { describe, expect, it, vi } from 'vitest';
import { AppContext } from '../components/context.js';
import { createClient } from '../lib/api.js';
import { byText, click, fakeFetch, mount, settle, type } from '../test/helpers.js';
import { DiskCreateDialog, createParams } from './DiskCreate.jsx';
import { ChangeKeyDialog, LvmThinTab, thinVolumeParams } from './DiskStorages.jsx';

const UPID = 'UPID:n1:00000001:00000002:00000003:zfscreate:tank:root@pam:';

function withApp(api, vnode, openTask = () => {}) {
  return <AppContext.Provider value={{ api, openTask, session: { user: 'root@pam' }, node: 'n1', features: new Set() }}>{vnode}</AppContext.Provider>;
}

async function change(el, value) {
  el.value = value;
  el.dispatchEvent(new Event('change', { bubbles: true }));
  await settle(1);
}

const base = { name: 'tank', device: '', devices: ['/dev/sdb'], add_storage: false, raidlevel: 'single', ashift: '12', compression: 'on', 'draid-data': '', 'draid-spares': '' };

describe('ZFS create with cache, log and special devices', () => {
  it('sends each class with its mirror flag, cache never mirrored', () => {
    const p = createParams('zfs', { ...base, aux: { '/dev/sdc': 'special', '/dev/sdd': 'special', '/dev/sde': 'cache', '/dev/sdf': 'log' }, 'special-mirror': true, 'log-mirror': false });
    expect(p).toMatchObject({ devices: '/dev/sdb', special: '/dev/sdc,/dev/sdd', 'special-mirror': true, cache: '/dev/sde', log: '/dev/sdf' });
    expect(p['log-mirror']).toBeUndefined();
    expect(createParams('zfs', { ...base, aux: {}, 'log-mirror': true })).not.toHaveProperty('log');
  });
  it('shows the plan the daemon answers as the settings change, then posts them for real', async () => {
    const plan = (body) => ({
      devices: [body.get('devices'), ...body.get('special').split(','), body.get('cache')],
      steps: [
        { text: 'Create the pool tank', cmd: ['zpool', 'create', '-o', 'ashift=12', 'tank', '/dev/disk/by-id/ata-B', 'special', 'mirror', '/dev/disk/by-id/ata-C', '/dev/disk/by-id/ata-D', 'cache', '/dev/disk/by-id/ata-E'] },
        { text: 'Ask udev to re-read the devices', cmd: ['udevadm', 'trigger'], optional: 1 },
        { text: "Add the storage 'tank'", file: { path: '/etc/pve/storage.cfg', content: 'zfspool: tank\n\tpool tank\n' } },
      ],
    });
    const fetchFn = fakeFetch({
      'POST /nodes/n1/disks/zfs': (u, init) => {
        const body = new URLSearchParams(init.body);
        if (body.get('dry-run') !== '1') return [200, { data: UPID }];
        if (body.get('special-mirror') === '1' && body.get('special').split(',').length < 2) return [400, { message: 'special: mirror needs at least 2 disks\n' }];
        return [200, { data: plan(body) }];
      },
      [`GET /nodes/n1/tasks/${encodeURIComponent(UPID)}/status`]: () => [200, { data: { status: 'stopped', exitstatus: 'OK' } }],
    });
    const rows = ['sdb', 'sdc', 'sdd', 'sde'].map((n) => ({ devpath: `/dev/${n}`, size: 1e10, used: '', mounted: 0 }));
    const openTask = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), <DiskCreateDialog kind="zfs" base="/nodes/n1/disks" rows={rows} onDone={() => {}} onClose={() => {}} planDelay={0} />, openTask));
    const preview = () => el.querySelector('[data-testid=disk-plan-preview]');
    expect(preview().textContent).toContain('Give a name');
    await type(el.querySelector('input[name=name]'), 'tank');
    await change(el.querySelector('select[name=raidlevel]'), 'single');
    await click(el.querySelector('input[name=devices][value="/dev/sdb"]'));
    const role = (dev) => el.querySelector(`select[name=aux-role][data-dev="${dev}"]`);
    expect(role('/dev/sdb')).toBeNull(); // a data device gets no second role
    await change(role('/dev/sdc'), 'special');
    await change(role('/dev/sde'), 'cache');
    await click(el.querySelector('input[name=special-mirror]'));
    await settle(5);
    expect(preview().querySelector('.plan-error').textContent).toBe('special: mirror needs at least 2 disks');
    await click(byText(el, 'button', 'Review the plan'));
    await settle();
    expect(el.querySelector('.alert-error[role=alert]:not(.plan-error)').textContent).toBe('special: mirror needs at least 2 disks');
    expect(el.querySelector('[data-testid=disk-plan]')).toBeNull();
    await change(role('/dev/sdd'), 'special');
    await settle(5);
    expect(preview().querySelector('.plan-cmd').textContent).toBe('zpool create -o ashift=12 tank /dev/disk/by-id/ata-B special mirror /dev/disk/by-id/ata-C /dev/disk/by-id/ata-D cache /dev/disk/by-id/ata-E');
    await click(byText(el, 'button', 'Review the plan'));
    await settle();
    const cmds = [...el.querySelectorAll('[data-testid=disk-plan] .plan-cmd')].map((e) => e.textContent);
    expect(cmds).toEqual(['zpool create -o ashift=12 tank /dev/disk/by-id/ata-B special mirror /dev/disk/by-id/ata-C /dev/disk/by-id/ata-D cache /dev/disk/by-id/ata-E', 'udevadm trigger']);
    expect(el.querySelector('.confirm-question').textContent).toContain('/dev/sdb, /dev/sdc, /dev/sdd, /dev/sde');
    expect(el.querySelector('[data-testid=disk-plan] .plan-file[data-path="/etc/pve/storage.cfg"]').textContent).toBe('/etc/pve/storage.cfg:\nzfspool: tank\n\tpool tank\n');
    const dry = fetchFn.calls.filter((c) => c.body.get('dry-run') === '1');
    expect(dry.length).toBeGreaterThanOrEqual(3);
    expect(dry.length).toBe(fetchFn.calls.length);
    await click(byText(el, 'button', 'Create ZFS pool'));
    await settle(5);
    const body = fetchFn.calls.find((c) => c.key === 'POST /nodes/n1/disks/zfs' && c.body.get('dry-run') === null).body;
    expect([body.get('devices'), body.get('special'), body.get('special-mirror'), body.get('cache'), body.get('log')])
      .toEqual(['/dev/sdb', '/dev/sdc,/dev/sdd', '1', '/dev/sde', null]);
    expect(openTask).toHaveBeenCalledWith(UPID);
  });
});

describe('ChangeKeyDialog', () => {
  const KUPID = 'UPID:n1:00000001:00000002:00000003:zfschangekey:tank:root@pam:';
  it('sends the key in the body only and never keeps it', async () => {
    let answer = [400, { message: 'Parameter verification failed.\n', errors: { key: 'passphrase must be 8 to 512 bytes long' } }];
    const fetchFn = fakeFetch({ 'POST /nodes/n1/disks/zfs/tank/change-key': () => answer });
    const openTask = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), <ChangeKeyDialog base="/nodes/n1/disks" pool="tank" onClose={() => {}} />, openTask));
    const key = () => el.querySelector('input[name=key]');
    const confirm = () => el.querySelector('input[name=confirm]');
    expect([key().type, confirm().type]).toEqual(['password', 'password']);
    await type(el.querySelector('input[name=dataset]'), 'tank/enc');
    await type(key(), 'correct horse');
    await type(confirm(), 'correct hors');
    await click(byText(el, 'button', 'Change key'));
    expect(fetchFn.calls.length).toBe(0);
    expect(el.querySelector('.has-error .field-error').textContent).toBe('the two keys differ');
    expect([key().value, confirm().value]).toEqual(['', '']);

    await type(key(), 'short');
    await type(confirm(), 'short');
    await click(byText(el, 'button', 'Change key'));
    await settle();
    expect(fetchFn.calls[0].url.search).toBe('');
    expect([fetchFn.calls[0].body.get('dataset'), fetchFn.calls[0].body.get('keyformat'), fetchFn.calls[0].body.get('key')]).toEqual(['tank/enc', 'passphrase', 'short']);
    expect(el.querySelector('.has-error .field-error').textContent).toMatch(/8 to 512 bytes/);
    expect([key().value, confirm().value]).toEqual(['', '']);
    expect(el.innerHTML).not.toContain('short');

    answer = [200, { data: KUPID }];
    await type(key(), 'correct horse battery');
    await type(confirm(), 'correct horse battery');
    await click(byText(el, 'button', 'Change key'));
    await settle();
    expect(fetchFn.calls[1].body.get('key')).toBe('correct horse battery');
    expect(openTask).toHaveBeenCalledWith(KUPID);
  });
});

describe('thin volume', () => {
  it('mounts and adds storage only with a directory name', () => {
    const pool = { vg: 'pve', lv: 'data' };
    const v = { volume: ' vz ', size: '100G', filesystem: 'ext4', directory: '', add_storage: true };
    expect(thinVolumeParams(pool, v)).toEqual({ 'volume-group': 'pve', volume: 'vz', size: '100G', filesystem: 'ext4' });
    expect(thinVolumeParams(pool, { ...v, directory: 'vz' })).toMatchObject({ directory: 'vz', add_storage: true });
    expect(thinVolumeParams(pool, { ...v, directory: 'vz', add_storage: false })).not.toHaveProperty('add_storage');
  });
});

describe('LvmThinTab new volume', () => {
  const VUPID = 'UPID:n1:00000001:00000002:00000003:lvmthinvolume:pve:root@pam:';
  it('creates a volume mounted as directory storage and shows the API field errors', async () => {
    let answer = [400, { message: 'Parameter verification failed.\n', errors: { directory: 'a systemd mount unit already exists: /etc/systemd/system/mnt-pve-vz.mount' } }];
    const fetchFn = fakeFetch({
      'GET /nodes/n1/disks/lvmthin': () => [200, { data: [{ vg: 'pve', lv: 'data', lv_size: 1e11, used: 1e9, metadata_size: 1e9, metadata_used: 1e7 }] }],
      'POST /nodes/n1/disks/lvmthin/data/volume': () => answer,
      [`GET /nodes/n1/tasks/${encodeURIComponent(VUPID)}/status`]: () => [200, { data: { status: 'stopped', exitstatus: 'OK' } }],
    });
    const openTask = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), <LvmThinTab base="/nodes/n1/disks" />, openTask));
    await settle();
    await click(byText(el, 'button', 'New volume'));
    expect(el.querySelector('input[name=add_storage]')).toBeNull(); // only with a directory name
    await type(el.querySelector('input[name=volume]'), 'vz');
    await type(el.querySelector('input[name=size]'), '100G');
    await type(el.querySelector('input[name=directory]'), 'vz');
    expect(el.querySelector('input[name=add_storage]').checked).toBe(true);
    await click(byText(el, 'button', 'Create volume'));
    await settle();
    const post = () => fetchFn.calls.filter((c) => c.key.startsWith('POST'));
    expect([...post()[0].body.entries()]).toEqual([['volume-group', 'pve'], ['volume', 'vz'], ['size', '100G'], ['filesystem', 'ext4'], ['directory', 'vz'], ['add_storage', '1']]);
    expect(el.querySelector('.has-error input[name=directory]')).not.toBeNull();
    expect(el.querySelector('.has-error .field-error').textContent).toMatch(/mount unit already exists/);
    answer = [200, { data: VUPID }];
    await type(el.querySelector('input[name=directory]'), 'vz2');
    await click(byText(el, 'button', 'Create volume'));
    await settle(5);
    expect(post()[1].body.get('directory')).toBe('vz2');
    expect(openTask).toHaveBeenCalledWith(VUPID);
    expect(el.querySelector('input[name=volume]')).toBeNull(); // closed
  });
});
