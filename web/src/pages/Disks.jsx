// Disks: one tab for the node's block devices with usage and SMART health
// (SMART details and self-tests; GPT initialisation and wiping, which ask
// with the device's path — wipe makes you type it — and show their task
// live), and one for each kind of storage on them and the ZFS ARC, as far
// as the node's /disks index offers them.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { useResource } from '../lib/poll.js';
import { bytes } from '../lib/format.js';
import { SmartDialog } from './DiskSmart.jsx';
import { DiskCreateDialog, KINDS } from './DiskCreate.jsx';
import { diskRows } from '../lib/diskrows.js';
import { whenDone } from '../lib/tasklog.js';
import { href } from '../lib/router.js';
import { BtrfsTab, DirectoryTab, LvmTab, LvmThinTab, ZfsTab } from './DiskStorages.jsx';
import { ZfsArc } from './ZfsArc.jsx';
import { SmartdTab } from './Smartd.jsx';
import { ZfsUpkeep } from './ZfsUpkeep.jsx';

/** TABS are the Disks page's tabs; each but the first needs its child of /nodes/{node}/disks. */
export const TABS = [
  { id: '', label: 'Disks' },
  { id: 'lvm', label: 'LVM', needs: 'lvm', Tab: LvmTab },
  { id: 'lvmthin', label: 'LVM-thin', needs: 'lvmthin', Tab: LvmThinTab },
  { id: 'directory', label: 'Directory', needs: 'directory', Tab: DirectoryTab },
  { id: 'zfs', label: 'ZFS', needs: 'zfs', Tab: ZfsTab },
  { id: 'btrfs', label: 'BTRFS', needs: 'btrfs', Tab: BtrfsTab },
  { id: 'arc', label: 'ZFS ARC', needs: 'zfs-arc', Tab: ZfsArc },
  { id: 'zfs-upkeep', label: 'ZFS upkeep', needs: 'zfs-zed', Tab: ZfsUpkeep },
  { id: 'smartd', label: 'SMART monitoring', needs: 'smartd', Tab: SmartdTab },
];

function healthClass(h) {
  if (!h) return 'running';
  if (h === 'PASSED' || h === 'OK') return 'ok';
  if (h === 'UNKNOWN') return 'running';
  return 'error';
}

export function Disks({ arg }) {
  const { api, node } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/disks`;
  // The tabs and create wizards offered are the ones the node's /disks index lists.
  const index = useResource(() => api.get(base).catch(() => []), [node]);
  const kinds = new Set((index.data || []).map((c) => c.name));
  const tabs = TABS.filter((t) => !t.needs || kinds.has(t.needs));
  const tab = tabs.find((t) => t.id === (arg || '')) || tabs[0];
  const Tab = tab.Tab || DiskList;
  return (
    <section>
      <div class="page-head"><h1>Disks</h1></div>
      {tabs.length > 1 && (
        <nav class="tabs" aria-label="Disk sections">
          {tabs.map((t) => <a key={t.id} href={href('disks', t.id)} aria-current={t === tab ? 'page' : undefined}>{t.label}</a>)}
        </nav>
      )}
      {index.data && <Tab base={base} kinds={kinds} />}
    </section>
  );
}

function DiskList({ base, kinds }) {
  const { api, openTask } = useApp();
  const [partitions, setPartitions] = useState(true);
  const list = useResource(() => api.get(`${base}/list`, { 'include-partitions': partitions }), [base, partitions]);
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  async function task(method, path, params) {
    const upid = await api[method](path, params);
    if (upid) {
      openTask(upid);
      whenDone(api, upid, list.reload);
    }
  }
  const rows = diskRows(list.data || []);
  return (
    <div>
      <div class="page-head">
        <h2>Block devices</h2>
        <div class="actions">
          <label class="inline"><input type="checkbox" checked={partitions} onChange={(e) => setPartitions(e.currentTarget.checked)} /> Show partitions</label>
          <button type="button" onClick={() => list.reload()}>Reload</button>
        </div>
      </div>
      {Object.keys(KINDS).some((k) => kinds.has(k)) && (
        <div class="actions left" role="group" aria-label="Create storage">
          <span class="muted">Create on unused disks:</span>
          {Object.entries(KINDS).filter(([k]) => kinds.has(k)).map(([k, c]) => (
            <button type="button" key={k} onClick={() => setDialog({ kind: 'create', what: k })}>{c.title}</button>
          ))}
        </div>
      )}
      <ErrorAlert error={list.error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Device</th><th>Type</th><th>Usage</th><th>Size</th><th>GPT</th><th>Model</th><th>Serial</th><th>S.M.A.R.T.</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.devpath} class={d.parent ? 'partition' : ''}>
                <td><code>{d.devpath}</code></td>
                <td>{d.parent ? 'partition' : d.type || 'disk'}</td>
                <td>{d.used || (d.mounted ? 'mounted' : <span class="muted">unused</span>)}</td>
                <td class="nowrap">{bytes(d.size)}</td>
                <td>{d.parent ? '' : d.gpt ? 'yes' : 'no'}</td>
                <td>{[d.vendor, d.model].filter(Boolean).join(' ')}</td>
                <td class="small">{d.serial}</td>
                <td>{!d.parent && <span class={`chip chip-${healthClass(d.health)}`}>{d.health || 'n/a'}</span>}</td>
                <td class="row-actions">
                  {!d.parent && <button type="button" onClick={() => setDialog({ kind: 'smart', disk: d })}>SMART</button>}
                  {!d.parent && !d.gpt && !d.used && <button type="button" onClick={() => setDialog({ kind: 'gpt', disk: d })}>Initialize GPT</button>}
                  <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'wipe', disk: d })}>Wipe</button>
                </td>
              </tr>
            ))}
            {list.data && !rows.length && <tr><td colSpan={9} class="muted">No disks found.</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog && dialog.kind === 'create' && (
        <DiskCreateDialog kind={dialog.what} base={base} rows={rows} onDone={list.reload} onClose={close} />
      )}
      {dialog && dialog.kind === 'smart' && <SmartDialog base={base} disk={dialog.disk} onClose={close} />}
      {dialog && dialog.kind === 'gpt' && (
        <ConfirmDialog title="Initialize disk with GPT" action="Write a new, empty GPT partition table to" name={dialog.disk.devpath}
          confirmLabel="Initialize" onConfirm={() => task('post', `${base}/initgpt`, { disk: dialog.disk.devpath })} onClose={close} />
      )}
      {dialog && dialog.kind === 'wipe' && (
        <ConfirmDialog title="Wipe disk" action="Erase every partition table, file-system and RAID signature on" name={dialog.disk.devpath}
          typeName confirmLabel="Wipe" onConfirm={() => task('put', `${base}/wipedisk`, { disk: dialog.disk.devpath })} onClose={close}>
          <p class="muted">All data on it becomes unreachable{dialog.disk.used ? ` — it is in use: ${dialog.disk.used}` : ''}.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
