package disks

import (
	"context"
	"fmt"
	"strings"
)

// DiskIsUsed is Proxmox's disk_is_used: whether the local disk dev has a
// usage (partitions, a file system, LVM, ZFS, mounted, held).
func (s *Service) DiskIsUsed(ctx context.Context, dev string) (bool, error) {
	name, only := devName(dev), devName(dev)
	if parent, err := s.ParentDisk(dev); err == nil {
		only = devName(parent) // a partition is judged by its own entry
	}
	m, err := s.Disks(ctx, ListOptions{Only: []string{only}, SkipSmart: true, IncludePartitions: true})
	if err != nil {
		return false, err
	}
	d := m[name]
	if d == nil {
		return false, fmt.Errorf("'%s' is not a valid local disk", dev)
	}
	return d.Used != "", nil
}

// AssertDiskUnused fails when dev is in use, with Proxmox's message.
func (s *Service) AssertDiskUnused(ctx context.Context, dev string) error {
	used, err := s.DiskIsUsed(ctx, dev)
	if err != nil {
		return err
	}
	if used {
		return fmt.Errorf("device '%s' is already in use", dev)
	}
	return nil
}

// Mounts reads /proc/mounts and maps each mounted device's real path to
// its mount point.
func (s *Service) Mounts() map[string]string {
	out := map[string]string{}
	b, err := s.cfg.Root.ReadFile("/proc/mounts")
	if err != nil {
		return out
	}
	for _, m := range ParseMounts(b) {
		if !strings.HasPrefix(m.Source, "/dev/") {
			continue
		}
		dev := m.Source
		if real, err := s.Resolve(dev); err == nil {
			dev = real
		}
		out[dev] = m.Target
	}
	return out
}

// IsMounted returns dev or the first of its partitions that is mounted,
// or "".
func (s *Service) IsMounted(dev string) string { return s.isMounted(s.Blockdev(dev)) }

func (s *Service) isMounted(b Blockdev) string {
	mounted := s.Mounts()
	if _, ok := mounted[b.Path]; ok {
		return b.Path
	}
	if b.SysDir == "" || b.Partition {
		return ""
	}
	for _, p := range s.children(b.SysDir) {
		if pp := devPathOf(p); mounted[pp] != "" {
			return pp
		}
	}
	return ""
}

// HasHolder returns dev or the first of its partitions that a device
// mapper or md device holds, or "".
func (s *Service) HasHolder(dev string) string { return s.hasHolder(s.Blockdev(dev)) }

func (s *Service) hasHolder(b Blockdev) string {
	if b.SysDir == "" {
		return ""
	}
	if len(s.holders(b.SysDir)) > 0 {
		return b.Path
	}
	if b.Partition {
		return ""
	}
	for _, p := range s.children(b.SysDir) {
		if len(s.holders(b.SysDir+"/"+p)) > 0 {
			return devPathOf(p)
		}
	}
	return ""
}

// CheckWipeable is the wipe endpoint's refusal of mounted or held devices.
func (s *Service) CheckWipeable(b Blockdev) error {
	if m := s.isMounted(b); m != "" {
		return fmt.Errorf("disk/partition '%s' is mounted", m)
	}
	if h := s.hasHolder(b); h != "" {
		return fmt.Errorf("disk/partition '%s' has a holder", h)
	}
	return nil
}

// ByIDLink is the /dev/disk/by-id link udev made for dev (a disk or
// partition), or "" when there is none.
func (s *Service) ByIDLink(dev string) string {
	dir, _, err := s.sysDir(devName(dev))
	if err != nil {
		return ""
	}
	u, _ := s.udev(dir)
	return u.ByIDLink()
}

// EscapeUnit is Proxmox's PVE::Systemd::escape_unit: "-" becomes "\x2d",
// "/" becomes "-" (leading and trailing slashes dropped for paths).
func EscapeUnit(v string, isPath bool) string {
	v = strings.ReplaceAll(v, "-", `\x2d`)
	if isPath {
		v = strings.TrimSuffix(strings.TrimPrefix(v, "/"), "/")
	}
	return strings.ReplaceAll(v, "/", "-")
}
