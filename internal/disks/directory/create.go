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
		return s.mount(ctx, l, part, name, fstype, false)
	})
}

// mount is what follows mkfs (under the disk lock the caller holds): the
// file system's UUID from `blkid DEV -o export`, the mount unit, and
// `systemctl daemon-reload`, `enable` and `start` of the unit. With undo,
// a failure after the unit was written stops, disables and removes it
// again (each step tried, failures logged), so nothing of the mount is
// left; without it the unit stays for the admin, as Proxmox leaves it.
func (s *Service) mount(ctx context.Context, l Log, dev, name, fstype string, undo bool) error {
	res, err := s.d.Run(ctx, l, "blkid", dev, "-o", "export")
	if err != nil {
		return err
	}
	uuid := ParseBlkidUUID(res.Stdout)
	if uuid == "" {
		return fmt.Errorf("could not get UUID of device '%s'", dev)
	}
	var b bytes.Buffer
	MountUnit(name, uuid, fstype).Write(&b)
	if err := s.d.Root().WriteFileContext(ctx, UnitPath(name), b.Bytes(), 0o644); err != nil {
		return err
	}
	s.d.UdevTrigger(ctx, l, dev)
	for _, argv := range [][]string{{"systemctl", "daemon-reload"}, {"systemctl", "enable", UnitName(name)},
		{"systemctl", "start", UnitName(name)}} {
		if _, err := s.d.Run(ctx, l, argv...); err != nil {
			if undo {
				l.Printf("undoing the mount unit of '%s'", name)
				s.dropUnit(ctx, l, name, true)
				if _, err := s.d.Run(ctx, l, "systemctl", "daemon-reload"); err != nil {
					l.Warn("%v", err)
				}
			}
			return err
		}
	}
	return nil
}

// Target is a directory storage's mount for a file system another worker
// made (a thin volume): Check refuses a name in use, Mount writes and
// starts the unit, taking it back when a step fails.
type Target struct {
	s    *Service
	name string
}

// Target returns the mount of storage NAME, after checking the name.
func (s *Service) Target(name string) (Target, error) {
	if !reName.MatchString(name) {
		return Target{}, fmt.Errorf("invalid storage name '%s'", name)
	}
	return Target{s, name}, nil
}

// Check is Service.Check for the target's name.
func (t Target) Check() error { return t.s.Check(t.name) }

// Mount mounts the file system on dev at the target (the caller holds the
// disk lock); a failure leaves no unit behind.
func (t Target) Mount(ctx context.Context, l Log, dev, fstype string) error {
	return t.s.mount(ctx, l, dev, t.name, fstype, true)
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
