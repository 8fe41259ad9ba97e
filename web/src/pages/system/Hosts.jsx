// Hosts: /etc/hosts as text, saved with the digest it was read with, so a
// change made by someone else meanwhile is not overwritten.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';

/** isDigestConflict tells the daemon's "file changed by other user" failure apart. */
export function isDigestConflict(err) {
  return !!err && /detected modified configuration/.test(err.message || '');
}

export function HostsSection() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/hosts`;
  const hosts = useResource(() => api.get(path), [node]);
  const form = useForm({ data: '' });
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (hosts.data) form.setValues({ data: hosts.data.data }); }, [hosts.data]);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    setConflict(false);
    const ok = await form.submit(async (v) => {
      try {
        await api.post(path, { data: v.data, digest: hosts.data.digest });
      } catch (err) {
        if (isDigestConflict(err)) setConflict(true);
        throw err;
      }
      return true;
    });
    if (ok) { setSaved(true); hosts.reload(); }
  }
  return (
    <article class="card">
      <h2>/etc/hosts</h2>
      <ErrorAlert error={hosts.error} />
      {conflict && (
        <div class="alert alert-warn" role="alert">
          Someone changed /etc/hosts after you opened it, so your text was not saved. Copy what you need, then{' '}
          <button type="button" class="link" onClick={() => { setConflict(false); form.clear(); hosts.reload(); }}>load the current file</button>.
        </div>
      )}
      <form onSubmit={save} noValidate>
        <Field form={form} name="data" label="Content" type="textarea" rows={14} spellcheck={false} />
        {!conflict && <FormMessage form={form} />}
        {saved && <div class="alert alert-ok" role="status">Saved.</div>}
        <div class="actions">
          <button type="button" onClick={() => { form.clear(); hosts.reload(); }}>Reload</button>
          <button type="submit" class="primary" disabled={form.busy || !hosts.data}>Save</button>
        </div>
      </form>
    </article>
  );
}
