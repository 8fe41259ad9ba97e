// ACME accounts (register with the CA's terms, deactivate) and challenge
// plugins (standalone, and DNS APIs with the KEYs each needs, as the
// daemon's challenge schema lists them).
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { Dialog, ConfirmDialog } from '../components/Dialog.jsx';
import { Field, FormMessage } from '../components/Field.jsx';
import { useForm } from '../components/form.js';
import { useResource } from '../lib/poll.js';
import { encodeData } from '../lib/acmeform.js';

export function AcmeSettings() {
  const { api, openTask } = useApp();
  const [n, setN] = useState(0);
  const reload = () => setN((x) => x + 1);
  const accounts = useResource(() => api.get('/cluster/acme/account'), [n]);
  const plugins = useResource(() => api.get('/cluster/acme/plugins'), [n]);
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  return (
    <>
      <section class="subsection">
        <div class="page-head">
          <h2>ACME accounts</h2>
          <div class="actions"><button type="button" onClick={() => setDialog({ kind: 'account' })}>Register account</button></div>
        </div>
        <ErrorAlert error={accounts.error} />
        <ul class="plain-list">
          {(accounts.data || []).map((a) => (
            <li key={a.name} data-testid={`account-${a.name}`}><strong>{a.name}</strong>{' '}
              <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'deactivate', id: a.name })}>Deactivate</button></li>
          ))}
          {accounts.data && !accounts.data.length && <li class="muted">No account yet: register one before ordering.</li>}
        </ul>
      </section>
      <section class="subsection">
        <div class="page-head">
          <h2>Challenge plugins</h2>
          <div class="actions"><button type="button" onClick={() => setDialog({ kind: 'plugin' })}>Add DNS plugin</button></div>
        </div>
        <ErrorAlert error={plugins.error} />
        <div class="table-wrap">
          <table class="table">
            <thead><tr><th>ID</th><th>Type</th><th>API</th><th>Validation delay</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {(plugins.data || []).map((p) => (
                <tr key={p.plugin} data-testid={`plugin-${p.plugin}`}>
                  <td><strong>{p.plugin}</strong>{p.disable ? <span class="chip chip-warning">disabled</span> : null}</td>
                  <td>{p.type}</td><td>{p.api || ''}</td><td>{p.type === 'dns' ? `${p['validation-delay']} s` : ''}</td>
                  <td class="row-actions">{p.type === 'dns' && (
                    <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delplugin', id: p.plugin })}>Delete</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {dialog && dialog.kind === 'account' && <AccountDialog onDone={(upid) => { close(); openTask(upid); reload(); }} onClose={close} />}
      {dialog && dialog.kind === 'plugin' && <PluginDialog onDone={() => { close(); reload(); }} onClose={close} />}
      {dialog && dialog.kind === 'deactivate' && (
        <ConfirmDialog title="Deactivate ACME account" action="Deactivate the account at the CA" name={dialog.id} confirmLabel="Deactivate"
          onConfirm={async () => { openTask(await api.del(`/cluster/acme/account/${encodeURIComponent(dialog.id)}`)); reload(); }} onClose={close}>
          <p class="muted">The CA will refuse the account from then on; its file is kept as _deactivated_{dialog.id}_N.</p>
        </ConfirmDialog>
      )}
      {dialog && dialog.kind === 'delplugin' && (
        <ConfirmDialog title="Delete plugin" action="Delete the plugin" name={dialog.id}
          onConfirm={async () => { await api.del(`/cluster/acme/plugins/${encodeURIComponent(dialog.id)}`); reload(); }} onClose={close} />
      )}
    </>
  );
}

function AccountDialog({ onDone, onClose }) {
  const { api } = useApp();
  const dirs = useResource(() => api.get('/cluster/acme/directories'), []);
  const form = useForm({ name: 'default', contact: '', directory: 'https://acme-v02.api.letsencrypt.org/directory', custom: '', agree: false },
    ['name', 'contact', 'directory', 'custom', 'agree']);
  const url = form.values.directory === 'custom' ? form.values.custom : form.values.directory;
  const meta = useResource(() => (url ? api.get('/cluster/acme/meta', { directory: url }) : Promise.resolve(null)), [url]);
  const tos = meta.data && meta.data.termsOfService;
  async function submit(e) {
    e.preventDefault();
    const params = { name: form.values.name, contact: form.values.contact, directory: url };
    if (tos && form.values.agree) params.tos_url = tos;
    const upid = await form.submit(() => api.post('/cluster/acme/account', params));
    if (upid) onDone(upid);
  }
  const options = [...(dirs.data || []).map((d) => [d.url, d.name]), ['custom', 'Custom URL']];
  return (
    <Dialog title="Register ACME account" onClose={onClose}>
      <form onSubmit={submit}>
        <FormMessage form={form} />
        <Field form={form} name="name" label="Account name" required />
        <Field form={form} name="contact" label="Contact e-mail" type="email" required />
        <Field form={form} name="directory" label="CA" type="select" options={options} />
        {form.values.directory === 'custom' && <Field form={form} name="custom" label="Directory URL" placeholder="https://…/directory" />}
        <ErrorAlert error={meta.error} />
        {tos && <Field form={form} name="agree" type="checkbox" label={`I agree to the CA's terms of service (${tos})`} />}
        <div class="dialog-actions"><button type="submit" class="primary" disabled={form.busy || (tos && !form.values.agree)}>Register</button></div>
      </form>
    </Dialog>
  );
}

function PluginDialog({ onDone, onClose }) {
  const { api } = useApp();
  const schemas = useResource(() => api.get('/cluster/acme/challenge-schema'), []);
  const form = useForm({ id: '', api: '', 'validation-delay': 30 }, ['id', 'api', 'data', 'validation-delay']);
  const [keys, setKeys] = useState({});
  const chosen = (schemas.data || []).find((s) => s.id === form.values.api);
  const fields = chosen ? Object.entries(chosen.schema.fields || {}) : [];
  async function submit(e) {
    e.preventDefault();
    const params = { id: form.values.id, type: 'dns', api: form.values.api, data: encodeData(keys), 'validation-delay': form.values['validation-delay'] };
    if (await form.submit(() => api.post('/cluster/acme/plugins', params).then(() => true))) onDone();
  }
  return (
    <Dialog title="Add DNS plugin" onClose={onClose}>
      <form onSubmit={submit}>
        <FormMessage form={form} />
        <Field form={form} name="id" label="Plugin ID" required />
        <Field form={form} name="api" label="DNS API" type="select"
          options={[['', 'Choose…'], ...(schemas.data || []).map((s) => [s.id, `${s.name} (${s.id})`])]} />
        {fields.map(([k, f]) => (
          <div class="field" key={k}>
            <label for={`key-${k}`}>{k}{f.optional ? '' : ' *'}</label>
            <input id={`key-${k}`} value={keys[k] || ''} onInput={(e) => setKeys({ ...keys, [k]: e.currentTarget.value })} />
            {f.description && <div class="hint">{f.description}</div>}
          </div>
        ))}
        {form.errors.data && <div class="field-error" role="alert">{form.errors.data}</div>}
        <Field form={form} name="validation-delay" label="Longest wait for the TXT record (seconds)" type="number" min={0} max={172800}
          hint="hostadm asks the CA to validate as soon as the zone's servers show the record." />
        <div class="dialog-actions"><button type="submit" class="primary" disabled={form.busy || !form.values.api}>Add</button></div>
      </form>
    </Dialog>
  );
}
