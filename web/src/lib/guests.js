// Helpers of the guests page: the order text of a bulk plan and the
// parameters of the VM options form.

/** startupText renders a plan entry's startup settings as Proxmox writes them. */
export function startupText(e) {
  const parts = [];
  if (e.order !== undefined) parts.push(`order=${e.order}`);
  if (e.up !== undefined) parts.push(`up=${e.up}`);
  if (e.down !== undefined) parts.push(`down=${e.down}`);
  return parts.join(',') || 'default (last, 3 s after start)';
}

/** startupValue builds the `startup` property from the form's three fields ('' when all are empty). */
export function startupValue(order, up, down) {
  const parts = [];
  for (const [k, v] of [['order', order], ['up', up], ['down', down]]) {
    if (String(v ?? '').trim() !== '') parts.push(`${k}=${String(v).trim()}`);
  }
  return parts.join(',');
}

/** parseStartup reads "order=1,up=30" (a bare number is the order). */
export function parseStartup(s) {
  const out = { order: '', up: '', down: '' };
  for (const part of String(s || '').split(',').filter(Boolean)) {
    const [k, v] = part.includes('=') ? part.split('=') : ['order', part];
    if (k in out) out[k] = v;
  }
  return out;
}

/** vmOptionParams maps the options form to PUT .../config parameters, deleting what was cleared. */
export function vmOptionParams(v, digest) {
  const p = { onboot: v.onboot ? 1 : 0, digest };
  const del = [];
  const startup = startupValue(v.order, v.up, v.down);
  if (startup) p.startup = startup; else del.push('startup');
  for (const k of ['memory', 'balloon', 'shares', 'name']) {
    if (String(v[k] ?? '').trim() !== '') p[k] = String(v[k]).trim(); else if (k !== 'memory') del.push(k);
  }
  if (del.length) p.delete = del.join(',');
  return p;
}

/** BULK describes the node-level actions: label, API path, and what the plan shows. */
export const BULK = {
  startall: { label: 'Start all', verb: 'start', note: 'VMs with onboot, ascending startup order then VMID; each start waits its up delay (3 s when unset).' },
  stopall: { label: 'Stop all', verb: 'shut down', note: 'All running VMs, descending startup order then VMID; each gets its down timeout (or 180 s), then a hard stop.' },
  suspendall: { label: 'Suspend all', verb: 'pause', note: 'All running VMs, descending startup order; their CPUs are paused in RAM.' },
  migrateall: { label: 'Migrate all', verb: 'migrate', note: 'All VMs, by VMID, to the target node; running ones migrate live.' },
};
