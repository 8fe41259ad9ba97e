import { describe, expect, it } from 'vitest';
import { diffLines, formValues, netParams } from './netform.js';
import { optionParams } from '../pages/system/Options.jsx';
import { joinList } from '../pages/system/Time.jsx';
import { isDigestConflict } from '../pages/system/Hosts.jsx';
import { diskRows } from './diskrows.js';

describe('network form', () => {
  it('creates a bridge with only the filled fields', () => {
    const v = { ...formValues({}), iface: 'vmbr1', type: 'bridge', bridge_ports: 'eth0', cidr: '192.0.2.10/24' };
    expect(netParams(v, null)).toEqual({ iface: 'vmbr1', type: 'bridge', bridge_ports: 'eth0', cidr: '192.0.2.10/24', bridge_vlan_aware: false, autostart: true });
  });
  it('deletes fields an edit emptied', () => {
    const before = { iface: 'vmbr0', type: 'bridge', cidr: '192.0.2.1/24', gateway: '192.0.2.254', autostart: 1 };
    const v = { ...formValues(before), gateway: '' };
    const p = netParams(v, before);
    expect(p.delete).toBe('gateway');
    expect(p.cidr).toBe('192.0.2.1/24');
    expect(p.iface).toBeUndefined();
  });
  it('sends the VLAN fields for a VLAN', () => {
    const p = netParams({ ...formValues({}), iface: 'vlan100', type: 'vlan', 'vlan-raw-device': 'eth0', 'vlan-id': '100' }, null);
    expect(p).toMatchObject({ 'vlan-raw-device': 'eth0', 'vlan-id': '100' });
    expect(p.bridge_ports).toBeUndefined();
  });
  it('classifies diff lines', () => {
    expect(diffLines('--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n').map((l) => l.kind))
      .toEqual(['file', 'file', 'hunk', 'del', 'add', 'ctx']);
  });
});

describe('system forms', () => {
  it('deletes emptied node options and keeps the digest', () => {
    expect(optionParams({ description: '', wakeonlan: 'aa:bb:cc:dd:ee:ff', 'startall-onboot-delay': '' }, { description: 'old' }, 'D'))
      .toEqual({ digest: 'D', wakeonlan: 'aa:bb:cc:dd:ee:ff', delete: 'description' });
  });
  it('joins NTP server lists for the API', () => {
    expect(joinList(' a.example  b.example,c ')).toBe('a.example,b.example,c');
  });
  it('recognises the digest conflict message', () => {
    expect(isDigestConflict({ message: 'detected modified configuration - file changed by other user? Try again.' })).toBe(true);
    expect(isDigestConflict({ message: 'other' })).toBe(false);
  });
  it('puts partitions under their disk', () => {
    const rows = diskRows([{ devpath: '/dev/sdb' }, { devpath: '/dev/sda1', parent: '/dev/sda' }, { devpath: '/dev/sda' }]);
    expect(rows.map((r) => r.devpath)).toEqual(['/dev/sda', '/dev/sda1', '/dev/sdb']);
  });
});
