import { describe, expect, it, vi } from 'vitest';
import { AppContext } from '../components/context.js';
import { createClient } from '../lib/api.js';
import { byText, click, fakeFetch, mount, settle, type } from '../test/helpers.js';
import { DestroyDialog, dirName } from './DiskStorages.jsx';
import { ZfsArc, sizeText } from './ZfsArc.jsx';

const UPID = 'UPID:n1:00000001:00000002:00000003:lvmthinremove:pve-data:root@pam:';

function withApp(api, vnode, openTask = () => {}) {
  return <AppContext.Provider value={{ api, openTask, session: { user: 'root@pam' }, node: 'n1', features: new Set() }}>{vnode}</AppContext.Provider>;
}

describe('DestroyDialog', () => {
  it('needs the typed name and sends the cleanups as chosen', async () => {
    const fetchFn = fakeFetch({
      'DELETE /nodes/n1/disks/lvmthin/data': () => [200, { data: UPID }],
      [`GET /nodes/n1/tasks/${encodeURIComponent(UPID)}/status`]: () => [200, { data: { status: 'stopped', exitstatus: 'OK' } }],
    });
    const openTask = vi.fn();
    const onDone = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), (
      <DestroyDialog title="Destroy" action="Remove" name="data" path="/nodes/n1/disks/lvmthin/data" extra={{ 'volume-group': 'pve' }}
        onDone={onDone} onClose={() => {}} />), openTask));
    expect(byText(el, 'button', 'Destroy').disabled).toBe(true);
    await click(el.querySelector('input[name=cleanup-disks]'));
    await type(el.querySelector('#confirm-name'), 'data');
    await click(byText(el, 'button', 'Destroy'));
    await settle(5);
    const q = fetchFn.calls[0].url.searchParams;
    expect([q.get('cleanup-config'), q.get('cleanup-disks'), q.get('volume-group')]).toEqual(['1', '0', 'pve']);
    expect(openTask).toHaveBeenCalledWith(UPID);
    expect(onDone).toHaveBeenCalled();
  });
  it('names a directory storage by its mount point', () => {
    expect(dirName('/mnt/pve/backup')).toBe('backup');
  });
});

describe('ZfsArc', () => {
  const arc = { size: 1 << 30, min: 790e6, max: 12e9, param_min: 0, param_max: 0, conf_min: 0, conf_max: 0, memtotal: 24 * 2 ** 30, pool_size: 0, recommended: 2576980377, rule_of_thumb: 2 ** 31, root_on_zfs: 0 };
  it('shows the API error of each limit next to its field', async () => {
    const fetchFn = fakeFetch({
      'GET /nodes/n1/disks/zfs-arc': () => [200, { data: arc }],
      'PUT /nodes/n1/disks/zfs-arc': () => [400, { message: 'Parameter verification failed.\n', errors: { max: 'value must have a minimum value of 67108864' } }],
    });
    const el = await mount(withApp(createClient({ fetchFn }), <ZfsArc base="/nodes/n1/disks" />));
    await settle();
    expect(el.querySelector('[data-testid=arc-initramfs]').textContent).toMatch(/no update-initramfs is needed/);
    await type(el.querySelector('input[name=max]'), '32M');
    await click(byText(el, 'button', 'Set limits'));
    await settle();
    expect(fetchFn.calls[1].body.get('max')).toBe(String(32 * 2 ** 20));
    expect(el.querySelector('.has-error .field-error').textContent).toMatch(/67108864/);
    await type(el.querySelector('input[name=max]'), '30G');
    await click(byText(el, 'button', 'Set limits'));
    await settle();
    expect(fetchFn.calls.length).toBe(2);
    expect(el.querySelector('.has-error .field-error').textContent).toMatch(/less than the installed memory/);
  });
  it('writes sizes back in whole units', () => {
    expect([sizeText(2 ** 33), sizeText(512 * 2 ** 20), sizeText(1000)]).toEqual(['8G', '512M', '1000']);
  });
});
