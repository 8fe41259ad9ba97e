// Time: the node's clock and time zone, and (hostadm extension) its NTP
// sources and their sync state.
import { useEffect } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';
import { dateTime } from '../../lib/format.js';

/** splitList turns "a, b c" into "a,b,c" for the API's *-list formats ('' stays ''). */
export function joinList(text) {
  return (text || '').split(/[\s,;]+/).filter(Boolean).join(',');
}

export function TimeSection() {
  const { api, node, features } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}`;
  const time = useResource(() => api.get(`${base}/time`), [node]);
  const form = useForm({ timezone: '' });
  useEffect(() => { if (time.data) form.setValues({ timezone: time.data.timezone }); }, [time.data]);
  async function save(e) {
    e.preventDefault();
    if (await form.submit(async (v) => { await api.put(`${base}/time`, { timezone: v.timezone.trim() }); return true; })) time.reload();
  }
  const t = time.data;
  return (
    <div class="cards">
      <article class="card">
        <h2>Time zone</h2>
        <ErrorAlert error={time.error} />
        {t && <dl class="facts">
          <div><dt>Node time (UTC)</dt><dd>{new Date(t.time * 1000).toISOString().replace('T', ' ').slice(0, 19)}</dd></div>
          <div><dt>Local time</dt><dd>{dateTime(t.localtime + new Date().getTimezoneOffset() * 60)}</dd></div>
          <div><dt>Time zone</dt><dd>{t.timezone}</dd></div>
        </dl>}
        <form onSubmit={save} noValidate>
          <Field form={form} name="timezone" label="Time zone" placeholder="Europe/Vienna" hint="A name from /usr/share/zoneinfo, such as UTC or Europe/Berlin." />
          <FormMessage form={form} />
          <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Set time zone</button></div>
        </form>
      </article>
      {features.has('ntp') && <NtpCard base={base} />}
    </div>
  );
}

function NtpCard({ base }) {
  const { api, openTask } = useApp();
  const ntp = useResource(() => api.get(`${base}/ntp`), [base]);
  const status = useResource(() => api.get(`${base}/ntp/status`), [base]);
  const form = useForm({ servers: '', pools: '', iburst: true, restart: true });
  useEffect(() => {
    if (!ntp.data) return;
    const src = ntp.data.sources || [];
    const pick = (kind) => src.filter((s) => (s.type || s.kind) === kind).map((s) => s.address || s.host || s.name).filter(Boolean).join(' ');
    form.setValues((v) => ({ ...v, servers: pick('server'), pools: pick('pool') }));
  }, [ntp.data]);
  async function save(e) {
    e.preventDefault();
    const upid = await form.submit((v) => api.put(`${base}/ntp`, {
      servers: joinList(v.servers) || undefined, pools: joinList(v.pools) || undefined, iburst: v.iburst, restart: v.restart,
    }).then((r) => r || true));
    if (typeof upid === 'string') openTask(upid);
    if (upid) { ntp.reload(); status.reload(); }
  }
  const n = ntp.data;
  return (
    <article class="card">
      <h2>Time synchronisation</h2>
      <ErrorAlert error={ntp.error} />
      {n && <dl class="facts">
        <div><dt>Daemon</dt><dd>{n.daemon}</dd></div>
        <div><dt>Configured in</dt><dd><code>{n.file}</code></dd></div>
      </dl>}
      {!ntp.error && <SyncStatus data={status.data} error={status.error} />}
      <form onSubmit={save} noValidate>
        <Field form={form} name="servers" label="Servers" hint="Host names or IP addresses, separated by spaces." />
        <Field form={form} name="pools" label="Pools" hint="For example 2.debian.pool.ntp.org" />
        <div class="row">
          <Field form={form} name="iburst" label="iburst" type="checkbox" />
          <Field form={form} name="restart" label="Restart the daemon" type="checkbox" />
        </div>
        <FormMessage form={form} />
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save sources</button></div>
      </form>
    </article>
  );
}

/** SyncStatus shows whether the clock is synchronised and the state of each source. */
function SyncStatus({ data, error }) {
  if (error) return <ErrorAlert error={error} />;
  if (!data) return null;
  return (
    <>
      <p>
        <span class={`chip chip-${data.synced ? 'ok' : 'warning'}`}>{data.synced ? 'synchronised' : 'not synchronised'}</span>
        {data.server && <span class="muted"> with {data.server}, stratum {data.stratum}, offset {(data.offset * 1000).toFixed(3)} ms</span>}
      </p>
      {(data.sources || []).length > 0 && (
        <table class="table compact">
          <thead><tr><th>Source</th><th>State</th><th>Stratum</th><th>Reach</th><th>Offset</th></tr></thead>
          <tbody>{data.sources.map((s) => (
            <tr key={s.address}><td>{s.address}</td><td>{s.state}</td><td>{s.stratum}</td><td>{s.reach}</td><td>{(s.offset * 1000).toFixed(3)} ms</td></tr>
          ))}</tbody>
        </table>
      )}
    </>
  );
}

/** KeyValues shows a flat object as a fact list (nested values as JSON). */
export function KeyValues({ title, data, error }) {
  if (error) return <ErrorAlert error={error} />;
  if (!data || typeof data !== 'object') return null;
  return (
    <>
      {title && <h3>{title}</h3>}
      <dl class="facts">
        {Object.entries(data).map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v !== null && typeof v === 'object' ? <code>{JSON.stringify(v)}</code> : String(v)}</dd></div>
        ))}
      </dl>
    </>
  );
}
