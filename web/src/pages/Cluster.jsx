// The cluster page: quorum and the nodes (online or not) of the cluster
// this node is in, with removal; on a node on its own, creating a cluster
// or joining one with the join information another node shows, whose
// certificate fingerprint the administrator compares before joining.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { decodeJoinInfo, encodeJoinInfo, splitStatus } from '../lib/cluster.js';

export function Cluster() {
  const { api } = useApp();
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    api.get('/cluster/status').then((s) => setStatus(splitStatus(s)), setError);
  }, [reload]);
  if (error) return <ErrorAlert error={error} />;
  if (!status) return <div class="loading">Loading…</div>;
  return (
    <section>
      <div class="page-head"><h1>Cluster</h1></div>
      {status.cluster
        ? <Members status={status} onChange={() => setReload((r) => r + 1)} />
        : <Standalone />}
    </section>
  );
}

function Members({ status, onChange }) {
  const { api } = useApp();
  const [removing, setRemoving] = useState(null);
  const c = status.cluster;
  return (
    <div>
      <p data-testid="quorum">Cluster <strong>{c.name}</strong>: {c.nodes} nodes, {c.quorate ? 'quorate' : 'NOT quorate (read-only)'}</p>
      <div class="table-wrap">
        <table class="table" aria-label="Cluster nodes">
          <thead><tr><th>ID</th><th>Node</th><th>Address</th><th>Status</th><th /></tr></thead>
          <tbody>
            {status.nodes.map((n) => (
              <tr key={n.name}>
                <td>{n.nodeid}</td>
                <td>{n.name}{n.local ? ' (this node)' : ''}</td>
                <td>{n.ip}</td>
                <td>{n.online ? 'online' : 'offline'}</td>
                <td>{!n.local && <button type="button" class="danger" onClick={() => setRemoving(n.name)}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <JoinInformation />
      {removing && (
        <ConfirmDialog title="Remove node" action="remove" name={removing} typeName confirmLabel="Remove"
          onConfirm={async () => { await api.del(`/cluster/config/nodes/${encodeURIComponent(removing)}`); setRemoving(null); onChange(); }}
          onClose={() => setRemoving(null)}>
          <p>The node leaves the cluster: its store member is removed. Shut it down first.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function JoinInformation() {
  const { api } = useApp();
  const [info, setInfo] = useState(null);
  useEffect(() => { api.get('/cluster/config/join').then(setInfo, () => {}); }, []);
  if (!info) return null;
  const self = (info.nodelist || []).find((n) => n.name === info.preferred_node) || (info.nodelist || [])[0];
  if (!self) return null;
  const port = Number(window.location.port) || 8006;
  const blob = encodeJoinInfo({ address: self.pve_addr, port, fingerprint: self.pve_fp, cluster: info.totem && info.totem.cluster_name });
  return (
    <div class="card">
      <h2>Join information</h2>
      <p>On the node that should join, paste this into its cluster page:</p>
      <textarea readOnly rows={3} class="mono" aria-label="Join information" value={blob} />
      <p>Address {self.pve_addr}, fingerprint <code data-testid="fingerprint">{self.pve_fp}</code></p>
    </div>
  );
}

function Standalone() {
  const { api, openTask } = useApp();
  const create = useForm({ clustername: '' });
  const join = useForm({ info: '', hostname: '', port: '8006', fingerprint: '', password: '', token: '' },
    ['hostname', 'port', 'fingerprint', 'password', 'token']);
  const pasted = decodeJoinInfo(join.values.info);
  function paste(text) {
    join.set('info', text);
    const v = decodeJoinInfo(text);
    if (v) join.setValues((p) => ({ ...p, info: text, hostname: v.address, port: String(v.port), fingerprint: v.fingerprint }));
  }
  async function doJoin() {
    const v = join.values;
    const params = { hostname: v.hostname, fingerprint: v.fingerprint, port: v.port };
    if (v.token) params.token = v.token; else params.password = v.password;
    const upid = await join.submit(() => api.post('/cluster/config/join', params));
    if (upid) openTask(upid);
  }
  return (
    <div class="cards">
      <form class="card" aria-label="Create cluster" onSubmit={async (e) => {
        e.preventDefault();
        const upid = await create.submit((v) => api.post('/cluster/config', { clustername: v.clustername }));
        if (upid) openTask(upid);
      }}>
        <h2>Create a cluster</h2>
        <p>This node becomes the first member; the others join it.</p>
        <Field form={create} name="clustername" label="Cluster name" required />
        <FormMessage form={create} />
        <button type="submit" class="primary" disabled={create.busy}>Create</button>
      </form>
      <form class="card" aria-label="Join cluster" onSubmit={(e) => { e.preventDefault(); doJoin(); }}>
        <h2>Join a cluster</h2>
        <div class="field">
          <label for="join-info">Join information (from a cluster node's page)</label>
          <textarea id="join-info" rows={3} value={join.values.info} onInput={(e) => paste(e.currentTarget.value)} />
        </div>
        <Field form={join} name="hostname" label="Address of a member" required />
        <Field form={join} name="port" label="Its API port" type="number" />
        <Field form={join} name="fingerprint" label="Its certificate fingerprint" required
          hint="Compare it with the fingerprint that node shows before you join: nothing is sent to a server presenting another one." />
        {pasted && <p data-testid="join-fingerprint">Fingerprint to compare: <code>{pasted.fingerprint}</code></p>}
        <Field form={join} name="password" label="root@pam password there" type="password" autocomplete="off" />
        <Field form={join} name="token" label="or an API token there (USER@REALM!ID=SECRET)" autocomplete="off" />
        <FormMessage form={join} />
        <p class="muted">This node's own configuration is replaced by the cluster's; the daemon restarts and you log in again.</p>
        <button type="submit" class="primary" disabled={join.busy}>Join</button>
      </form>
    </div>
  );
}
