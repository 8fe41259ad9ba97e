import { describe, expect, it } from 'vitest';
import { btrfsCheck, mountUnit, plan, zfsCheck, zfsVdevs } from './diskplan.js';
import { createParams, localCheck } from '../pages/DiskCreate.jsx';
import { formValues, health, serverParams } from './metricform.js';

const cmds = (steps) => steps.filter((s) => s.cmd).map((s) => s.cmd.join(' '));

describe('disk create plans', () => {
  it('checks ZFS device counts as the API does', () => {
    expect(zfsCheck('mirror', 1)).toBe('mirror needs at least 2 disks');
    expect(zfsCheck('raid10', 5)).toBe('raid10 needs an even number of disks');
    expect(zfsCheck('single', 2)).toBe('please give only one disk for single disk mode');
    expect(zfsCheck('raidz2', 4)).toBe('');
    expect(btrfsCheck('raid1', 1)).toBe('raid1 needs at least 2 disks');
    expect(btrfsCheck('', 0)).toBe('choose at least one disk');
  });
  it('builds zpool create as zfs.VdevSpec does', () => {
    expect(zfsVdevs('raid10', ['a', 'b', 'c', 'd'])).toEqual(['mirror', 'a', 'b', 'mirror', 'c', 'd']);
    expect(zfsVdevs('draid2', ['a', 'b'], { data: '4', spares: '1' })).toEqual(['draid2:4d:1s', 'a', 'b']);
    const p = plan('zfs', { name: 'tank', raidlevel: 'mirror', devices: ['/dev/sdb', '/dev/sdc1'], ashift: '12', compression: 'lz4', add_storage: true },
      [{ devpath: '/dev/sdb' }, { devpath: '/dev/sdc1', parent: '/dev/sdc' }]);
    expect(cmds(p)).toEqual([
      'sgdisk -t1:6a898cc3-1dd2-11b2-99a6-080020736631 /dev/sdc',
      'zpool create -o ashift=12 tank mirror /dev/sdb /dev/sdc1',
      'zfs set compression=lz4 tank',
    ]);
    expect(p[p.length - 1].text).toContain("Add storage 'tank' (type zfspool");
  });
  it('plans LVM, LVM-thin, directory and BTRFS', () => {
    expect(cmds(plan('lvm', { name: 'vg1', device: '/dev/sdb' }))).toEqual(['pvcreate --metadatasize 250k /dev/sdb', 'vgcreate vg1 /dev/sdb']);
    expect(cmds(plan('lvmthin', { name: 'tp', device: '/dev/sdb' }))[2]).toBe('lvcreate --type thin-pool -L<data>K --poolmetadatasize <metadata>K -n tp tp');
    expect(cmds(plan('directory', { name: 'my-dir', device: '/dev/sdb', filesystem: 'xfs' }))).toEqual([
      'sgdisk -n1 -t1:8300 /dev/sdb', 'mkfs -t xfs /dev/sdb…1', 'systemctl daemon-reload',
      'systemctl enable mnt-pve-my\\x2ddir.mount', 'systemctl start mnt-pve-my\\x2ddir.mount']);
    expect(mountUnit('a-b')).toBe('mnt-pve-a\\x2db.mount');
    expect(cmds(plan('btrfs', { name: 'b', devices: ['/dev/sdb', '/dev/sdc'], data: 'raid1', metadata: 'raid1', compression: 'zstd' }))[0])
      .toBe('mkfs.btrfs -L b -d raid1 -m raid1 /dev/sdb /dev/sdc');
  });
  it('maps the wizard to the API parameters', () => {
    const v = { name: ' tank ', device: '', devices: ['/dev/sdb', '/dev/sdc'], add_storage: true, raidlevel: 'draid', ashift: '12', compression: 'on', 'draid-data': '2', 'draid-spares': '', data: '', metadata: '', label: '', btrfscompression: '' };
    expect(createParams('zfs', v)).toEqual({ name: 'tank', add_storage: true, devices: '/dev/sdb,/dev/sdc', raidlevel: 'draid', ashift: '12', compression: 'on', 'draid-config': 'data=2' });
    expect(localCheck('zfs', v)).toBe('draid needs at least 3 disks');
    expect(localCheck('lvm', v)).toBe('choose a device');
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
