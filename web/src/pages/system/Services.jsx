// Services: the node's system services with their state; start, stop,
// restart and reload run as tasks whose log opens at once.
import { useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { ErrorAlert } from '../../components/Alert.jsx';
import { ConfirmDialog } from '../../components/Dialog.jsx';
import { useResource } from '../../lib/poll.js';

function stateClass(s) {
  const state = s['active-state'] || s.state;
  if (state === 'active' || state === 'running') return 'ok';
  if (state === 'failed') return 'error';
  return 'warning';
}

export function ServicesSection() {
  const { api, node, openTask } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/services`;
  const list = useResource(() => api.get(base), [node]);
  const [asking, setAsking] = useState(null);
  const [error, setError] = useState(null);
  async function run(service, action) {
    setError(null);
    try {
      const upid = await api.post(`${base}/${encodeURIComponent(service)}/${action}`);
      if (upid) openTask(upid);
      list.reload();
    } catch (err) {
      setError(err);
      throw err;
    }
  }
  const rows = (list.data || []).slice().sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <ErrorAlert error={list.error || error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Service</th><th>Description</th><th>State</th><th>Enabled</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.service}>
                <td><strong>{s.name}</strong></td>
                <td>{s.desc}</td>
                <td><span class={`chip chip-${stateClass(s)}`}>{s['active-state'] || s.state}{s.state && s['active-state'] && s.state !== s['active-state'] ? ` (${s.state})` : ''}</span></td>
                <td>{s['unit-state']}</td>
                <td class="row-actions">
                  <button type="button" onClick={() => run(s.service, 'start').catch(() => {})}>Start</button>
                  <button type="button" onClick={() => setAsking({ service: s.service, action: 'stop' })}>Stop</button>
                  <button type="button" onClick={() => setAsking({ service: s.service, action: 'restart' })}>Restart</button>
                  <button type="button" onClick={() => run(s.service, 'reload').catch(() => {})}>Reload</button>
                </td>
              </tr>
            ))}
            {list.data && !rows.length && <tr><td colSpan={5} class="muted">No services are known on this node.</td></tr>}
          </tbody>
        </table>
      </div>
      {asking && (
        <ConfirmDialog title={asking.action === 'stop' ? 'Stop service' : 'Restart service'}
          action={asking.action === 'stop' ? 'Stop the service' : 'Restart the service'} name={asking.service}
          confirmLabel={asking.action === 'stop' ? 'Stop' : 'Restart'}
          onConfirm={() => run(asking.service, asking.action)} onClose={() => setAsking(null)} />
      )}
    </>
  );
}
