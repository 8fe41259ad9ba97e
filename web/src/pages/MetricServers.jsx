// Metric servers (/cluster/metrics/server): the configured external
// servers with the health the daemon reports for each (sending or failing,
// the last error, points sent and dropped, queue depth); create, edit and
// delete (asking with the server's id).
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { usePoll } from '../lib/poll.js';
import { dateTime } from '../lib/format.js';
import { health } from '../lib/metricform.js';
import { MetricServerDialog } from './MetricServerForm.jsx';

const BASE = '/cluster/metrics/server';

export function MetricServers() {
  const { api } = useApp();
  const [n, setN] = useState(0);
  const list = usePoll(() => api.get(BASE), 10000, [n]);
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const done = () => { close(); setN((x) => x + 1); };
  const rows = list.data || [];
  return (
    <section>
      <div class="page-head">
        <h1>Metric servers</h1>
        <div class="actions"><button type="button" class="primary" onClick={() => setDialog({ kind: 'create' })}>Add</button></div>
      </div>
      <p class="muted">The node sends its statistics to these servers every round; the health columns are the daemon's own view of each.</p>
      <ErrorAlert error={list.error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>ID</th><th>Type</th><th>Server</th><th>Health</th><th>Last success</th><th>Points sent / dropped</th><th>Queue</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((s) => {
              const h = health(s);
              return (
                <tr key={s.id} data-testid={`metric-${s.id}`}>
                  <td><strong>{s.id}</strong></td>
                  <td>{s.type}</td>
                  <td class="nowrap">{s.server}{s.port ? `:${s.port}` : ''}</td>
                  <td>
                    <span class={`chip chip-${h.tone}`}>{h.text}</span>
                    {s.error && s.failing ? (
                      <div class="field-error small" title={s['last-error'] ? `at ${dateTime(s['last-error'])}` : undefined}>{s.error}</div>
                    ) : s.error ? (
                      <div class="muted small">last error{s['last-error'] ? ` ${dateTime(s['last-error'])}` : ''}: {s.error}</div>
                    ) : null}
                  </td>
                  <td class="nowrap">{s['last-success'] ? dateTime(s['last-success']) : <span class="muted">never</span>}</td>
                  <td class="nowrap">{s['points-sent'] ?? '–'} / {s['points-dropped'] ?? '–'}{s['rounds-dropped'] ? <div class="muted small">{s['rounds-dropped']} rounds dropped</div> : null}</td>
                  <td>{s['queue-depth'] ?? '–'}</td>
                  <td class="row-actions">
                    <button type="button" onClick={() => setDialog({ kind: 'edit', id: s.id })}>Edit</button>
                    <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delete', id: s.id })}>Delete</button>
                  </td>
                </tr>
              );
            })}
            {list.data && !rows.length && <tr><td colSpan={8} class="muted">No metric servers yet. Add one to send this node's statistics to Graphite, InfluxDB or an OpenTelemetry collector.</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog && (dialog.kind === 'create' || dialog.kind === 'edit') && <MetricServerDialog base={BASE} id={dialog.id} onDone={done} onClose={close} />}
      {dialog && dialog.kind === 'delete' && (
        <ConfirmDialog title="Delete metric server" action="Delete the metric server" name={dialog.id}
          onConfirm={async () => { await api.del(`${BASE}/${encodeURIComponent(dialog.id)}`); setN((x) => x + 1); }} onClose={close}>
          <p class="muted">The node stops sending to it at once.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
