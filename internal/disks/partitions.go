package disks

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
