// Subscription: Proxmox's four subscription endpoints. hostadm keeps a key
// but cannot check it with Proxmox's shop, so the status is never "active";
// the page says why instead of nagging.
import { useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ConfirmDialog } from '../../components/Dialog.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';
import { dateTime } from '../../lib/format.js';

export function SubscriptionSection() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/subscription`;
  const sub = useResource(() => api.get(path), [node]);
  const form = useForm({ key: '' }, ['key']);
  const [removing, setRemoving] = useState(false);
  const d = sub.data;
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => { await api.put(path, { key: v.key.trim() }); return true; });
    if (ok) { form.setValues({ key: '' }); sub.reload(); }
  }
  return (
    <article class="card">
      <h2>Subscription</h2>
      <ErrorAlert error={sub.error} />
      {d && <dl class="facts" data-testid="subscription">
        <div><dt>Status</dt><dd>{d.status}</dd></div>
        {d.message && <div><dt>Message</dt><dd>{d.message}</dd></div>}
        {d.key && <div><dt>Key</dt><dd><code>{d.key}</code></dd></div>}
        {d.serverid && <div><dt>Server ID</dt><dd><code>{d.serverid}</code></dd></div>}
        {d.sockets && <div><dt>Sockets</dt><dd>{d.sockets}</dd></div>}
        {d.checktime && <div><dt>Last check</dt><dd>{dateTime(d.checktime)}</dd></div>}
        {d.url && <div><dt>Shop</dt><dd><a href={d.url} rel="noopener noreferrer" target="_blank">{d.url}</a></dd></div>}
      </dl>}
      <form onSubmit={save} noValidate>
        <Field form={form} name="key" label="Subscription key" placeholder="pve4c-0123456789" hint="pve<sockets: 1, 2, 4 or 8><level: c, b, s or p>-<10 hex digits>" />
        <FormMessage form={form} />
        <div class="actions">
          <button type="submit" class="primary" disabled={form.busy}>Upload key</button>
          <button type="button" onClick={async () => { await api.post(path, { force: 1 }); sub.reload(); }}>Check</button>
          {d && d.key && <button type="button" class="danger" onClick={() => setRemoving(true)}>Remove key</button>}
        </div>
      </form>
      {removing && <ConfirmDialog title="Remove subscription key" action="Remove the subscription key of" name={node} confirmLabel="Remove"
        onConfirm={async () => { await api.del(path); sub.reload(); }} onClose={() => setRemoving(false)} />}
    </article>
  );
}
