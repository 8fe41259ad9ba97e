// smartd (hostadm extension): the DEVICESCAN entry and per-disk overrides
// of /etc/smartd.conf with their self-test schedules and mail targets. The
// rest of the file stays as it is; edits carry the file's digest.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ConfirmDialog, Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';

/** smartdParams sets the filled fields and deletes the emptied ones. */
export function smartdParams(v, digest) {
  const p = { device: String(v.device).trim(), digest };
  const del = [];
  for (const k of ['schedule', 'mail']) {
    const x = String(v[k] ?? '').trim();
    if (x) p[k] = x; else del.push(k);
  }
  if (del.length) p.delete = del.join(',');
  return p;
}

export function SmartdTab() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/disks/smartd`;
  const conf = useResource(() => api.get(path), [node]);
  const [editing, setEditing] = useState(null);
  const [removing, setRemoving] = useState(null);
  const d = conf.data;
  return (
    <article class="card">
      <h2>SMART monitoring (smartd)</h2>
      <p class="muted small">Schedules are regular expressions over T/MM/DD/d/HH: <code>(S/../.././02|L/../../6/03)</code> runs a short test every night at 2 and a long one on Saturdays at 3. smartd reads entries up to DEVICESCAN; per-disk overrides go before it.</p>
      <ErrorAlert error={conf.error} />
      {d && !d.exists && <div class="alert alert-warn">/etc/smartd.conf does not exist (is smartmontools installed?).</div>}
      {d && <table class="table compact" data-testid="smartd">
        <thead><tr><th>Device</th><th>Self-tests</th><th>Mail</th><th>Directives</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>{d.entries.map((e) => (
          <tr key={e.device} class={e.ignored ? 'muted' : ''}>
            <td><code>{e.device}</code>{e.ignored ? ' (ignored: after DEVICESCAN)' : ''}</td><td><code>{e.schedule || ''}</code></td><td>{e.mail || ''}</td>
            <td class="small"><code>{e.directives}</code></td>
            <td class="row-actions">
              <button type="button" onClick={() => setEditing(e)}>Edit</button>
              {e.device !== 'DEVICESCAN' && <button type="button" class="danger-text" onClick={() => setRemoving(e)}>Remove</button>}
            </td>
          </tr>
        ))}</tbody>
      </table>}
      <div class="actions"><button type="button" onClick={() => setEditing({ device: '', schedule: '', mail: '' })} disabled={!d}>Add disk override</button></div>
      {editing && <SmartdDialog path={path} entry={editing} digest={d && d.digest} onDone={() => { setEditing(null); conf.reload(); }} onClose={() => setEditing(null)} />}
      {removing && <ConfirmDialog title="Remove override" action="Remove the smartd override of" name={removing.device} confirmLabel="Remove"
        onConfirm={async () => { await api.del(path, { device: removing.device, digest: d.digest }); conf.reload(); }} onClose={() => setRemoving(null)} />}
    </article>
  );
}

function SmartdDialog({ path, entry, digest, onDone, onClose }) {
  const { api } = useApp();
  const form = useForm({ device: entry.device, schedule: entry.schedule || '', mail: entry.mail || '' }, ['device', 'schedule', 'mail', 'delete', 'digest']);
  async function save(e) {
    e.preventDefault();
    if (await form.submit(async (v) => { await api.put(path, smartdParams(v, digest)); return true; })) onDone();
  }
  return (
    <Dialog title={entry.device ? `smartd: ${entry.device}` : 'New smartd override'} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="device" label="Device" disabled={!!entry.device} placeholder="/dev/disk/by-id/ata-…" hint="DEVICESCAN, or a disk's /dev path (by-id survives renaming)." />
        <Field form={form} name="schedule" label="Self-test schedule (-s)" placeholder="(S/../.././02|L/../../6/03)" />
        <Field form={form} name="mail" label="Mail to (-m)" placeholder="root" hint="Users or addresses, comma-separated; empty removes it." />
        <FormMessage form={form} />
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save</button></div>
      </form>
    </Dialog>
  );
}
