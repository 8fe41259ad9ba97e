// SMART details of one disk: health, the attribute table (or smartctl's
// text for NVMe/SAS), the self-test log and starting a self-test.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';

const COLUMNS = [['id', 'ID'], ['name', 'Attribute'], ['value', 'Value'], ['worst', 'Worst'], ['threshold', 'Threshold'], ['fail', 'Fail'], ['raw', 'Raw']];

export function SmartDialog({ base, disk, onClose }) {
  const { api, features, openTask } = useApp();
  const smart = useResource(() => api.get(`${base}/smart`, { disk: disk.devpath }), [disk.devpath]);
  const selftest = useResource(() => api.get(`${base}/selftest`, { disk: disk.devpath }).catch((e) => { if (e.status === 501) return null; throw e; }), [disk.devpath]);
  const [error, setError] = useState(null);
  async function start(test) {
    setError(null);
    try {
      const upid = await api.post(`${base}/selftest`, { disk: disk.devpath, test });
      onClose();
      if (upid) openTask(upid);
    } catch (err) {
      setError(err);
    }
  }
  const s = smart.data;
  return (
    <Dialog title={`S.M.A.R.T. of ${disk.devpath}`} onClose={onClose} wide>
      <ErrorAlert error={smart.error || error} />
      {s && <p>Health: <span class={`chip chip-${s.health === 'PASSED' || s.health === 'OK' ? 'ok' : 'error'}`}>{s.health}</span></p>}
      {s && s.attributes && s.attributes.length > 0 && (
        <div class="table-wrap">
          <table class="table compact">
            <thead><tr>{COLUMNS.map(([, l]) => <th key={l}>{l}</th>)}</tr></thead>
            <tbody>
              {s.attributes.map((a) => (
                <tr key={`${a.id}-${a.name}`} class={a.fail && a.fail !== '-' ? 'row-error' : ''}>
                  {COLUMNS.map(([k]) => <td key={k}>{a[k] === undefined ? '' : String(a[k])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {s && s.text && <pre class="task-log short">{s.text}</pre>}
      {selftest.data && (
        <>
          <h3>Self-tests</h3>
          {selftest.data.length === 0 && <p class="muted">No self-test has run.</p>}
          {selftest.data.length > 0 && (
            <table class="table compact">
              <thead><tr><th>Test</th><th>Result</th><th>Lifetime hours</th></tr></thead>
              <tbody>{selftest.data.map((t, i) => <tr key={i}><td>{t.type}</td><td>{t.status}</td><td>{t.hours ?? t.lifetime_hours ?? ''}</td></tr>)}</tbody>
            </table>
          )}
          {features.has('disks') && (
            <div class="actions">
              <button type="button" onClick={() => start('short')}>Start short test</button>
              <button type="button" onClick={() => start('long')}>Start extended test</button>
              <button type="button" onClick={async () => { setError(null); try { await api.post(`${base}/smart`, { disk: disk.devpath }); smart.reload(); } catch (err) { setError(err); } }}>Enable SMART</button>
            </div>
          )}
        </>
      )}
    </Dialog>
  );
}
