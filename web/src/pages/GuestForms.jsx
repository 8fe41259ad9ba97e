// The guests page's dialogs: a bulk action with the order it will take,
// a VM's options (onboot, startup order, memory), creating a VM,
// migrating one, and the node's guest settings (first-boot delay,
// ballooning target).
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';
import { BULK, parseStartup, startupText, vmOptionParams } from '../lib/guests.js';

export function GuestBulkDialog({ action, onStarted, onClose }) {
  const { api, node } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}`;
  const info = BULK[action];
  const form = useForm({ force: false, target: '', 'max-workers': '', timeout: '' }, ['force', 'target', 'max-workers', 'timeout']);
  const plan = useResource(() => api.get(`${base}/bulkplan`, { action, force: form.values.force ? 1 : 0 }), [form.values.force]);
  async function run(e) {
    e.preventDefault();
    const upid = await form.submit(async (v) => {
      const p = {};
      if (action === 'startall' && v.force) p.force = 1;
      if (action === 'migrateall') p.target = v.target.trim();
      if (String(v['max-workers']).trim()) p['max-workers'] = v['max-workers'];
      if (action === 'stopall' && String(v.timeout).trim()) p.timeout = v.timeout;
      return api.post(`${base}/${action}`, p);
    });
    if (upid) onStarted(upid);
  }
  const rows = plan.data || [];
  return (
    <Dialog title={`${info.label}: the order`} onClose={onClose} wide>
      <p class="muted">{info.note}</p>
      <ErrorAlert error={plan.error} />
      <ol class="plan" data-testid="bulk-plan">
        {rows.map((e) => (
          <li key={e.vmid}>
            <strong>{e.vmid}</strong> {e.name} <span class="muted">— {startupText(e)}{e.running ? ', running' : ', stopped'}{e.onboot ? ', onboot' : ''}</span>
          </li>
        ))}
      </ol>
      {plan.data && !rows.length && <p class="muted" data-testid="bulk-plan-empty">No VM matches: nothing to {info.verb}.</p>}
      <form onSubmit={run} noValidate>
        {action === 'startall' && <Field form={form} name="force" label="Also VMs without onboot (force)" type="checkbox" />}
        {action === 'migrateall' && <Field form={form} name="target" label="Target node" required />}
        {action === 'stopall' && <Field form={form} name="timeout" label="Timeout per VM (s)" type="number" placeholder="180" hint="Used when a VM has no down= in its startup settings." />}
        <Field form={form} name="max-workers" label="Parallel tasks" type="number" placeholder={action === 'migrateall' ? 'required' : 'default'} />
        <FormMessage form={form} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" data-testid="bulk-run" disabled={form.busy}>{info.label}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function VMOptionsDialog({ vmid, onDone, onClose }) {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/qemu/${vmid}/config`;
  const cfg = useResource(() => api.get(path), [vmid]);
  if (!cfg.data) return <Dialog title={`VM ${vmid}: options`} onClose={onClose}><ErrorAlert error={cfg.error} />{!cfg.error && <p>Loading…</p>}</Dialog>;
  return <VMOptionsForm cfg={cfg.data} path={path} vmid={vmid} onDone={onDone} onClose={onClose} />;
}

function VMOptionsForm({ cfg, path, vmid, onDone, onClose }) {
  const { api } = useApp();
  const st = parseStartup(cfg.startup);
  const form = useForm({
    name: cfg.name || '', onboot: !!Number(cfg.onboot), order: st.order, up: st.up, down: st.down,
    memory: String(cfg.memory || '').replace('current=', ''), balloon: cfg.balloon ?? '', shares: cfg.shares ?? '',
  }, ['name', 'onboot', 'order', 'up', 'down', 'memory', 'balloon', 'shares', 'startup', 'delete']);
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => { await api.put(path, vmOptionParams(v, cfg.digest)); return true; });
    if (ok) onDone();
  }
  return (
    <Dialog title={`VM ${vmid}: options`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="name" label="Name" />
        <Field form={form} name="onboot" label="Start at boot (onboot)" type="checkbox" />
        <div class="row">
          <Field form={form} name="order" label="Startup order" type="number" min="0" hint="Lower starts first; empty: last." />
          <Field form={form} name="up" label="Up delay (s)" type="number" min="0" hint="Wait after starting it; empty: 3 s." />
          <Field form={form} name="down" label="Down timeout (s)" type="number" min="0" hint="Shutdown timeout in stop all." />
        </div>
        <div class="row">
          <Field form={form} name="memory" label="Memory (MiB)" type="number" min="16" />
          <Field form={form} name="balloon" label="Minimum memory (MiB)" type="number" min="0" hint="Auto-ballooning lowers the VM down to this; 0: no balloon." />
          <Field form={form} name="shares" label="Shares" type="number" min="0" max="50000" hint="Weight in auto-ballooning; default 1000." />
        </div>
        {form.errors.startup && <div class="field-error" role="alert">startup: {form.errors.startup}</div>}
        <FormMessage form={form} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" data-testid="vm-options-save" disabled={form.busy}>Save</button>
        </div>
      </form>
    </Dialog>
  );
}

export function VMCreateDialog({ onDone, onClose }) {
  const { api, node } = useApp();
  const next = useResource(() => api.get('/cluster/nextid'), []);
  const form = useForm({ vmid: '', name: '', memory: '64', cores: '1', onboot: false }, ['vmid', 'name', 'memory', 'cores', 'onboot']);
  async function save(e) {
    e.preventDefault();
    const upid = await form.submit(async (v) => {
      const p = { vmid: String(v.vmid).trim() || next.data, memory: v.memory, cores: v.cores, onboot: v.onboot ? 1 : 0 };
      if (v.name.trim()) p.name = v.name.trim();
      return api.post(`/nodes/${encodeURIComponent(node)}/qemu`, p);
    });
    if (upid) onDone(null);
  }
  return (
    <Dialog title="Create VM" onClose={onClose}>
      <form onSubmit={save} noValidate>
        <div class="row">
          <Field form={form} name="vmid" label="VM ID" type="number" placeholder={next.data ? String(next.data) : ''} />
          <Field form={form} name="name" label="Name" />
        </div>
        <div class="row">
          <Field form={form} name="memory" label="Memory (MiB)" type="number" min="16" />
          <Field form={form} name="cores" label="Cores" type="number" min="1" />
        </div>
        <Field form={form} name="onboot" label="Start at boot (onboot)" type="checkbox" />
        <FormMessage form={form} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>Create</button>
        </div>
      </form>
    </Dialog>
  );
}

export function MigrateDialog({ vm, onStarted, onClose }) {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/qemu/${vm.vmid}/migrate`;
  const pre = useResource(() => api.get(path), [vm.vmid]);
  const form = useForm({ target: '' }, ['target', 'online']);
  async function run(e) {
    e.preventDefault();
    const upid = await form.submit((v) => api.post(path, { target: v.target, online: vm.status === 'running' ? 1 : 0 }));
    if (upid) onStarted(upid);
  }
  const nodes = (pre.data && pre.data.allowed_nodes) || [];
  return (
    <Dialog title={`Migrate VM ${vm.vmid}`} onClose={onClose}>
      <ErrorAlert error={pre.error} />
      {pre.data && !nodes.length && <p class="muted">No other cluster node to migrate to.</p>}
      <form onSubmit={run} noValidate>
        <Field form={form} name="target" label="Target node" type="select" options={[['', '–'], ...nodes.map((n) => [n, n])]} />
        <p class="muted">{vm.status === 'running' ? 'Live migration: the VM keeps running.' : 'The VM is stopped: only its configuration moves.'}</p>
        <FormMessage form={form} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy || !form.values.target}>Migrate</button>
        </div>
      </form>
    </Dialog>
  );
}

/** NodeGuestSettings edits the node config's startall-onboot-delay and ballooning-target. */
export function NodeGuestSettings() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/config`;
  const [saved, setSaved] = useState(false);
  const cfg = useResource(() => api.get(path), []);
  if (!cfg.data) return <ErrorAlert error={cfg.error} />;
  return <NodeGuestForm cfg={cfg.data} path={path} saved={saved} onSaved={() => { setSaved(true); cfg.reload(); }} />;
}

function NodeGuestForm({ cfg, path, saved, onSaved }) {
  const { api } = useApp();
  const form = useForm({ 'startall-onboot-delay': cfg['startall-onboot-delay'] ?? '', 'ballooning-target': cfg['ballooning-target'] ?? '' },
    ['startall-onboot-delay', 'ballooning-target']);
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => {
      const p = { digest: cfg.digest };
      const del = [];
      for (const k of ['startall-onboot-delay', 'ballooning-target']) {
        if (String(v[k]).trim() === '') del.push(k); else p[k] = String(v[k]).trim();
      }
      if (del.length) p.delete = del.join(',');
      await api.put(path, p);
      return true;
    });
    if (ok) onSaved();
  }
  return (
    <form class="card" onSubmit={save} noValidate data-testid="node-guest-settings">
      <h2>Guest settings of this node</h2>
      <div class="row">
        <Field form={form} name="startall-onboot-delay" label="First-boot delay (s)" type="number" min="0" max="300" placeholder="0"
          hint="Wait before the first Start all of a boot starts the onboot VMs." />
        <Field form={form} name="ballooning-target" label="Ballooning target (%)" type="number" min="0" max="100" placeholder="80"
          hint="Above this host memory use, running VMs' balloons shrink toward their minimum by their shares." />
      </div>
      <FormMessage form={form} />
      {saved && !form.message && <p class="muted" role="status">Saved.</p>}
      <button type="submit" class="primary" data-testid="node-guest-save" disabled={form.busy}>Save</button>
    </form>
  );
}
