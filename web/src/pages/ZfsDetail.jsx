// ZFS pool detail: state, status and action texts, the scan/scrub line,
// errors, and the vdev tree with each device's read/write/checksum errors.
import { useApp } from '../components/context.js';
import { Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';

/** flattenVdevs turns the nested children into rows with their depth. */
export function flattenVdevs(children, depth = 0, out = []) {
  for (const c of children || []) {
    out.push({ ...c, depth });
    flattenVdevs(c.children, depth + 1, out);
  }
  return out;
}

export function stateTone(s) {
  if (s === 'ONLINE') return 'ok';
  if (s === 'DEGRADED' || s === 'AVAIL' || s === 'INUSE') return 'warning';
  return 'error';
}

export function ZfsDetailDialog({ base, name, onClose }) {
  const { api } = useApp();
  const d = useResource(() => api.get(`${base}/zfs/${encodeURIComponent(name)}`), [name]);
  const p = d.data;
  return (
    <Dialog title={`ZFS pool ${name}`} onClose={onClose} wide>
      <ErrorAlert error={d.error} />
      {p && <>
        <dl class="facts">
          <div><dt>State</dt><dd><span class={`chip chip-${stateTone(p.state)}`} data-testid="zfs-state">{p.state}</span></dd></div>
          {p.status && <div><dt>Status</dt><dd>{p.status}</dd></div>}
          {p.action && <div><dt>Action</dt><dd>{p.action}</dd></div>}
          <div><dt>Scan</dt><dd data-testid="zfs-scan">{p.scan || <span class="muted">none requested</span>}</dd></div>
          <div><dt>Errors</dt><dd>{p.errors}</dd></div>
        </dl>
        <div class="table-wrap">
          <table class="table vdev-tree">
            <thead><tr><th>Device</th><th>State</th><th>Read</th><th>Write</th><th>Checksum</th><th>Message</th></tr></thead>
            <tbody>
              {flattenVdevs(p.children).map((v, i) => (
                <tr key={i}>
                  <td style={{ paddingLeft: `${0.75 + v.depth * 1.25}rem` }}>{v.name}</td>
                  <td>{v.state && <span class={`chip chip-${stateTone(v.state)}`}>{v.state}</span>}</td>
                  <td>{v.read ?? ''}</td><td>{v.write ?? ''}</td><td>{v.cksum ?? ''}</td>
                  <td class="small">{v.msg}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>}
    </Dialog>
  );
}
