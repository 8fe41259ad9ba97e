package zfs

import (
	"context"
	"fmt"
	"slices"
)

// VdevTypes are the auxiliary vdev classes `zpool add` takes.
var VdevTypes = []string{"cache", "log", "special"}

// AddVdevArgs is `zpool add POOL TYPE [mirror] DEVS...`. A cache cannot
// be mirrored (L2ARC holds only copies); a special vdev should be, as
// losing it loses the pool.
func AddVdevArgs(pool, typ string, mirror bool, devs []string) ([]string, error) {
	if !slices.Contains(VdevTypes, typ) {
		return nil, fmt.Errorf("unknown vdev type '%s'", typ)
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("no devices given")
	}
	argv := []string{"zpool", "add", pool, typ}
	if mirror {
		if typ == "cache" {
			return nil, fmt.Errorf("cache devices cannot be mirrored")
		}
		if len(devs) < 2 {
			return nil, fmt.Errorf("mirror needs at least 2 disks")
		}
		argv = append(argv, "mirror")
	}
	return append(argv, devs...), nil
}

// AddVdev is the zfsaddvdev worker (under the disk lock): the devices
// must be unused; they are named by their by-id links as for create.
func (s *Service) AddVdev(ctx context.Context, l Log, pool, typ string, mirror bool, devices []string) error {
	if err := CheckPoolName(pool); err != nil {
		return err
	}
	return s.d.Locked(ctx, func() error {
		devs, err := s.byID(ctx, devices)
		if err != nil {
			return err
		}
		argv, err := AddVdevArgs(pool, typ, mirror, devs)
		if err != nil {
			return err
		}
		if typ == "special" && !mirror {
			l.Warn("a special vdev without redundancy: losing this device loses the whole pool")
		}
		_, err = s.d.Run(ctx, l, argv...)
		return err
	})
}

// byID checks each device is unused and returns its by-id name.
func (s *Service) byID(ctx context.Context, devices []string) ([]string, error) {
	var out []string
	for _, dev := range devices {
		if err := s.d.AssertDiskUnused(ctx, dev); err != nil {
			return nil, err
		}
		if link := s.d.ByIDLink(dev); link != "" {
			dev = link
		}
		out = append(out, dev)
	}
	return out, nil
}

// BootableNote is what the replace task logs when the old device was a
// boot disk: `zpool replace` copies only the ZFS data, so the partition
// table and the boot partition must be made anew, as the Proxmox VE
// guide's "Changing a failed bootable device" shows.
func BootableNote(healthy, newDisk string) string {
	return fmt.Sprintf("the replaced device was bootable: copy the partition table with "+
		"'sgdisk %s -R %s' and 'sgdisk -G %s', replace the ZFS partition (partition 3) instead of the whole disk, "+
		"then make the ESP bootable with 'proxmox-boot-tool format %s' and 'proxmox-boot-tool init %s'",
		healthy, newDisk, newDisk, partName(newDisk, 2), partName(newDisk, 2))
}

func partName(disk string, n int) string {
	if last := disk[len(disk)-1]; last >= '0' && last <= '9' {
		return fmt.Sprintf("%sp%d", disk, n)
	}
	return fmt.Sprintf("%s%d", disk, n)
}

// Replace is the zfsreplace worker: `zpool replace POOL OLD NEW` with
// the new device unused. When the old device's disk carried a BIOS boot
// or EFI partition the task log says what else a boot disk needs (the
// boot tool does that part).
func (s *Service) Replace(ctx context.Context, l Log, pool, old, newDev string, bootable bool, healthy string) error {
	if err := CheckPoolName(pool); err != nil {
		return err
	}
	return s.d.Locked(ctx, func() error {
		devs, err := s.byID(ctx, []string{newDev})
		if err != nil {
			return err
		}
		if _, err := s.d.Run(ctx, l, "zpool", "replace", pool, old, devs[0]); err != nil {
			return err
		}
		if bootable {
			l.Warn("%s", BootableNote(healthy, newDev))
		}
		return nil
	})
}

// ScrubArgs is the zpool scrub command for an action: start, stop
// (cancel) or pause.
func ScrubArgs(pool, action string) ([]string, error) {
	switch action {
	case "start":
		return []string{"zpool", "scrub", pool}, nil
	case "stop":
		return []string{"zpool", "scrub", "-s", pool}, nil
	case "pause":
		return []string{"zpool", "scrub", "-p", pool}, nil
	}
	return nil, fmt.Errorf("unknown scrub action '%s'", action)
}

// Scrub starts, stops or pauses a scrub; its progress is the detail's
// scan field.
func (s *Service) Scrub(ctx context.Context, l Log, pool, action string) error {
	if err := CheckPoolName(pool); err != nil {
		return err
	}
	argv, err := ScrubArgs(pool, action)
	if err != nil {
		return err
	}
	_, err = s.d.Run(ctx, l, argv...)
	return err
}
