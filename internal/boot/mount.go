package boot

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sync"
)

var vfatUUID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9a-fA-F]{4}-[0-9a-fA-F]{4}`) })

// espDevice is /dev/disk/by-uuid/UUID (a host path).
func espDevice(uuid string) string { return "/dev/disk/by-uuid/" + uuid }

// checkUUID applies Proxmox's checks on an ESP list entry: it must look like
// a vfat UUID and its device must exist. The error says why it is skipped.
func (s *Service) checkUUID(uuid string) error {
	if !vfatUUID().MatchString(uuid) || !ValidKernelVersion(uuid) {
		return fmt.Errorf("WARN: %s read from %s does not look like a VFAT-UUID - skipping", uuid, ESPList)
	}
	if !s.root.Exists(espDevice(uuid)) {
		return fmt.Errorf("WARN: %s does not exist - clean '%s'! - skipping", espDevice(uuid), ESPList)
	}
	return nil
}

// mountESP mounts an ESP by UUID on MountRoot/UUID under the root and
// returns the mount point and the function that unmounts it again.
func (s *Service) mountESP(ctx context.Context, uuid string) (string, func() error, error) {
	mp := s.root.Path(MountRoot + "/" + uuid)
	if err := os.MkdirAll(mp, 0o755); err != nil {
		return "", nil, fmt.Errorf("creation of mountpoint %s failed - skipping", s.hostPath(mp))
	}
	if _, err := s.run.Run(ctx, hostCmd("mount", s.root.Path(espDevice(uuid)), mp)); err != nil {
		os.Remove(mp)
		return "", nil, fmt.Errorf("mount of %s failed - skipping", espDevice(uuid))
	}
	return mp, func() error { return s.unmount(mp) }, nil
}

// unmount unmounts a mount point we made and removes it. It runs without
// the caller's context so a cancelled task still unmounts.
func (s *Service) unmount(mp string) error {
	if _, err := s.run.Run(context.Background(), hostCmd("umount", mp)); err != nil {
		return fmt.Errorf("umount of %s failed: %w", s.hostPath(mp), err)
	}
	os.Remove(mp)
	return nil
}

// espUUIDs are the non-empty lines of the ESP list; ok is false when the
// list does not exist.
func (s *Service) espUUIDs() (uuids []string, ok bool, err error) {
	if !s.root.Exists(ESPList) {
		return nil, false, nil
	}
	lines, err := s.lines(ESPList)
	if err != nil {
		return nil, true, err
	}
	for _, l := range lines {
		if l != "" {
			uuids = append(uuids, l)
		}
	}
	return uuids, true, nil
}
