// The storages already made on the node's disks — LVM volume groups,
// LVM thin pools, directories, ZFS pools and BTRFS file systems — one tab
// each, with create (the plan wizard) and delete. Delete asks with the
// object's name, which must be typed, and offers Proxmox's two cleanups:
// the storage configuration and wiping the disks.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog, Dialog } from '../components/Dialog.jsx';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { useResource } from '../lib/poll.js';
import { bytes, percent } from '../lib/format.js';
import { Meter } from '../components/Meter.jsx';
import { DiskCreateDialog, KINDS } from './DiskCreate.jsx';
import { diskRows } from '../lib/diskrows.js';
import { ZfsDetailDialog, stateTone } from './ZfsDetail.jsx';
import { whenDone } from '../lib/tasklog.js';

/** deleteParams are the DELETE parameters: the two cleanups as 1/0 and any extra (volume-group). */
export function deleteParams(cleanupConfig, cleanupDisks, extra = {}) {
  return { 'cleanup-config': !!cleanupConfig, 'cleanup-disks': !!cleanupDisks, ...extra };
}

/**
 * DestroyDialog asks before removing a storage: the name must be typed;
 * the cleanups default to on, as in Proxmox's dialog. The task opens, and
 * onDone runs when it has ended.
 */
export function DestroyDialog({ title, action, name, path, extra, note, onDone, onClose }) {
  const { api, openTask } = useApp();
  const [config, setConfig] = useState(true);
  const [wipe, setWipe] = useState(true);
  async function destroy() {
    const upid = await api.del(path, deleteParams(config, wipe, extra));
    if (upid) {
      openTask(upid);
      whenDone(api, upid, onDone);
    }
  }
  return (
    <ConfirmDialog title={title} action={action} name={name} typeName confirmLabel="Destroy" onConfirm={destroy} onClose={onClose}>
      {note && <p class="muted">{note}</p>}
      <fieldset class="cleanups">
        <legend>Clean up</legend>
        <label class="check-row">
          <input type="checkbox" name="cleanup-config" checked={config} onChange={(e) => setConfig(e.currentTarget.checked)} />
          <span>The storage configuration <span class="muted small">— storages using it are removed, or no longer list this node</span></span>
        </label>
        <label class="check-row">
          <input type="checkbox" name="cleanup-disks" checked={wipe} onChange={(e) => setWipe(e.currentTarget.checked)} />
          <span>Wipe the disks <span class="muted small">— erase labels and signatures so they can be used again</span></span>
        </label>
      </fieldset>
    </ConfirmDialog>
  );
}

/** CreateButton opens the create wizard of a kind, loading the disk list it chooses from. */
function CreateButton({ kind, base, onCreated }) {
  const { api } = useApp();
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  async function open() {
    setError(null);
    try {
      setRows(diskRows(await api.get(`${base}/list`, { 'include-partitions': true, skipsmart: true })));
    } catch (e) {
      setError(e);
    }
  }
  return (
    <>
      <button type="button" class="primary" onClick={open}>Create: {KINDS[kind].title}</button>
      {error && <ErrorAlert error={error} />}
      {rows && <DiskCreateDialog kind={kind} base={base} rows={rows} onDone={onCreated} onClose={() => setRows(null)} />}
    </>
  );
}

/** StorageTab is the frame of each tab: heading, create and reload, error, the table. */
function StorageTab({ title, kind, base, res, children }) {
  return (
    <div>
      <div class="page-head">
        <h2>{title}</h2>
        <div class="actions">
          <button type="button" onClick={() => res.reload()}>Reload</button>
          <CreateButton kind={kind} base={base} onCreated={res.reload} />
        </div>
      </div>
      <ErrorAlert error={res.error} />
      <div class="table-wrap">{children}</div>
    </div>
  );
}

function Empty({ cols, res, count, what }) {
  if (!res.data || res.loading || count > 0) return null;
  return <tr><td colSpan={cols} class="muted">No {what} yet.</td></tr>;
}

function Usage({ used, total }) {
  if (!total) return <span class="muted">–</span>;
  return <Meter label="Used" fraction={used / total} text={`${bytes(used)} of ${bytes(total)} (${percent(used / total)})`} />;
}

export function LvmTab({ base }) {
  const { api } = useApp();
  const res = useResource(() => api.get(`${base}/lvm`), [base]);
  const [del, setDel] = useState(null);
  const vgs = (res.data && res.data.children) || [];
  return (
    <StorageTab title="LVM volume groups" kind="lvm" base={base} res={res}>
      <table class="table" data-testid="lvm-list">
        <thead><tr><th>Volume group</th><th>Physical volumes</th><th>Logical volumes</th><th>Size</th><th>Free</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {vgs.map((vg) => (
            <tr key={vg.name} data-name={vg.name}>
              <td><strong>{vg.name}</strong></td>
              <td>{(vg.children || []).map((pv) => <div key={pv.name}><code>{pv.name}</code> <span class="muted small">{bytes(pv.size)}, {bytes(pv.free)} free</span></div>)}</td>
              <td>{vg.lvcount ?? ''}</td>
              <td class="nowrap">{bytes(vg.size)}</td><td class="nowrap">{bytes(vg.free)}</td>
              <td class="row-actions"><button type="button" class="danger-text" onClick={() => setDel(vg)}>Destroy</button></td>
            </tr>
          ))}
          <Empty cols={6} res={res} count={vgs.length} what="volume groups" />
        </tbody>
      </table>
      {del && (
        <DestroyDialog title="Destroy LVM volume group" action="Remove the volume group and every logical volume in" name={del.name}
          path={`${base}/lvm/${encodeURIComponent(del.name)}`} note={del.lvcount ? `It holds ${del.lvcount} logical volume${del.lvcount === 1 ? '' : 's'}; their data is lost.` : ''}
          onDone={res.reload} onClose={() => setDel(null)} />
      )}
    </StorageTab>
  );
}

/** ThinResizeDialog grows a thin pool's data and/or metadata (hostadm extension) as a task. */
function ThinResizeDialog({ base, pool, onDone, onClose }) {
  const { api, openTask } = useApp();
  const form = useForm({ size: '', poolmetadatasize: '' }, ['size', 'poolmetadatasize', 'volume-group']);
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => {
      const p = { 'volume-group': pool.vg };
      if (v.size.trim()) p.size = v.size.trim();
      if (v.poolmetadatasize.trim()) p.poolmetadatasize = v.poolmetadatasize.trim();
      const upid = await api.put(`${base}/lvmthin/${encodeURIComponent(pool.lv)}/resize`, p);
      openTask(upid);
      return true;
    });
    if (ok) onDone();
  }
  return (
    <Dialog title={`Resize thin pool ${pool.vg}/${pool.lv}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="size" label="Data size" placeholder="+50G" hint={`Now ${bytes(pool.lv_size)}; +N grows by N.`} />
        <Field form={form} name="poolmetadatasize" label="Metadata size" placeholder="+1G" hint={`Now ${bytes(pool.metadata_size)}.`} />
        <FormMessage form={form} />
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Resize</button></div>
      </form>
    </Dialog>
  );
}

/** thinVolumeParams are the thin-volume create parameters: with a directory name it is mounted there (and added as storage when asked). */
export function thinVolumeParams(pool, v) {
  const p = { 'volume-group': pool.vg, volume: v.volume.trim(), size: v.size.trim(), filesystem: v.filesystem };
  const dir = v.directory.trim();
  if (dir) {
    p.directory = dir;
    if (v.add_storage) p.add_storage = true;
  }
  return p;
}

/**
 * ThinVolumeDialog creates a formatted thin volume in a pool (hostadm
 * extension), optionally mounted under /mnt/pve/DIRECTORY by a mount unit
 * and added as directory storage — the chapter's extra volume for
 * /var/lib/vz. A failed step takes back the earlier ones.
 */
function ThinVolumeDialog({ base, pool, onDone, onClose }) {
  const { api, openTask } = useApp();
  const form = useForm({ volume: '', size: '', filesystem: 'ext4', directory: '', add_storage: true },
    ['volume', 'size', 'filesystem', 'directory', 'add_storage', 'name']);
  const v = form.values;
  async function save(e) {
    e.preventDefault();
    const upid = await form.submit((vals) => api.post(`${base}/lvmthin/${encodeURIComponent(pool.lv)}/volume`, thinVolumeParams(pool, vals)));
    if (upid) {
      onClose();
      openTask(upid);
      whenDone(api, upid, onDone);
    }
  }
  return (
    <Dialog title={`New thin volume in ${pool.vg}/${pool.lv}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <div class="row">
          <Field form={form} name="volume" label="Volume name" placeholder="vz" />
          <Field form={form} name="size" label="Virtual size" placeholder="500G" hint="Thin: may exceed the pool." />
          <Field form={form} name="filesystem" label="File system" type="select" options={[['ext4', 'ext4'], ['xfs', 'xfs']]} />
        </div>
        <Field form={form} name="directory" label="Mount as directory storage" placeholder="(leave empty to only format)"
          hint={v.directory.trim() ? `Mounted on /mnt/pve/${v.directory.trim()} by a systemd mount unit.` : 'A storage name: the volume is mounted on /mnt/pve/NAME.'} />
        {v.directory.trim() && <Field form={form} name="add_storage" label="Add as directory storage" type="checkbox" />}
        <FormMessage form={form} />
        <div class="actions"><button type="button" onClick={onClose}>Cancel</button> <button type="submit" class="primary" disabled={form.busy}>Create volume</button></div>
      </form>
    </Dialog>
  );
}

export function LvmThinTab({ base }) {
  const { api } = useApp();
  const res = useResource(() => api.get(`${base}/lvmthin`), [base]);
  const [del, setDel] = useState(null);
  const [grow, setGrow] = useState(null);
  const [vol, setVol] = useState(null);
  return (
    <StorageTab title="LVM thin pools" kind="lvmthin" base={base} res={res}>
      <table class="table" data-testid="lvmthin-list">
        <thead><tr><th>Thin pool</th><th>Volume group</th><th>Size</th><th>Data used</th><th>Metadata used</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(res.data || []).map((p) => (
            <tr key={`${p.vg}/${p.lv}`} data-name={p.lv}>
              <td><strong>{p.lv}</strong></td><td>{p.vg}</td>
              <td class="nowrap">{bytes(p.lv_size)}</td>
              <td><Usage used={p.used} total={p.lv_size} /></td>
              <td><Usage used={p.metadata_used} total={p.metadata_size} /></td>
              <td class="row-actions"><button type="button" onClick={() => setVol(p)}>New volume</button> <button type="button" onClick={() => setGrow(p)}>Resize</button> <button type="button" class="danger-text" onClick={() => setDel(p)}>Destroy</button></td>
            </tr>
          ))}
          <Empty cols={6} res={res} count={(res.data || []).length} what="thin pools" />
        </tbody>
      </table>
      {del && (
        <DestroyDialog title="Destroy LVM thin pool" action={`Remove the thin pool (in volume group ${del.vg}) and every thin volume in`} name={del.lv}
          path={`${base}/lvmthin/${encodeURIComponent(del.lv)}`} extra={{ 'volume-group': del.vg }}
          onDone={res.reload} onClose={() => setDel(null)} />
      )}
      {vol && <ThinVolumeDialog base={base} pool={vol} onDone={res.reload} onClose={() => setVol(null)} />}
      {grow && <ThinResizeDialog base={base} pool={grow} onDone={() => { setGrow(null); res.reload(); }} onClose={() => setGrow(null)} />}
    </StorageTab>
  );
}

/** dirName is a managed directory's storage name: the last element of /mnt/pve/NAME. */
export function dirName(path) {
  return String(path || '').replace(/\/+$/, '').split('/').pop();
}

export function DirectoryTab({ base }) {
  const { api } = useApp();
  const res = useResource(() => api.get(`${base}/directory`), [base]);
  const [del, setDel] = useState(null);
  return (
    <StorageTab title="Directories" kind="directory" base={base} res={res}>
      <table class="table" data-testid="directory-list">
        <thead><tr><th>Name</th><th>Path</th><th>Device</th><th>File system</th><th>Options</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(res.data || []).map((d) => (
            <tr key={d.path} data-name={dirName(d.path)}>
              <td><strong>{dirName(d.path)}</strong></td><td><code>{d.path}</code></td><td><code>{d.device}</code></td>
              <td>{d.type}</td><td class="small">{d.options}</td>
              <td class="row-actions"><button type="button" class="danger-text" onClick={() => setDel(d)}>Destroy</button></td>
            </tr>
          ))}
          <Empty cols={6} res={res} count={(res.data || []).length} what="directories" />
        </tbody>
      </table>
      {del && (
        <DestroyDialog title="Destroy directory storage" action={`Unmount ${del.path} and remove the mount unit of`} name={dirName(del.path)}
          path={`${base}/directory/${encodeURIComponent(dirName(del.path))}`} note={`The file system on ${del.device} stays unless you wipe the disk.`}
          onDone={res.reload} onClose={() => setDel(null)} />
      )}
    </StorageTab>
  );
}

export function BtrfsTab({ base }) {
  const { api } = useApp();
  const res = useResource(() => api.get(`${base}/btrfs`), [base]);
  const [del, setDel] = useState(null);
  return (
    <StorageTab title="BTRFS file systems" kind="btrfs" base={base} res={res}>
      <table class="table" data-testid="btrfs-list">
        <thead><tr><th>Name</th><th>Mount point</th><th>Device</th><th>Compression</th><th>Usage</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(res.data || []).map((f) => (
            <tr key={f.name} data-name={f.name}>
              <td><strong>{f.name}</strong></td><td><code>{f.path}</code></td><td class="small"><code>{f.spec}</code></td>
              <td>{f.compression || <span class="muted">none</span>}</td>
              <td>{f.mounted ? <Usage used={f.used} total={f.total} /> : <span class="chip chip-warning">not mounted</span>}</td>
              <td class="row-actions"><button type="button" class="danger-text" onClick={() => setDel(f)}>Destroy</button></td>
            </tr>
          ))}
          <Empty cols={6} res={res} count={(res.data || []).length} what="BTRFS file systems" />
        </tbody>
      </table>
      {del && (
        <DestroyDialog title="Destroy BTRFS file system" action={`Unmount ${del.path} and remove the /etc/fstab line of`} name={del.name}
          path={`${base}/btrfs/${encodeURIComponent(del.name)}`} onDone={res.reload} onClose={() => setDel(null)} />
      )}
    </StorageTab>
  );
}

/**
 * ChangeKeyDialog changes the wrapping key of an encrypted dataset (zfs
 * change-key, hostadm extension). The key goes only in the request body;
 * its fields are password inputs, emptied after every attempt and never
 * filled from an answer.
 */
export function ChangeKeyDialog({ base, pool, onClose }) {
  const { api, openTask } = useApp();
  const form = useForm({ dataset: pool, keyformat: 'passphrase', key: '', confirm: '' }, ['dataset', 'keyformat', 'key', 'confirm']);
  const v = form.values;
  async function save(e) {
    e.preventDefault();
    if (v.key !== v.confirm) {
      form.set('key', '');
      form.set('confirm', '');
      form.fail({ errors: { confirm: 'the two keys differ' } });
      return;
    }
    const { dataset, keyformat, key } = v;
    form.set('key', '');
    form.set('confirm', '');
    const upid = await form.submit(() => api.post(`${base}/zfs/${encodeURIComponent(pool)}/change-key`, { dataset: dataset.trim(), keyformat, key }));
    if (upid) {
      onClose();
      openTask(upid);
    }
  }
  const hex = v.keyformat !== 'passphrase';
  return (
    <Dialog title={`Change the key of an encrypted dataset in ${pool}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="dataset" label="Encrypted dataset" hint="Its key must be loaded; children that inherit the key follow it." />
        <Field form={form} name="keyformat" label="New key format" type="select" options={[['passphrase', 'passphrase'], ['hex', 'hex'], ['raw', 'raw (as 64 hex digits)']]} />
        <Field form={form} name="key" label="New key" type="password" autocomplete="new-password" hint={hex ? '64 hex digits.' : '8 to 512 bytes.'} />
        <Field form={form} name="confirm" label="New key again" type="password" autocomplete="new-password" />
        <FormMessage form={form} />
        <div class="actions"><button type="button" onClick={onClose}>Cancel</button> <button type="submit" class="primary" disabled={form.busy || !v.key}>Change key</button></div>
      </form>
    </Dialog>
  );
}

export function ZfsTab({ base }) {
  const { api, openTask } = useApp();
  const res = useResource(() => api.get(`${base}/zfs`), [base]);
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const close = () => setDialog(null);
  // A scrub runs in the pool; its progress is the detail's scan line.
  async function scrub(name) {
    setError(null);
    try {
      openTask(await api.post(`${base}/zfs/${encodeURIComponent(name)}/scrub`, { action: 'start' }));
    } catch (e) {
      setError(e);
    }
  }
  return (
    <StorageTab title="ZFS pools" kind="zfs" base={base} res={res}>
      <ErrorAlert error={error} />
      <table class="table" data-testid="zfs-list">
        <thead><tr><th>Pool</th><th>Health</th><th>Size</th><th>Allocated</th><th>Free</th><th>Fragmentation</th><th>Dedup</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(res.data || []).map((z) => (
            <tr key={z.name} data-name={z.name}>
              <td><strong>{z.name}</strong></td>
              <td><span class={`chip chip-${stateTone(z.health)}`}>{z.health}</span></td>
              <td class="nowrap">{bytes(z.size)}</td><td class="nowrap">{bytes(z.alloc)}</td><td class="nowrap">{bytes(z.free)}</td>
              <td>{z.frag} %</td><td>{z.dedup}×</td>
              <td class="row-actions">
                <button type="button" onClick={() => setDialog({ kind: 'detail', name: z.name })}>Detail</button>
                <button type="button" onClick={() => scrub(z.name)}>Scrub</button>
                <button type="button" onClick={() => setDialog({ kind: 'change-key', name: z.name })}>Change key</button>
                <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'destroy', name: z.name })}>Destroy</button>
              </td>
            </tr>
          ))}
          <Empty cols={8} res={res} count={(res.data || []).length} what="ZFS pools" />
        </tbody>
      </table>
      {dialog && dialog.kind === 'change-key' && <ChangeKeyDialog base={base} pool={dialog.name} onClose={close} />}
      {dialog && dialog.kind === 'detail' && <ZfsDetailDialog base={base} name={dialog.name} onClose={close} />}
      {dialog && dialog.kind === 'destroy' && (
        <DestroyDialog title="Destroy ZFS pool" action="Destroy the pool and every dataset and volume in" name={dialog.name}
          path={`${base}/zfs/${encodeURIComponent(dialog.name)}`} onDone={res.reload} onClose={close} />
      )}
    </StorageTab>
  );
}
