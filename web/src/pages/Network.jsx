// Network: the interfaces with their pending (staged) changes as a diff;
// create, edit and delete bridges, bonds and VLANs; apply (as a task) or
// revert the pending changes — both ask first, naming the node.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { useResource } from '../lib/poll.js';
import { diffLines } from '../lib/netform.js';
import { NetworkDialog } from './NetworkForm.jsx';
import { ApplyDialog } from './NetworkApply.jsx';

export function Network() {
  const { api, node, openTask, rollback } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}/network`;
  // The list is read again whenever a watched apply changes state (applied, kept, rolled back).
  const net = useResource(() => api.call('GET', base), [node, rollback && rollback.view && rollback.view.state]);
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const list = ((net.data && net.data.data) || []).slice().sort((a, b) => a.iface.localeCompare(b.iface, undefined, { numeric: true }));
  const changes = net.data && net.data.changes;
  return (
    <section>
      <div class="page-head">
        <h1>Network</h1>
        <div class="actions">
          <button type="button" class="primary" onClick={() => setDialog({ kind: 'create' })}>Create</button>
          <button type="button" disabled={!changes} onClick={() => setDialog({ kind: 'revert' })}>Revert</button>
          <button type="button" class="primary" disabled={!changes} onClick={() => setDialog({ kind: 'apply' })}>Apply configuration</button>
        </div>
      </div>
      <ErrorAlert error={net.error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Name</th><th>Type</th><th>Active</th><th>Autostart</th><th>Ports / slaves</th><th>CIDR</th><th>Gateway</th><th>Comment</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.iface}>
                <td><strong>{i.iface}</strong></td>
                <td>{i.type}</td>
                <td>{i.active ? 'yes' : <span class="muted">no</span>}</td>
                <td>{i.autostart ? 'yes' : 'no'}</td>
                <td>{i.bridge_ports || i.slaves || i['vlan-raw-device'] || ''}</td>
                <td>{[i.cidr, i.cidr6].filter(Boolean).map((c) => <div key={c}>{c}</div>)}</td>
                <td>{[i.gateway, i.gateway6].filter(Boolean).map((g) => <div key={g}>{g}</div>)}</td>
                <td>{i.comments}</td>
                <td class="row-actions">
                  <button type="button" onClick={() => setDialog({ kind: 'edit', iface: i })}>Edit</button>
                  <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delete', iface: i })}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 class="section-title">Pending changes</h2>
      {changes ? <Diff changes={changes} /> : <p class="muted">None: the running configuration matches /etc/network/interfaces.</p>}
      {dialog && (dialog.kind === 'create' || dialog.kind === 'edit') && (
        <NetworkDialog base={base} iface={dialog.iface} onDone={() => { close(); net.reload(); }} onClose={close} />
      )}
      {dialog && dialog.kind === 'delete' && (
        <ConfirmDialog title="Delete interface" action="Delete the interface" name={dialog.iface.iface}
          onConfirm={async () => { await api.del(`${base}/${encodeURIComponent(dialog.iface.iface)}`); net.reload(); }} onClose={close}>
          <p class="muted">The change is staged; it takes effect when you apply the configuration.</p>
        </ConfirmDialog>
      )}
      {dialog && dialog.kind === 'apply' && (
        <ApplyDialog base={base} onClose={close} onApplied={(a) => {
          close();
          if (a.timeout) rollback.start(a);
          else openTask(a.upid);
          net.reload();
        }}>
          <Diff changes={changes} />
          <p class="muted">A wrong address or gateway can cut this page off from the node.</p>
        </ApplyDialog>
      )}
      {dialog && dialog.kind === 'revert' && (
        <ConfirmDialog title="Revert network changes" action="Discard the pending network changes on" name={node} confirmLabel="Revert"
          onConfirm={async () => { await api.del(base); net.reload(); }} onClose={close} />
      )}
    </section>
  );
}

/** Diff shows a unified diff with added and removed lines marked. */
export function Diff({ changes }) {
  return (
    <pre class="diff" aria-label="Pending changes" data-testid="network-diff">
      {diffLines(changes).map((l, i) => <div key={i} class={`diff-${l.kind}`}>{l.text || ' '}</div>)}
    </pre>
  );
}
