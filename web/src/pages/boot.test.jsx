import { describe, expect, it, vi } from 'vitest';
import { AppContext } from '../components/context.js';
import { createClient } from '../lib/api.js';
import { byText, click, fakeFetch, mount, settle, type } from '../test/helpers.js';
import { Boot, espHealth, kernelNotes } from './Boot.jsx';

const UPID = 'UPID:n1:00000001:00000002:00000003:bootrefresh::root@pam:';

const overview = {
  mode: 'uefi', secureboot: false, loader: 'systemd-boot', 'esp-list': true,
  esps: [
    { uuid: 'ABCD-1234', device: '/dev/disk/by-uuid/ABCD-1234', state: 'ok', loaders: ['uefi'], versions: ['6.8.12-4-pve', '6.8.12-5-pve'] },
    { uuid: 'EF01-2345', device: '/dev/disk/by-uuid/EF01-2345', state: 'missing', loaders: [], versions: [] },
  ],
  kernels: [
    { version: '6.8.12-5-pve', boot: true, manual: false, pinned: true, 'next-boot': false, running: false },
    { version: '6.8.12-4-pve', boot: true, manual: false, pinned: false, 'next-boot': false, running: true },
  ],
  pinned: '6.8.12-5-pve',
  cmdline: { loader: 'systemd-boot', file: '/etc/kernel/cmdline', cmdline: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs', options: [], running: 'BOOT_IMAGE=x root=ZFS=rpool/ROOT/pve-1', digest: 'abc' },
};

function withApp(api, vnode, openTask = () => {}) {
  return <AppContext.Provider value={{ api, openTask, session: { user: 'root@pam' }, node: 'n1', features: new Set(['boot']) }}>{vnode}</AppContext.Provider>;
}

describe('Boot', () => {
  it('pins for the next boot, then refreshes the ESPs', async () => {
    const fetchFn = fakeFetch({
      'GET /nodes/n1/boot': () => [200, { data: overview }],
      'PUT /nodes/n1/boot/pin': () => [200, { data: null }],
      'POST /nodes/n1/boot/refresh': () => [200, { data: UPID }],
      [`GET /nodes/n1/tasks/${encodeURIComponent(UPID)}/status`]: () => [200, { data: { status: 'stopped', exitstatus: 'OK' } }],
    });
    const openTask = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), <Boot />, openTask));
    await settle();
    expect(el.querySelector('[data-testid=esps]').textContent).toMatch(/device missing/);
    const row = [...el.querySelectorAll('[data-testid=kernels] tr')].find((r) => r.textContent.includes('6.8.12-4-pve'));
    await click(byText(row, 'button', 'Pin for next boot'));
    await settle(5);
    const put = fetchFn.calls.find((c) => c.key === 'PUT /nodes/n1/boot/pin');
    expect([put.body.get('version'), put.body.get('next-boot')]).toEqual(['6.8.12-4-pve', '1']);
    expect(fetchFn.calls.some((c) => c.key === 'POST /nodes/n1/boot/refresh')).toBe(true);
    expect(openTask).toHaveBeenCalledWith(UPID);
  });
  it('shows the API message of a bad command line next to the field', async () => {
    const fetchFn = fakeFetch({
      'GET /nodes/n1/boot': () => [200, { data: overview }],
      'PUT /nodes/n1/boot/cmdline': () => [400, { message: 'Parameter verification failed.\n', errors: { cmdline: 'option \'console="ttyS0\': unbalanced double quote' } }],
    });
    const el = await mount(withApp(createClient({ fetchFn }), <Boot />));
    await settle();
    await type(el.querySelector('input[name=cmdline]'), 'root=x console="ttyS0');
    await click(byText(el, 'button', 'Save'));
    await settle(5);
    expect(el.querySelector('.field-error').textContent).toMatch(/unbalanced double quote/);
    const put = fetchFn.calls.find((c) => c.key === 'PUT /nodes/n1/boot/cmdline');
    expect([put.body.get('cmdline'), put.body.get('digest')]).toEqual(['root=x console="ttyS0', 'abc']);
  });
  it('words health and notes', () => {
    expect(espHealth({ state: 'ok', loaders: ['uefi', 'grub'] })).toBe('ok: systemd-boot, GRUB');
    expect(kernelNotes({ running: true, 'next-boot': true, boot: true })).toBe('running, next boot, selected');
  });
});
