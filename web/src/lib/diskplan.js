// The plans the disk create wizards show before anything runs: the steps
// and commands each task will carry out, as the daemon's workers
// (internal/disks/{lvm,zfs,directory,btrfs}) do them, and the minimum
// device counts the API checks. Keep in step with those workers.

/** ZFS_MIN is the smallest device count per RAID level (zfs.MinDisks). */
export const ZFS_MIN = { single: 1, mirror: 2, raid10: 4, raidz: 3, raidz2: 4, raidz3: 5, draid: 3, draid2: 4, draid3: 5 };

/** BTRFS_MIN is the smallest device count per RAID profile (btrfs.Profiles). */
export const BTRFS_MIN = { single: 1, dup: 1, raid0: 2, raid1: 2, raid10: 4 };

/** zfsCheck returns the API's refusal for a device count, or ''. */
export function zfsCheck(level, n) {
  const min = ZFS_MIN[level];
  if (min === undefined) return `unknown raid level '${level}'`;
  if (level === 'raid10' && n % 2 !== 0) return 'raid10 needs an even number of disks';
  if (level === 'single' && n > 1) return 'please give only one disk for single disk mode';
  if (n < min) return `${level} needs at least ${min} disks`;
  return '';
}

/** btrfsCheck returns a refusal for a profile and device count, or ''. */
export function btrfsCheck(profile, n) {
  if (!profile) return n ? '' : 'choose at least one disk';
  const min = BTRFS_MIN[profile];
  return n < min ? `${profile} needs at least ${min} disks` : '';
}

/** zfsVdevs is the device part of `zpool create` (zfs.VdevSpec). */
export function zfsVdevs(level, devs, draid = {}) {
  if (level === 'raid10') {
    const out = [];
    for (let i = 0; i + 1 < devs.length; i += 2) out.push('mirror', devs[i], devs[i + 1]);
    return out;
  }
  if (level === 'single') return devs.slice(0, 1);
  if (level.startsWith('draid')) {
    let d = level;
    if (draid.data) d += `:${draid.data}d`;
    if (draid.spares !== undefined && draid.spares !== '') d += `:${draid.spares}s`;
    return [d, ...devs];
  }
  return [level, ...devs];
}

const isPartition = (dev, disks) => {
  const d = disks.find((x) => x.devpath === dev);
  return !!(d && d.parent);
};

const parentOf = (dev, disks) => (disks.find((x) => x.devpath === dev) || {}).parent;

/** mountUnit is the systemd mount unit of /mnt/pve/NAME (Proxmox's escape_unit). */
export function mountUnit(name) {
  return `mnt-pve-${name.replace(/-/g, '\\x2d')}.mount`;
}

function storageStep(p, type, key) {
  return p.add_storage ? [{ text: `Add storage '${p.name}' (type ${type}, ${key}), enabled once the task succeeds` }] : [];
}

/**
 * plan returns the steps [{text, cmd?}] of creating `kind` from the wizard's
 * params; disks (the /disks/list rows) tell partitions from whole disks.
 */
export function plan(kind, p, disks = []) {
  const part = (dev, type) => (isPartition(dev, disks)
    ? [{ text: `Set the partition type of ${dev}`, cmd: ['sgdisk', `-t${(dev.match(/(\d+)$/) || [])[1] || 'N'}:${type}`, parentOf(dev, disks)] }] : []);
  switch (kind) {
    case 'lvm':
    case 'lvmthin': {
      const steps = [
        ...part(p.device, '8E00'),
        { text: 'Make the device an LVM physical volume', cmd: ['pvcreate', '--metadatasize', '250k', p.device] },
        { text: `Create the volume group ${p.name}`, cmd: ['vgcreate', p.name, p.device] },
      ];
      if (kind === 'lvmthin') {
        steps.push({ text: `Create the thin pool ${p.name}/${p.name} over the whole volume group (data = size − 128 MiB − 2 × metadata; metadata = 1 %, between 1 and 16 GiB)`,
          cmd: ['lvcreate', '--type', 'thin-pool', '-L<data>K', '--poolmetadatasize', '<metadata>K', '-n', p.name, p.name] });
      }
      return [...steps, ...storageStep(p, kind, kind === 'lvm' ? `vgname ${p.name}` : `vgname ${p.name}, thinpool ${p.name}`)];
    }
    case 'directory': {
      const whole = !isPartition(p.device, disks);
      return [
        whole ? { text: `Create one Linux partition over all of ${p.device}`, cmd: ['sgdisk', '-n1', '-t1:8300', p.device] } : part(p.device, '8300')[0],
        { text: `Make a${p.filesystem === 'ext4' ? 'n' : ''} ${p.filesystem} file system`, cmd: ['mkfs', '-t', p.filesystem, whole ? `${p.device}…1` : p.device] },
        { text: `Write the mount unit ${mountUnit(p.name)} (the file system's UUID on /mnt/pve/${p.name})`, cmd: ['systemctl', 'daemon-reload'] },
        { text: 'Enable the mount at boot', cmd: ['systemctl', 'enable', mountUnit(p.name)] },
        { text: 'Mount it now', cmd: ['systemctl', 'start', mountUnit(p.name)] },
        ...storageStep(p, 'dir', `path /mnt/pve/${p.name}`),
      ];
    }
    case 'zfs': {
      const devs = p.devices || [];
      const steps = devs.filter((d) => isPartition(d, disks)).map((d) => part(d, '6a898cc3-1dd2-11b2-99a6-080020736631')[0]);
      steps.push(
        { text: `Create the pool ${p.name} (devices named by their /dev/disk/by-id link when they have one)`,
          cmd: ['zpool', 'create', '-o', `ashift=${p.ashift}`, p.name, ...zfsVdevs(p.raidlevel, devs, p.draid),
            ...['special', 'log', 'cache'].flatMap((c) => (p[c] ? [c, ...(p[`${c}-mirror`] ? ['mirror'] : []), ...p[c].split(',')] : []))] },
        { text: 'Set the compression', cmd: ['zfs', 'set', `compression=${p.compression}`, p.name] },
        { text: `Import the pool at boot (zfs-import@${p.name}.service, when the unit template exists)` },
        ...storageStep(p, 'zfspool', `pool ${p.name}`),
      );
      return steps;
    }
    case 'btrfs': {
      const devs = p.devices || [];
      const mkfs = ['mkfs.btrfs', '-L', p.label || p.name];
      if (p.data) mkfs.push('-d', p.data);
      if (p.metadata) mkfs.push('-m', p.metadata);
      return [
        { text: 'Make the BTRFS file system', cmd: [...mkfs, ...devs] },
        { text: `Add to /etc/fstab: UUID=… /mnt/pve/${p.name} btrfs ${p.compression ? `defaults,compress=${p.compression}` : 'defaults'} 0 0` },
        { text: `Mount it on /mnt/pve/${p.name}`, cmd: ['mount', '-t', 'btrfs', '-o', p.compression ? `defaults,compress=${p.compression}` : 'defaults', devs[0] || '', `/mnt/pve/${p.name}`] },
        ...storageStep(p, 'btrfs', `path /mnt/pve/${p.name}`),
      ];
    }
    default:
      return [];
  }
}
