package disks

import (
	"context"
)

// Partitions are the /dev paths of a disk's partitions as sysfs lists
// them (Proxmox's dir_glob_foreach over /sys/block/NAME).
func (s *Service) Partitions(dev string) []string {
	dir, part, err := s.sysDir(devName(dev))
	if err != nil || part {
		return nil
	}
	var out []string
	for _, p := range s.children(dir) {
		out = append(out, devPathOf(p))
	}
	return out
}

// NewPartitions returns a disk's partitions after its table was written.
// When the kernel did not re-read the table itself (sgdisk's re-read
// request fails on a busy disk, and loop devices are attached without
// partition scanning), it is asked to with `partx -a DEV`, which only
// adds what is missing.
func (s *Service) NewPartitions(ctx context.Context, l Log, dev string) []string {
	if parts := s.Partitions(dev); len(parts) > 0 {
		return parts
	}
	if _, err := s.Run(ctx, l, "partx", "-a", dev); err != nil && l != nil {
		l.Warn("%v", err)
	}
	return s.Partitions(dev)
}

// MountedPaths is Proxmox's mounted_paths: mount point → device, from
// /proc/mounts.
func (s *Service) MountedPaths() map[string]string {
	out := map[string]string{}
	b, err := s.cfg.Root.ReadFile("/proc/mounts")
	if err != nil {
		return out
	}
	for _, m := range ParseMounts(b) {
		out[m.Target] = m.Source
	}
	return out
}
