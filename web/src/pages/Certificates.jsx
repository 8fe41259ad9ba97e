// Certificates: what the node serves (the cluster CA, the node certificate
// and a custom or ACME certificate, with days left and a failing renewal's
// warning), uploading and removing a custom certificate, and the node's
// ACME domains with preflight, order, renew and revoke (task logs open in
// the task dialog). Accounts and plugins are in AcmeSettings.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { Dialog, ConfirmDialog } from '../components/Dialog.jsx';
import { Field, FormMessage } from '../components/Field.jsx';
import { useForm } from '../components/form.js';
import { usePoll, useResource } from '../lib/poll.js';
import { dateTime } from '../lib/format.js';
import { daysLeft, expiryTone, nodeDomains, freeDomainKey, formatDomain } from '../lib/acmeform.js';
import { AcmeSettings } from './AcmeSettings.jsx';

export function Certificates() {
  const { api, node } = useApp();
  const [n, setN] = useState(0);
  const reload = () => setN((x) => x + 1);
  const base = `/nodes/${encodeURIComponent(node)}`;
  // Polled: an order or renewal task installs a new certificate a little later.
  const info = usePoll(() => api.get(`${base}/certificates/info`), 3000, [n]);
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const custom = (info.data || []).some((c) => c.filename === 'pveproxy-ssl.pem');
  return (
    <section>
      <div class="page-head">
        <h1>Certificates</h1>
        <div class="actions">
          <button type="button" class="primary" onClick={() => setDialog('upload')}>Upload custom certificate</button>
          {custom && <button type="button" class="danger-text" onClick={() => setDialog('delete')}>Delete custom certificate</button>}
        </div>
      </div>
      <p class="muted">The daemon serves the custom certificate when there is one, else the node certificate; a new one is served to new connections at once.</p>
      <ErrorAlert error={info.error} />
      <CertTable certs={info.data || []} />
      <AcmeDomains base={base} onChange={reload} />
      <AcmeSettings />
      {dialog === 'upload' && <UploadDialog base={base} replace={custom} onDone={() => { close(); reload(); }} onClose={close} />}
      {dialog === 'delete' && (
        <ConfirmDialog title="Delete custom certificate" action="Delete the custom certificate" name="pveproxy-ssl.pem"
          onConfirm={async () => { await api.del(`${base}/certificates/custom`); reload(); }} onClose={close}>
          <p class="muted">The node certificate signed by the cluster CA is served again.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function CertTable({ certs }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead><tr><th>File</th><th>Subject</th><th>Issuer</th><th>Names</th><th>Expires</th><th>Key</th></tr></thead>
        <tbody>
          {certs.map((c) => {
            const days = daysLeft(c.notafter);
            return (
              <tr key={c.filename} data-testid={`cert-${c.filename}`}>
                <td><strong>{c.filename}</strong>
                  <details class="small muted"><summary>SHA-256 fingerprint</summary><span class="mono">{c.fingerprint}</span></details>
                  {c.warning && <div class="field-error small" role="alert">{c.warning}</div>}</td>
                <td class="small">{c.subject}</td>
                <td class="small">{c.issuer}</td>
                <td class="small">{(c.san || []).join(', ')}</td>
                <td class="nowrap">{dateTime(c.notafter)}<div><span class={`chip chip-${expiryTone(days)}`}>{days < 0 ? 'expired' : `${days} days left`}</span></div></td>
                <td class="nowrap">{c['public-key-type']} {c['public-key-bits']}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UploadDialog({ base, replace, onDone, onClose }) {
  const { api } = useApp();
  const form = useForm({ certificates: '', key: '', force: replace }, ['certificates', 'key', 'force']);
  async function submit(e) {
    e.preventDefault();
    const params = { certificates: form.values.certificates, force: form.values.force ? 1 : 0 };
    if (form.values.key) params.key = form.values.key;
    if (await form.submit(() => api.post(`${base}/certificates/custom`, params).then(() => true))) onDone();
  }
  return (
    <Dialog title="Upload custom certificate" onClose={onClose} wide>
      <form onSubmit={submit}>
        <FormMessage form={form} />
        <Field form={form} name="certificates" label="Certificate chain (PEM, the server's certificate first)" type="textarea" rows={8} required />
        <Field form={form} name="key" label="Private key (PEM; empty keeps the current custom key)" type="textarea" rows={6} />
        <Field form={form} name="force" label="Replace the existing custom certificate, or install one that does not name this node" type="checkbox" />
        <div class="dialog-actions"><button type="submit" class="primary" disabled={form.busy}>Upload</button></div>
      </form>
    </Dialog>
  );
}

function AcmeDomains({ base, onChange }) {
  const { api, openTask } = useApp();
  const [n, setN] = useState(0);
  const config = useResource(() => api.get(`${base}/config`), [n]);
  const plugins = useResource(() => api.get('/cluster/acme/plugins').catch(() => []), [n]);
  const [preflight, setPreflight] = useState(null);
  const [error, setError] = useState(null);
  const [adding, setAdding] = useState(false);
  const domains = nodeDomains(config.data || {});
  const run = async (fn) => {
    setError(null);
    try { await fn(); } catch (e) { setError(e); }
  };
  const task = (method, params) => run(async () => {
    const upid = await api[method](`${base}/certificates/acme/certificate`, params);
    openTask(upid);
    onChange();
  });
  return (
    <section class="subsection">
      <div class="page-head">
        <h2>ACME</h2>
        <div class="actions">
          <button type="button" onClick={() => setAdding(true)} disabled={!freeDomainKey(config.data || {})}>Add domain</button>
          <button type="button" onClick={() => run(async () => setPreflight(await api.get(`${base}/certificates/acme/preflight`)))}>Preflight</button>
          <button type="button" class="primary" disabled={!domains.length} onClick={() => task('post', { force: 1 })}>Order certificate</button>
          <button type="button" disabled={!domains.length} onClick={() => task('put', { force: 1 })}>Renew</button>
          <button type="button" class="danger-text" onClick={() => task('del')}>Revoke</button>
        </div>
      </div>
      <p class="muted">The daemon renews the ACME certificate by itself when fewer than 30 days are left. Each order runs the preflight first.</p>
      <ErrorAlert error={error || config.error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Domain</th><th>Plugin</th><th>Alias</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {domains.map((d) => (
              <tr key={`${d.key}-${d.domain}`} data-testid={`domain-${d.domain}`}>
                <td><strong>{d.domain}</strong></td><td>{d.plugin}</td><td>{d.alias || ''}</td>
                <td class="row-actions">{d.key !== 'acme' && (
                  <button type="button" class="danger-text" onClick={() => run(async () => { await api.put(`${base}/config`, { delete: d.key }); setN((x) => x + 1); })}>Remove</button>
                )}</td>
              </tr>
            ))}
            {config.data && !domains.length && <tr><td colSpan={4} class="muted">No ACME domains yet.</td></tr>}
          </tbody>
        </table>
      </div>
      {preflight && <Preflight checks={preflight} />}
      {adding && <DomainDialog base={base} config={config.data || {}} plugins={plugins.data || []}
        onDone={() => { setAdding(false); setN((x) => x + 1); }} onClose={() => setAdding(false)} />}
    </section>
  );
}

function Preflight({ checks }) {
  return (
    <div class="table-wrap" data-testid="preflight">
      <table class="table">
        <thead><tr><th>Check</th><th>Domain</th><th>Result</th><th>Why</th></tr></thead>
        <tbody>
          {checks.map((c, i) => (
            <tr key={i}><td>{c.check}</td><td>{c.domain || ''}</td>
              <td><span class={`chip chip-${c.status === 'ok' ? 'ok' : c.status === 'warning' ? 'warning' : 'error'}`}>{c.status}</span></td>
              <td class="small">{c.message}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DomainDialog({ base, config, plugins, onDone, onClose }) {
  const { api } = useApp();
  const form = useForm({ domain: '', plugin: 'standalone', alias: '' }, ['domain', 'plugin', 'alias']);
  const key = freeDomainKey(config);
  async function submit(e) {
    e.preventDefault();
    if (await form.submit(() => api.put(`${base}/config`, { [key]: formatDomain(form.values) }).then(() => true))) onDone();
  }
  return (
    <Dialog title="Add ACME domain" onClose={onClose}>
      <form onSubmit={submit}>
        <FormMessage form={form} />
        <Field form={form} name="domain" label="Domain" required hint="A wildcard (*.example.com) needs a DNS plugin." />
        <Field form={form} name="plugin" label="Challenge plugin" type="select"
          options={plugins.map((p) => [p.plugin, p.type === 'dns' ? `${p.plugin} (DNS: ${p.api})` : `${p.plugin} (HTTP on port 80)`])} />
        <Field form={form} name="alias" label="Alias (DNS only)" hint="The TXT record goes to _acme-challenge.ALIAS; the domain's _acme-challenge name must be a CNAME to it." />
        <div class="dialog-actions"><button type="submit" class="primary" disabled={form.busy}>Add</button></div>
      </form>
    </Dialog>
  );
}
