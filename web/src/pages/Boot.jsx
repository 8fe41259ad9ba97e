// Boot (hostadm extensions for the guide's "Host Bootloader"): the ESPs
// proxmox-boot-tool keeps in sync and their health, the kernels with the
// selection and pins (also for the next boot only), and the kernel command
// line, each change followed by the refresh that makes it count.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';
import { whenDone } from '../lib/tasklog.js';

export function Boot() {
  const { api, node } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/boot`;
  const boot = useResource(() => api.get(base), [node]);
  const b = boot.data;
  return (
    <section>
      <div class="page-head"><h1>Boot</h1></div>
      <ErrorAlert error={boot.error} />
      {b && <div class="cards">
        <BootFacts boot={b} />
        <EspCard boot={b} base={base} reload={boot.reload} />
        <KernelsCard boot={b} base={base} reload={boot.reload} />
        <CmdlineCard boot={b} base={base} reload={boot.reload} />
      </div>}
    </section>
  );
}

function BootFacts({ boot }) {
  return (
    <article class="card">
      <h2>Firmware and boot loader</h2>
      <dl class="facts" data-testid="boot-facts">
        <div><dt>Booted with</dt><dd>{boot.mode === 'uefi' ? 'UEFI' : 'legacy BIOS'}</dd></div>
        {boot.mode === 'uefi' && <div><dt>Secure Boot</dt><dd>{boot.secureboot ? 'on' : 'off'}</dd></div>}
        <div><dt>Boot loader</dt><dd>{boot.loader === 'systemd-boot' ? 'systemd-boot' : 'GRUB'}</dd></div>
        <div><dt>Running command line</dt><dd><code>{boot.cmdline.running}</code></dd></div>
      </dl>
    </article>
  );
}

/** espHealth words an ESP's state for people. */
export function espHealth(e) {
  if (e.state === 'ok') return e.loaders.length ? `ok: ${e.loaders.map((l) => (l === 'uefi' ? 'systemd-boot' : 'GRUB')).join(', ')}` : 'ok, but no boot loader set up';
  if (e.state === 'missing') return 'device missing (run proxmox-boot-tool clean)';
  if (e.state === 'invalid') return 'not a vfat UUID';
  return e.message || e.state;
}

function EspCard({ boot, base, reload }) {
  const { api, openTask } = useApp();
  const [error, setError] = useState(null);
  async function refresh() {
    setError(null);
    try {
      const upid = await api.post(`${base}/refresh`);
      openTask(upid);
      whenDone(api, upid, reload);
    } catch (err) { setError(err); }
  }
  return (
    <article class="card">
      <h2>EFI system partitions</h2>
      <ErrorAlert error={error} />
      {!boot['esp-list'] ? <p class="muted" data-testid="no-esps">No ESP is kept in sync by proxmox-boot-tool on this node ({boot.loader === 'grub' ? 'GRUB boots from /boot' : 'none configured'}).</p> : (
        <table class="table compact" data-testid="esps">
          <thead><tr><th>UUID</th><th>Health</th><th>Kernels on it</th></tr></thead>
          <tbody>{boot.esps.map((e) => (
            <tr key={e.uuid}>
              <td><code>{e.uuid}</code></td>
              <td>{e.state === 'ok' ? espHealth(e) : <span class="chip chip-error">{espHealth(e)}</span>}</td>
              <td>{e.versions.join(', ') || '—'}</td>
            </tr>))}
          </tbody>
        </table>)}
      <div class="actions"><button type="button" onClick={refresh}>Refresh ESPs</button></div>
    </article>
  );
}

/** kernelNotes lists why a kernel is shown: running, pinned, next boot, manual, on the ESPs. */
export function kernelNotes(k) {
  return [k.running && 'running', k.pinned && 'pinned', k['next-boot'] && 'next boot', k.manual && 'manual', k.boot && 'selected'].filter(Boolean).join(', ');
}

function KernelsCard({ boot, base, reload }) {
  const { api, openTask } = useApp();
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function change(fn) {
    setError(null);
    setBusy(true);
    try {
      await fn();
      // A pin counts once the ESPs are refreshed (GRUB-only nodes ran update-grub already).
      if (boot['esp-list']) {
        const upid = await api.post(`${base}/refresh`);
        openTask(upid);
        whenDone(api, upid, reload);
      } else reload();
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  const pin = (version, next) => change(() => api.put(`${base}/pin`, { version, 'next-boot': next ? 1 : 0 }));
  const unpin = (next) => change(() => api.del(`${base}/pin`, { 'next-boot': next ? 1 : 0 }));
  return (
    <article class="card">
      <h2>Kernels</h2>
      <ErrorAlert error={error} />
      <p class="muted small">Pinned: <strong data-testid="pinned">{boot.pinned || 'none (newest)'}</strong>; next boot only: <strong data-testid="next-boot">{boot['next-boot'] || 'none'}</strong></p>
      <table class="table compact" data-testid="kernels">
        <thead><tr><th>Version</th><th>Notes</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>{boot.kernels.map((k) => (
          <tr key={k.version}>
            <td><code>{k.version}</code></td>
            <td>{kernelNotes(k)}</td>
            <td class="actions">
              <button type="button" disabled={busy || k['next-boot']} onClick={() => pin(k.version, true)}>Pin for next boot</button>
              <button type="button" disabled={busy || k.pinned} onClick={() => pin(k.version, false)}>Pin</button>
            </td>
          </tr>))}
        </tbody>
      </table>
      <div class="actions">
        <button type="button" disabled={busy || !boot['next-boot']} onClick={() => unpin(true)}>Unpin next boot</button>
        <button type="button" disabled={busy || (!boot.pinned && !boot['next-boot'])} onClick={() => unpin(false)}>Unpin all</button>
      </div>
    </article>
  );
}

function CmdlineCard({ boot, base, reload }) {
  const { api, openTask } = useApp();
  const c = boot.cmdline;
  const form = useForm({ cmdline: c.cmdline }, ['cmdline']);
  const [saved, setSaved] = useState(false);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    const upid = await form.submit((v) => api.put(`${base}/cmdline`, { cmdline: v.cmdline, digest: c.digest }));
    if (upid) {
      setSaved(true);
      openTask(upid);
      whenDone(api, upid, reload);
    }
  }
  return (
    <article class="card">
      <h2>Kernel command line</h2>
      <p class="muted small">Used from the next boot on. {c.loader === 'grub'
        ? <>GRUB: <code>GRUB_CMDLINE_LINUX_DEFAULT</code> in <code>{c.file}</code>{c['grub-cmdline-linux'] && <> (plus <code>{c['grub-cmdline-linux']}</code> from GRUB_CMDLINE_LINUX)</>}; saving runs update-grub.</>
        : <>systemd-boot: <code>{c.file}</code> (keep <code>root=</code>); saving refreshes the ESPs.</>}</p>
      <form onSubmit={save} noValidate>
        <Field form={form} name="cmdline" label="Options" hint="Separated by spaces, e.g. intel_iommu=on dis_ucode_ldr net.naming-scheme=v252; only double quotes." />
        <FormMessage form={form} />
        {saved && <div class="alert alert-ok" role="status">Saved. It applies at the next boot.</div>}
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save</button></div>
      </form>
    </article>
  );
}
