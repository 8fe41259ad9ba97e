// Updates: upgradable packages with changelogs; refreshing the package
// database and upgrading run as tasks whose log opens at once.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog, Dialog } from '../components/Dialog.jsx';
import { useResource } from '../lib/poll.js';
import { whenDone } from '../lib/tasklog.js';
import { href } from '../lib/router.js';
import { Repositories } from './Repositories.jsx';
import { Firmware } from './Firmware.jsx';

export function Updates({ arg }) {
  const { features } = useApp();
  const tab = arg === 'repositories' || arg === 'firmware' ? arg : 'updates';
  return (
    <section>
      <div class="page-head"><h1>Updates</h1></div>
      <nav class="tabs" aria-label="Update sections">
        <a href={href('updates')} aria-current={tab === 'updates' ? 'page' : undefined}>Packages</a>
        <a href={href('updates', 'repositories')} aria-current={tab === 'repositories' ? 'page' : undefined}>Repositories</a>
        {features.has('hardware') && <a href={href('updates', 'firmware')} aria-current={tab === 'firmware' ? 'page' : undefined}>Firmware</a>}
      </nav>
      {tab === 'updates' && <Packages />}
      {tab === 'repositories' && features.has('apt') && <Repositories />}
      {tab === 'firmware' && <Firmware />}
    </section>
  );
}

function Packages() {
  const { api, node, openTask } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/apt`;
  const updates = useResource(() => api.get(`${base}/update`), [node]);
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  async function refresh() {
    setError(null);
    try {
      const upid = await api.post(`${base}/update`);
      openTask(upid);
      whenDone(api, upid, () => updates.reload());
    } catch (err) {
      setError(err);
    }
  }
  const rows = (updates.data || []).slice().sort((a, b) => a.Package.localeCompare(b.Package));
  return (
    <>
      <div class="actions left">
        <button type="button" onClick={refresh}>Refresh package database</button>
        <button type="button" onClick={() => updates.reload()}>Reload list</button>
        <button type="button" class="primary" disabled={!rows.length} onClick={() => setDialog({ kind: 'upgrade' })}>Upgrade {rows.length || ''} packages</button>
      </div>
      <ErrorAlert error={updates.error || error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Package</th><th>Installed</th><th>New</th><th>Origin</th><th>Description</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.Package}>
                <td><strong>{p.Package}</strong></td>
                <td class="small">{p.OldVersion || <span class="muted">new</span>}</td>
                <td class="small">{p.Version}</td>
                <td>{p.Origin}</td>
                <td class="small">{p.Title}</td>
                <td class="row-actions"><button type="button" onClick={() => setDialog({ kind: 'changelog', pkg: p })}>Changelog</button></td>
              </tr>
            ))}
            {updates.data && !rows.length && <tr><td colSpan={6} class="muted">Everything is up to date (as of the last refresh).</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog && dialog.kind === 'changelog' && <Changelog base={base} pkg={dialog.pkg} onClose={() => setDialog(null)} />}
      {dialog && dialog.kind === 'upgrade' && (
        <ConfirmDialog title="Upgrade packages" action={`Upgrade ${rows.length} packages on`} name={node} confirmLabel="Upgrade"
          onConfirm={async () => { const upid = await api.post(`${base}/upgrade`); openTask(upid); whenDone(api, upid, () => updates.reload()); }} onClose={() => setDialog(null)}>
          <p class="muted">Runs apt-get dist-upgrade, keeping existing configuration files; the log says whether a reboot is needed.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function Changelog({ base, pkg, onClose }) {
  const { api } = useApp();
  const log = useResource(() => api.get(`${base}/changelog`, { name: pkg.Package, version: pkg.Version }), [pkg.Package]);
  return (
    <Dialog title={`Changelog of ${pkg.Package} ${pkg.Version}`} onClose={onClose} wide>
      <ErrorAlert error={log.error} />
      {log.loading && <p class="muted">Loading…</p>}
      {log.data && <pre class="task-log">{log.data}</pre>}
    </Dialog>
  );
}
