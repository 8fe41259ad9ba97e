// Guests (/nodes/{node}/qemu): the node's VMs with status, CPU and memory;
// start, shutdown, stop, suspend, resume and migrate (each opens its task
// log); the node-level Start all / Stop all / Suspend all / Migrate all,
// which show the order they will use before they run; and the settings an
// admin looks for here: each VM's onboot and startup order, the node's
// first-boot delay and ballooning target.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { usePoll } from '../lib/poll.js';
import { bytes, duration, percent } from '../lib/format.js';
import { GuestBulkDialog, VMOptionsDialog, VMCreateDialog, MigrateDialog, NodeGuestSettings } from './GuestForms.jsx';

const ACTIONS = [
  ['start', 'Start', (vm) => vm.status !== 'running'],
  ['shutdown', 'Shutdown', (vm) => vm.status === 'running' && vm.qmpstatus !== 'paused'],
  ['stop', 'Stop', (vm) => vm.status === 'running'],
  ['suspend', 'Suspend', (vm) => vm.qmpstatus === 'running'],
  ['resume', 'Resume', (vm) => vm.qmpstatus === 'paused'],
];

export function Guests() {
  const { api, node, openTask } = useApp();
  const base = `/nodes/${encodeURIComponent(node)}`;
  const [n, setN] = useState(0);
  const list = usePoll(() => api.get(`${base}/qemu`), 5000, [n]);
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const close = () => setDialog(null);
  const reload = () => setN((x) => x + 1);
  const rows = (list.data || []).slice().sort((a, b) => a.vmid - b.vmid);

  async function act(vm, action) {
    setError(null);
    try {
      const upid = await api.post(`${base}/qemu/${vm.vmid}/status/${action}`, action === 'shutdown' ? { forceStop: 1 } : {});
      openTask(upid);
      reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section>
      <div class="page-head">
        <h1>Virtual machines</h1>
        <div class="actions">
          {['startall', 'stopall', 'suspendall', 'migrateall'].map((a) => (
            <button type="button" key={a} data-testid={`bulk-${a}`} onClick={() => setDialog({ kind: 'bulk', action: a })}>
              {{ startall: 'Start all', stopall: 'Stop all', suspendall: 'Suspend all', migrateall: 'Migrate all' }[a]}
            </button>
          ))}
          <button type="button" class="primary" onClick={() => setDialog({ kind: 'create' })}>Create VM</button>
        </div>
      </div>
      <p class="muted">QEMU VMs of this node, configured in Proxmox's qemu-server format. hostadm runs VMs without disks or network devices.</p>
      <ErrorAlert error={list.error || error} />
      <div class="table-wrap">
        <table class="table" data-testid="vm-table">
          <thead><tr><th>VMID</th><th>Name</th><th>Status</th><th>CPU</th><th>Memory</th><th>Uptime</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((vm) => (
              <tr key={vm.vmid} data-testid={`vm-${vm.vmid}`}>
                <td><strong>{vm.vmid}</strong></td>
                <td>{vm.name}{vm.tags ? <div class="muted small">{vm.tags}</div> : null}</td>
                <td><span class={`chip chip-${vm.status === 'running' ? (vm.qmpstatus === 'paused' ? 'warning' : 'ok') : 'stopped'}`}>{vm.status === 'running' ? (vm.qmpstatus || 'running') : 'stopped'}</span></td>
                <td class="nowrap">{vm.status === 'running' ? `${percent(vm.cpu)} of ${vm.cpus}` : `${vm.cpus} vCPU`}</td>
                <td class="nowrap">{vm.status === 'running' ? `${bytes(vm.mem)} / ${bytes(vm.maxmem)}` : bytes(vm.maxmem)}
                  {vm.balloon ? <div class="muted small">balloon {bytes(vm.balloon)}</div> : null}</td>
                <td class="nowrap">{vm.status === 'running' ? duration(vm.uptime) : '–'}</td>
                <td class="row-actions">
                  {ACTIONS.filter(([, , ok]) => ok(vm)).map(([a, label]) => (
                    <button type="button" key={a} data-testid={`vm-${vm.vmid}-${a}`} onClick={() => act(vm, a)}>{label}</button>
                  ))}
                  <button type="button" onClick={() => setDialog({ kind: 'migrate', vm })}>Migrate</button>
                  <button type="button" data-testid={`vm-${vm.vmid}-options`} onClick={() => setDialog({ kind: 'options', vm })}>Options</button>
                </td>
              </tr>
            ))}
            {list.data && !rows.length && <tr><td colSpan={7} class="muted">No VMs on this node yet.</td></tr>}
          </tbody>
        </table>
      </div>
      <NodeGuestSettings />
      {dialog && dialog.kind === 'bulk' && <GuestBulkDialog action={dialog.action} onStarted={(upid) => { close(); openTask(upid); reload(); }} onClose={close} />}
      {dialog && dialog.kind === 'options' && <VMOptionsDialog vmid={dialog.vm.vmid} onDone={() => { close(); reload(); }} onClose={close} />}
      {dialog && dialog.kind === 'create' && <VMCreateDialog onDone={(upid) => { close(); reload(); if (upid) openTask(upid); }} onClose={close} />}
      {dialog && dialog.kind === 'migrate' && <MigrateDialog vm={dialog.vm} onStarted={(upid) => { close(); openTask(upid); }} onClose={close} />}
    </section>
  );
}
