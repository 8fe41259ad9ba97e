package directory

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
)

// reName is pve-storage-id, checked again here because the name becomes
// a path and a unit name.
var reName = regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`)

// FileSystems are the file systems a directory storage can get.
var FileSystems = []string{"ext4", "xfs"}

// Create is the dircreate worker (under the disk lock): Check again, as
// another create of the name may have run since the request was taken;
// a partition gets the Linux type, a whole disk one partition over all of
// it (`sgdisk -n1 -t1:8300`); then `mkfs -t FS PART`, the UUID from
// `blkid PART -o export`, the mount unit, and `systemctl daemon-reload`,
// `enable` and `start` of the unit.
func (s *Service) Create(ctx context.Context, l Log, dev, name, fstype string) error {
	if !reName.MatchString(name) {
		return fmt.Errorf("invalid storage name '%s'", name)
	}
	if fstype != "ext4" && fstype != "xfs" {
		return fmt.Errorf("unsupported file system '%s'", fstype)
	}
	return s.d.Locked(ctx, func() error {
		if err := s.Check(name); err != nil {
			return err
		}
		if err := s.d.AssertDiskUnused(ctx, dev); err != nil {
			return err
		}
		part, err := s.partition(ctx, l, dev)
		if err != nil {
			return err
		}
		if _, err := s.d.Run(ctx, l, "mkfs", "-t", fstype, part); err != nil {
			return err
		}
		res, err := s.d.Run(ctx, l, "blkid", part, "-o", "export")
		if err != nil {
			return err
		}
		uuid := ParseBlkidUUID(res.Stdout)
		if uuid == "" {
			return fmt.Errorf("could not get UUID of device '%s'", part)
		}
		var b bytes.Buffer
		MountUnit(name, uuid, fstype).Write(&b)
		if err := s.d.Root().WriteFileContext(ctx, UnitPath(name), b.Bytes(), 0o644); err != nil {
			return err
		}
		s.d.UdevTrigger(ctx, l, part)
		for _, argv := range [][]string{{"systemctl", "daemon-reload"}, {"systemctl", "enable", UnitName(name)},
			{"systemctl", "start", UnitName(name)}} {
			if _, err := s.d.Run(ctx, l, argv...); err != nil {
				return err
			}
		}
		return nil
	})
}

// partition readies the partition the file system goes on.
func (s *Service) partition(ctx context.Context, l Log, dev string) (string, error) {
	if s.d.IsPartition(dev) {
		if err := s.d.SetPartType(ctx, l, dev, "8300"); err != nil {
			l.Warn("%v", err)
		}
		return dev, nil
	}
	if _, err := s.d.Run(ctx, l, "sgdisk", "-n1", "-t1:8300", dev); err != nil {
		return "", err
	}
	parts := s.d.NewPartitions(ctx, l, dev)
	if len(parts) != 1 {
		return "", fmt.Errorf("expected one partition on '%s', found %d", dev, len(parts))
	}
	return parts[0], nil
}

// ParseBlkidUUID is the UUID= line of `blkid -o export` output.
func ParseBlkidUUID(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "UUID="); ok {
			return v
		}
	}
	return ""
}
