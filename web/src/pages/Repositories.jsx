// Repositories: every APT source file and repository with the warnings
// hostadm finds, one-click fixes (disable the repository a warning is about,
// add a missing standard repository), and enabling/disabling.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { useResource } from '../lib/poll.js';
import { FirmwareComponentCard } from './Firmware.jsx';

/** infosFor returns the infos (warnings and notes) about repository index of path. */
export function infosFor(infos, path, index) {
  return (infos || []).filter((i) => i.path === path && String(i.index) === String(index));
}

export function Repositories() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/apt/repositories`;
  const repos = useResource(() => api.get(path), [node]);
  const [error, setError] = useState(null);
  const [asking, setAsking] = useState(null);
  const r = repos.data;
  async function act(fn) {
    setError(null);
    try {
      await fn();
      repos.reload();
    } catch (err) {
      setError(err);
      throw err;
    }
  }
  const toggle = (file, index, enabled) => act(() => api.post(path, { path: file, index, enabled, digest: r.digest }));
  const addStandard = (handle) => act(() => api.put(path, { handle, digest: r.digest })).catch(() => {});
  return (
    <>
      <ErrorAlert error={repos.error || error} />
      {r && (r.errors || []).map((e) => <div key={e.path} class="alert alert-error">{e.path}: {e.error}</div>)}
      {r && (r['hostadm-warnings'] || []).map((w) => (
        <div key={w.id + (w.path || '') + (w.index ?? '')} class="alert alert-warn" data-testid={`warning-${w.id}`}>{w.message} <span class="muted small">Fix: {w.fix.description}</span></div>
      ))}
      {r && (r['hostadm-warnings'] || []).some((w) => w.id === 'firmware-component-missing') && <FirmwareComponentCard />}
      {r && (
        <article class="card">
          <h2>Standard repositories</h2>
          <table class="table compact">
            <tbody>
              {(r['standard-repos'] || []).map((s) => (
                <tr key={s.handle}>
                  <td><strong>{s.name}</strong><div class="muted small">{s.description}</div></td>
                  <td class="nowrap">{s.status === undefined ? <span class="muted">not configured</span> : s.status ? 'enabled' : 'disabled'}</td>
                  <td class="row-actions">{!s.status && <button type="button" onClick={() => addStandard(s.handle)}>{s.status === undefined ? 'Add' : 'Enable'}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      )}
      {r && (r.files || []).map((f) => (
        <article class="card repo-file" key={f.path}>
          <h3><code>{f.path}</code> <span class="muted small">{f['file-type']}</span></h3>
          <table class="table compact">
            <thead><tr><th>Enabled</th><th>Types</th><th>URIs</th><th>Suites</th><th>Components</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {f.repositories.map((repo, i) => [
                <tr key={i} class={repo.Enabled ? '' : 'muted'}>
                  <td>{repo.Enabled ? 'yes' : 'no'}</td>
                  <td>{(repo.Types || []).join(' ')}</td>
                  <td class="small">{(repo.URIs || []).join(' ')}</td>
                  <td>{(repo.Suites || []).join(' ')}</td>
                  <td>{(repo.Components || []).join(' ')}</td>
                  <td class="row-actions">
                    {repo.Enabled
                      ? <button type="button" onClick={() => setAsking({ file: f.path, index: i, repo })}>Disable</button>
                      : <button type="button" onClick={() => toggle(f.path, i, true).catch(() => {})}>Enable</button>}
                  </td>
                </tr>,
                ...infosFor(r.infos, f.path, i).filter((x) => x.kind !== 'origin').map((info, j) => (
                  <tr key={`${i}-info-${j}`} class="info-row">
                    <td colSpan={5}><span class={`chip chip-${info.kind === 'warning' ? 'warning' : 'running'}`}>{info.kind}</span> {info.message}</td>
                    <td class="row-actions">{info.kind === 'warning' && repo.Enabled && <button type="button" onClick={() => setAsking({ file: f.path, index: i, repo })}>Fix: disable</button>}</td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        </article>
      ))}
      {asking && (
        <ConfirmDialog title="Disable repository" action="Disable the repository" name={`${(asking.repo.URIs || []).join(' ')} ${(asking.repo.Suites || []).join(' ')}`}
          confirmLabel="Disable" onConfirm={() => toggle(asking.file, asking.index, false)} onClose={() => setAsking(null)}>
          <p class="muted">In {asking.file}; the line stays in the file, commented out.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
