// Formatting of sizes, durations, times and task identifiers for display.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** bytes formats a byte count with binary units: 1536 → "1.5 KiB". */
export function bytes(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '–';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${UNITS[i]}`;
}

/** percent formats a fraction 0..1: 0.1234 → "12.3 %". */
export function percent(f) {
  if (f === undefined || f === null || Number.isNaN(Number(f))) return '–';
  return `${(Number(f) * 100).toFixed(1)} %`;
}

/** duration formats seconds as "3d 4h 5m" (seconds shown only under a minute... and in short spans). */
export function duration(s) {
  s = Math.max(0, Math.floor(Number(s) || 0));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** dateTime formats epoch seconds in the browser's locale as YYYY-MM-DD HH:MM:SS. */
export function dateTime(epoch) {
  if (!epoch) return '–';
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** parseUPID splits UPID:node:pid:pstart:starttime:type:id:user: into its fields, or null. */
export function parseUPID(upid) {
  const m = /^UPID:([^:]+):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:]+):([^:]*):([^:]+):$/.exec(upid || '');
  if (!m) return null;
  return {
    node: m[1], pid: parseInt(m[2], 16), pstart: parseInt(m[3], 16), starttime: parseInt(m[4], 16),
    type: m[5], id: m[6], user: m[7],
  };
}

const TASK_NAMES = {
  aptupdate: 'Update package database',
  aptupgrade: 'Upgrade packages',
  srvstart: 'Start service', srvstop: 'Stop service', srvrestart: 'Restart service', srvreload: 'Reload service',
  dircreate: 'Create directory storage', dirremove: 'Remove directory storage',
  lvmcreate: 'Create LVM volume group', lvmremove: 'Remove LVM volume group',
  lvmthincreate: 'Create LVM thin pool', lvmthinremove: 'Remove LVM thin pool',
  zfscreate: 'Create ZFS pool', zfsremove: 'Destroy ZFS pool', zfsarc: 'Set ZFS ARC limits',
  zfsscrub: 'Scrub ZFS pool', zfsreplace: 'Replace ZFS device', zfsaddvdev: 'Add ZFS vdev',
  btrfscreate: 'Create BTRFS file system', btrfsremove: 'Remove BTRFS file system', btrfsupdate: 'Change BTRFS compression',
  smarttest: 'SMART self-test',
  diskinit: 'Initialize disk with GPT', wipedisk: 'Wipe disk',
  startall: 'Start all guests', stopall: 'Stop all guests',
  acmenewcert: 'Order ACME certificate', acmerenew: 'Renew ACME certificate',
};

/** taskName describes a task type for people, keeping the raw type visible. */
export function taskName(type, id) {
  const name = TASK_NAMES[type] || type;
  return id ? `${name} (${id})` : name;
}

/** statusClass classifies a task's status text as ok, warning, error or running. */
export function statusClass(status) {
  if (!status || status === 'RUNNING' || status === 'running') return 'running';
  if (status === 'OK') return 'ok';
  if (/^WARNINGS: \d+$/.test(status)) return 'warning';
  return 'error';
}

/** dateInput turns epoch seconds into a yyyy-mm-dd value for a date input ('' for 0/none). */
export function dateInput(epoch) {
  if (!epoch) return '';
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** expireEpoch turns a yyyy-mm-dd date into the epoch of its local midnight; '' means never (0). */
export function expireEpoch(date) {
  if (!date) return 0;
  const [y, m, d] = date.split('-').map(Number);
  return Math.floor(new Date(y, m - 1, d).getTime() / 1000);
}
