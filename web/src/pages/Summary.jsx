// Summary: the node's status (usage, load, uptime), its versions and
// hardware, graphs when the node offers rrddata, and reboot/shutdown.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { usePoll } from '../lib/poll.js';
import { bytes, duration, percent } from '../lib/format.js';
import { Meter } from '../components/Meter.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { Markdown } from '../lib/markdown.js';
import { href } from '../lib/router.js';

// The graphs (and uPlot) load only when the node has rrddata, keeping the first load small.
function LazyGraphs() {
  const [Graphs, setGraphs] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { import('./Graphs.jsx').then((m) => setGraphs(() => m.Graphs), setError); }, []);
  if (error) return <ErrorAlert error={error} />;
  return Graphs ? <Graphs /> : <p class="muted">Loading graphs…</p>;
}

export function Summary() {
  const { api, node, features } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}`;
  const status = usePoll(() => api.get(`${base}/status`), 5000, [node]);
  const version = usePoll(() => api.get(`${base}/version`), 0, [node]);
  const config = usePoll(() => (features.has('config') ? api.get(`${base}/config`) : Promise.resolve(null)), 0, [node]);
  const notes = config.data && config.data.description;
  const [power, setPower] = useState(null);
  const s = status.data;
  return (
    <section>
      <div class="page-head">
        <h1>Summary <span class="muted">{node}</span></h1>
        <div class="actions">
          <button type="button" onClick={() => setPower('reboot')}>Reboot</button>
          <button type="button" onClick={() => setPower('shutdown')}>Shut down</button>
        </div>
      </div>
      <ErrorAlert error={status.error} />
      {s && (
        <div class="cards">
          <StatusCard s={s} />
          <SystemCard s={s} v={version.data} />
        </div>
      )}
      {!s && !status.error && <p class="muted">Loading…</p>}
      {notes && (
        <article class="card notes" aria-labelledby="notes-h" data-testid="notes">
          <div class="page-head"><h2 id="notes-h">Notes</h2><a href={href('system', 'options')}>Edit</a></div>
          <Markdown text={notes} />
        </article>
      )}
      {features.has('rrddata') && <LazyGraphs />}
      {power && (
        <ConfirmDialog title={power === 'reboot' ? 'Reboot node' : 'Shut down node'}
          action={power === 'reboot' ? 'Reboot the node' : 'Shut down the node'} name={node} typeName
          confirmLabel={power === 'reboot' ? 'Reboot' : 'Shut down'}
          onConfirm={() => api.post(`${base}/status`, { command: power })} onClose={() => setPower(null)}>
          <p class="muted">Every service and guest on it stops; you lose this page until it is back{power === 'shutdown' ? ' — and someone must power it on' : ''}.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function StatusCard({ s }) {
  const mem = s.memory || {};
  const swap = s.swap || {};
  const root = s.rootfs || {};
  return (
    <article class="card" aria-labelledby="status-h">
      <h2 id="status-h">Status</h2>
      <dl class="facts">
        <div><dt>Uptime</dt><dd data-testid="uptime">{duration(s.uptime)}</dd></div>
        <div><dt>Load average</dt><dd>{(s.loadavg || []).join(' · ')}</dd></div>
        <div><dt>IO wait</dt><dd>{percent(s.wait)}</dd></div>
        <div><dt>KSM sharing</dt><dd>{bytes(s.ksm && s.ksm.shared)}</dd></div>
      </dl>
      <Meter label="CPU usage" fraction={s.cpu} text={`${percent(s.cpu)} of ${s.cpuinfo ? s.cpuinfo.cpus : '?'} CPUs`} />
      <Meter label="Memory" fraction={mem.total ? mem.used / mem.total : 0} text={`${bytes(mem.used)} of ${bytes(mem.total)}`} />
      {swap.total > 0 && <Meter label="Swap" fraction={swap.used / swap.total} text={`${bytes(swap.used)} of ${bytes(swap.total)}`} />}
      <Meter label="Root file system" fraction={root.total ? root.used / root.total : 0} text={`${bytes(root.used)} of ${bytes(root.total)}`} />
    </article>
  );
}

function SystemCard({ s, v }) {
  const c = s.cpuinfo || {};
  const k = s['current-kernel'] || {};
  const boot = s['boot-info'] || {};
  return (
    <article class="card" aria-labelledby="system-h">
      <h2 id="system-h">System</h2>
      <dl class="facts">
        <div><dt>CPU</dt><dd>{c.model}</dd></div>
        <div><dt>CPUs</dt><dd>{c.cpus} threads, {c.cores} cores, {c.sockets} socket{c.sockets === 1 ? '' : 's'}</dd></div>
        <div><dt>Kernel</dt><dd>{k.sysname} {k.release} <span class="muted">{k.machine}</span></dd></div>
        <div><dt>Boot mode</dt><dd>{boot.mode === 'efi' ? `EFI${boot.secureboot ? ' (Secure Boot)' : ''}` : 'Legacy BIOS'}</dd></div>
        <div><dt>Manager version</dt><dd data-testid="pveversion">{s.pveversion}</dd></div>
        {v && <div><dt>Release</dt><dd>{v.release} <span class="muted">({v.version}, {v.repoid})</span></dd></div>}
      </dl>
    </article>
  );
}
