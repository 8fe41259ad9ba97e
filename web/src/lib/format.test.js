import { describe, expect, it } from 'vitest';
import { bytes, duration, parseUPID, percent, statusClass, taskName } from './format.js';
import { taskParams } from './taskfilter.js';
import { hasData, toSeries } from './rrd.js';
import { parseRoute, href } from './router.js';

describe('format', () => {
  it('formats sizes, fractions and durations', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(25232932864)).toBe('23.5 GiB');
    expect(percent(0.1234)).toBe('12.3 %');
    expect(duration(59)).toBe('59s');
    expect(duration(3 * 86400 + 4 * 3600 + 5 * 60)).toBe('3d 4h 5m');
  });
  it('parses a UPID', () => {
    expect(parseUPID('UPID:pve1:00001234:0000ABCD:6734A2F0:aptupdate::root@pam:')).toEqual({
      node: 'pve1', pid: 0x1234, pstart: 0xabcd, starttime: 0x6734a2f0, type: 'aptupdate', id: '', user: 'root@pam',
    });
    expect(parseUPID('nope')).toBeNull();
  });
  it('classifies task status texts', () => {
    expect(statusClass('OK')).toBe('ok');
    expect(statusClass('WARNINGS: 2')).toBe('warning');
    expect(statusClass('command failed')).toBe('error');
    expect(statusClass(undefined)).toBe('running');
    expect(taskName('srvrestart', 'chrony')).toBe('Restart service (chrony)');
    expect(taskName('custom', '')).toBe('custom');
  });
});

describe('task filters', () => {
  it('maps the filter form to the API parameters', () => {
    expect(taskParams({ source: 'archive', typefilter: ' aptupdate ', userfilter: '', status: 'errors' }, 50))
      .toEqual({ source: 'archive', start: 50, limit: 50, typefilter: 'aptupdate', errors: true });
    const p = taskParams({ status: 'warning', since: '2026-01-02', until: '2026-01-02' });
    expect(p.statusfilter).toBe('warning');
    expect(p.until - p.since).toBe(86399);
  });
});

describe('rrd series', () => {
  it('sorts rows, scales percentages and leaves gaps for missing values', () => {
    const rows = [{ time: 120, cpu: 0.5 }, { time: 60, cpu: 0.25, iowait: 0.01 }];
    expect(toSeries(rows, ['cpu', 'iowait'], 'percent')).toEqual([[60, 120], [25, 50], [1, null]]);
    expect(hasData(toSeries([{ time: 1 }], ['cpu'], 'plain'))).toBe(false);
  });
});

describe('routes', () => {
  it('round-trips a page and a UPID argument', () => {
    const upid = 'UPID:n:1:2:3:aptupdate::root@pam:';
    expect(parseRoute(href('tasks', upid))).toEqual({ page: 'tasks', arg: upid });
    expect(parseRoute('')).toEqual({ page: 'summary', arg: '' });
  });
});
