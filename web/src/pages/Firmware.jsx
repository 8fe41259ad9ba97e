// Firmware (hostadm extensions for the guide's "Firmware Updates"): the
// Debian firmware component with a preview before writing, the CPU
// vendor's microcode package as tasks, and fwupd's devices and updates.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';
import { whenDone } from '../lib/tasklog.js';

export function Firmware() {
  return (
    <div class="cards">
      <FirmwareComponentCard />
      <MicrocodeCard />
      <FwupdCard />
    </div>
  );
}

/** FirmwareComponentPreview shows what enabling the component changes; onApply writes exactly that. */
export function FirmwareComponentPreview({ plan }) {
  if (!plan) return null;
  if (plan.enabled) return <p data-testid="firmware-enabled">The <code>{plan.component}</code> component is on every Debian entry.</p>;
  return (
    <div data-testid="firmware-preview">
      <ul>
        {plan.entries.map((e) => (
          <li key={`${e.path}-${e.index}`}><code>{e.path}</code> entry {e.index} ({e.suites.join(' ')}): {e['components-before'].join(' ')} → <strong>{e['components-after'].join(' ')}</strong></li>
        ))}
      </ul>
      {plan.files.map((f) => <pre class="task-log" key={f.path}>{f.diff}</pre>)}
    </div>
  );
}

export function FirmwareComponentCard() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/apt/firmware-component`;
  const plan = useResource(() => api.get(path), [node]);
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  const p = plan.data;
  return (
    <article class="card">
      <h2>Debian firmware component</h2>
      <p class="muted small">CPU microcode and device firmware come from Debian's <code>non-free-firmware</code> component (<code>non-free</code> before bookworm).</p>
      <ErrorAlert error={plan.error} />
      <FirmwareComponentPreview plan={p} />
      {done && <div class="alert alert-ok" role="status">Written. Refresh the package database next.</div>}
      <div class="actions">
        {p && !p.enabled && <button type="button" class="primary" onClick={() => setAsking(true)}>Enable {p.component}</button>}
      </div>
      {asking && (
        <ConfirmDialog title={`Enable ${p.component}`} action="Write the change shown to the repositories of" name={node} confirmLabel="Write"
          onConfirm={async () => { await api.put(path, { digest: p.digest }); setDone(true); plan.reload(); }} onClose={() => setAsking(false)}>
          <FirmwareComponentPreview plan={p} />
        </ConfirmDialog>
      )}
    </article>
  );
}

function MicrocodeCard() {
  const { api, node, openTask } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/hardware/microcode`;
  const mc = useResource(() => api.get(path), [node]);
  const form = useForm({ action: 'install', version: '' }, ['action', 'version']);
  const m = mc.data;
  async function run(e) {
    e.preventDefault();
    await form.submit(async (v) => {
      const p = { action: v.action };
      if (String(v.version).trim()) p.version = String(v.version).trim();
      const upid = await api.post(path, p);
      openTask(upid);
      whenDone(api, upid, () => mc.reload());
      return true;
    });
  }
  return (
    <article class="card">
      <h2>CPU microcode</h2>
      <ErrorAlert error={mc.error} />
      {m && <dl class="facts" data-testid="microcode">
        <div><dt>Package</dt><dd><code>{m.package}</code> ({m.vendor})</dd></div>
        <div><dt>Installed</dt><dd>{m.installed ? m.version : 'no'}{m.held ? ' (held)' : ''}</dd></div>
        <div><dt>Offered</dt><dd>{(m.available || []).join(', ') || 'none (enable the firmware component, refresh)'}</dd></div>
      </dl>}
      <form onSubmit={run} noValidate>
        <div class="row">
          <Field form={form} name="action" label="Action" type="select" options={[['install', 'Install / update'], ['downgrade', 'Downgrade'], ['hold', 'Hold'], ['unhold', 'Unhold']]} />
          <Field form={form} name="version" label="Version" type="select" disabled={form.values.action === 'hold' || form.values.action === 'unhold'}
            options={[['', 'newest'], ...((m && m.available) || []).map((v) => [v, v])]} />
        </div>
        <FormMessage form={form} />
        <div class="actions"><button type="submit" class="primary" disabled={form.busy || !m}>Run</button></div>
      </form>
    </article>
  );
}

function FwupdCard() {
  const { api, node, openTask } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/hardware/firmware`;
  const fw = useResource(() => api.get(path), [node]);
  const [error, setError] = useState(null);
  const f = fw.data;
  async function update() {
    setError(null);
    try {
      const upid = await api.post(path);
      openTask(upid);
      whenDone(api, upid, () => fw.reload());
    } catch (err) { setError(err); }
  }
  return (
    <article class="card">
      <h2>Persistent firmware (fwupd)</h2>
      <ErrorAlert error={fw.error || error} />
      {f && f.message && <div class={`alert ${f.installed ? 'alert-error' : 'alert-warn'}`} data-testid="fwupd-message">{f.message}</div>}
      {f && f.installed ? <>
        <table class="table compact">
          <thead><tr><th>Device</th><th>Vendor</th><th>Version</th><th>Updatable</th></tr></thead>
          <tbody>{f.devices.map((d) => <tr key={d.id}><td>{d.name}</td><td>{d.vendor}</td><td>{d.version}</td><td>{d.updatable ? 'yes' : 'no'}</td></tr>)}</tbody>
        </table>
        <h3>Updates</h3>
        {f.updates.length ? <ul>{f.updates.map((u) => <li key={u['device-id'] + u.version}>{u.device}: {u['current-version']} → <strong>{u.version}</strong> {u.urgency && `(${u.urgency})`} <span class="muted small">{u.summary}</span></li>)}</ul>
          : <p class="muted">No updates.</p>}
        <div class="actions"><button type="button" class="primary" disabled={!f.updates.length} onClick={update}>Update firmware</button></div>
      </> : null}
    </article>
  );
}
