// ZFS upkeep (hostadm extensions): periodic scrub and trim schedules, each
// pool's autotrim with a manual TRIM task, and ZED's mail settings in
// zed.rc (the rest of that file is kept as it is).
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';
import { whenDone } from '../lib/tasklog.js';

export function ZfsUpkeep() {
  return <div class="cards"><SchedulesCard /><ZedCard /></div>;
}

function SchedulesCard() {
  const { api, node, openTask } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/disks`;
  const sch = useResource(() => api.get(`${base}/zfs-schedules`), [node]);
  const [error, setError] = useState(null);
  const d = sch.data;
  async function run(fn) {
    setError(null);
    try { await fn(); } catch (err) { setError(err); }
  }
  return (
    <article class="card">
      <h2>Scrub and TRIM</h2>
      <ErrorAlert error={sch.error || error} />
      {d && <table class="table compact" data-testid="zfs-schedules">
        <thead><tr><th>Kind</th><th>When</th><th>Pool</th><th>Source</th></tr></thead>
        <tbody>{d.schedules.map((s, i) => <tr key={i}><td>{s.kind}</td><td><code>{s.when}</code> {s.note && <span class="muted small">{s.note}</span>}</td><td>{s.pool || 'all'}</td><td class="small">{s.source}</td></tr>)}
          {!d.schedules.length && <tr><td colSpan={4} class="muted">No periodic scrub or trim found.</td></tr>}</tbody>
      </table>}
      {d && d.pools.length > 0 && <table class="table compact">
        <thead><tr><th>Pool</th><th>autotrim</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>{d.pools.map((p) => (
          <tr key={p.name}><td>{p.name}</td><td>{p.autotrim}</td><td class="row-actions">
            <button type="button" onClick={() => run(async () => { await api.put(`${base}/zfs/${encodeURIComponent(p.name)}/autotrim`, { autotrim: p.autotrim !== 'on' }); sch.reload(); })}>{p.autotrim === 'on' ? 'Autotrim off' : 'Autotrim on'}</button>
            <button type="button" onClick={() => run(async () => { const upid = await api.post(`${base}/zfs/${encodeURIComponent(p.name)}/trim`, { action: 'start' }); openTask(upid); whenDone(api, upid, () => sch.reload()); })}>Trim now</button>
          </td></tr>
        ))}</tbody>
      </table>}
    </article>
  );
}

function ZedCard() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/disks/zfs-zed`;
  const zed = useResource(() => api.get(path), [node]);
  const form = useForm({ 'email-addr': '', 'notify-interval': '', 'notify-verbose': false }, ['email-addr', 'notify-interval', 'notify-verbose', 'delete', 'digest']);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const s = zed.data && zed.data.settings;
    if (s) form.setValues({ 'email-addr': s['email-addr'] || '', 'notify-interval': s['notify-interval'] || '', 'notify-verbose': s['notify-verbose'] === '1' });
  }, [zed.data]);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    const ok = await form.submit(async (v) => {
      const p = { digest: zed.data.digest, 'notify-verbose': v['notify-verbose'] };
      const del = [];
      if (String(v['email-addr']).trim()) p['email-addr'] = String(v['email-addr']).trim(); else del.push('email-addr');
      if (String(v['notify-interval']).trim()) p['notify-interval'] = String(v['notify-interval']).trim();
      if (del.length) p.delete = del.join(',');
      await api.put(path, p);
      return true;
    });
    if (ok) { setSaved(true); zed.reload(); }
  }
  return (
    <article class="card">
      <h2>ZFS event mail (ZED)</h2>
      <ErrorAlert error={zed.error} />
      {zed.data && !zed.data.exists && <div class="alert alert-warn">/etc/zfs/zed.d/zed.rc does not exist (zfs-zed not installed?).</div>}
      <form onSubmit={save} noValidate>
        <Field form={form} name="email-addr" label="Mail to (ZED_EMAIL_ADDR)" hint="Addresses separated by spaces; empty turns mail off." />
        <div class="row">
          <Field form={form} name="notify-interval" label="Seconds between similar mails" type="number" min="0" />
          <Field form={form} name="notify-verbose" label="Also mail when the pool is healthy" type="checkbox" />
        </div>
        <FormMessage form={form} />
        {saved && <div class="alert alert-ok" role="status">Saved; ZED reads it at the next event.</div>}
        <div class="actions"><button type="submit" class="primary" disabled={form.busy || !zed.data}>Save</button></div>
      </form>
    </article>
  );
}
