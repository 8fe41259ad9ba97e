// KSM and sysctl (hostadm extensions): memory page merging with its
// security trade-off, and the persisted swappiness / IPv6 switches.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ConfirmDialog } from '../../components/Dialog.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';
import { whenDone } from '../../lib/tasklog.js';
import { KeyValues } from './Time.jsx';

export function KernelSection() {
  const { features } = useApp();
  return (
    <div class="cards">
      {features.has('ksm') && <KsmCard />}
      {features.has('sysctl') && <SysctlCard />}
    </div>
  );
}

function KsmCard() {
  const { api, node, openTask } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/ksm`;
  const ksm = useResource(() => api.get(path), [node]);
  const [asking, setAsking] = useState(null);
  const running = ksm.data && Number(ksm.data.run) === 1;
  return (
    <article class="card">
      <h2>Kernel same-page merging (KSM)</h2>
      <p class="muted small">KSM saves memory by merging identical pages of guests, but merged pages open timing side channels between guests. Turning it off unmerges every page and needs enough free memory.</p>
      <KeyValues data={ksm.data} error={ksm.error} />
      <div class="actions">
        <button type="button" onClick={() => setAsking(running ? 'disable' : 'enable')} disabled={!ksm.data}>
          {running ? 'Disable KSM' : 'Enable KSM'}
        </button>
      </div>
      {asking && (
        <ConfirmDialog title={`${asking === 'enable' ? 'Enable' : 'Disable'} KSM`} action={`${asking === 'enable' ? 'Enable' : 'Disable'} KSM on`}
          name={node} confirmLabel={asking === 'enable' ? 'Enable' : 'Disable'}
          onConfirm={async () => { const upid = await api.put(path, { enable: asking === 'enable' }); openTask(upid); whenDone(api, upid, () => ksm.reload()); }}
          onClose={() => setAsking(null)} />
      )}
    </article>
  );
}

function SysctlCard() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/sysctl`;
  const sysctl = useResource(() => api.get(path), [node]);
  const form = useForm({ swappiness: '', ipv6: true });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const d = sysctl.data;
    if (!d) return;
    form.setValues({ swappiness: String(d.swappiness ?? ''), ipv6: d.ipv6 === undefined ? true : !!Number(d.ipv6) });
  }, [sysctl.data]);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    const ok = await form.submit(async (v) => {
      const p = { ipv6: v.ipv6, digest: sysctl.data && sysctl.data.digest };
      if (String(v.swappiness).trim() !== '') p.swappiness = String(v.swappiness).trim();
      await api.put(path, p);
      return true;
    });
    if (ok) { setSaved(true); sysctl.reload(); }
  }
  return (
    <article class="card">
      <h2>Kernel settings (sysctl)</h2>
      <ErrorAlert error={sysctl.error} />
      {sysctl.data && <dl class="facts">
        <div><dt>Persisted in</dt><dd><code>{sysctl.data.file}</code></dd></div>
        <div><dt>Saved swappiness</dt><dd>{sysctl.data['persisted-swappiness'] ?? 'not set (kernel default)'}</dd></div>
        <div><dt>Saved IPv6</dt><dd>{sysctl.data['persisted-ipv6'] === undefined ? 'not set' : sysctl.data['persisted-ipv6'] ? 'on' : 'off'}</dd></div>
      </dl>}
      <form onSubmit={save} noValidate>
        <div class="row">
          <Field form={form} name="swappiness" label="vm.swappiness" type="number" min="0" max="200" hint="0–200; lower keeps more in memory." />
          <Field form={form} name="ipv6" label="IPv6 enabled" type="checkbox" />
        </div>
        <FormMessage form={form} />
        {saved && <div class="alert alert-ok" role="status">Saved and applied.</div>}
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save</button></div>
      </form>
    </article>
  );
}
