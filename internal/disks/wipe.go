package disks

import (
	"context"
	"fmt"
	"strconv"
)

// maxWipeMiB is how much of the device start dd zeroes, as in Proxmox.
const maxWipeMiB = 200

// Wipe is Proxmox's wipe_disk worker under the disk lock: wipefs on the
// partitions and the device, zero its first 200 MiB, set a wiped
// partition's type to Linux (8300), and let udev know.
func (s *Service) Wipe(ctx context.Context, l Log, dev string) error {
	return s.Locked(ctx, func() error {
		if err := s.CheckWipeable(dev); err != nil {
			return err
		}
		if err := s.WipeBlockdev(ctx, l, dev); err != nil {
			return err
		}
		if s.IsPartition(dev) {
			if err := s.setPartType(ctx, l, dev, "8300"); err != nil {
				return err
			}
		}
		s.UdevTrigger(ctx, l, dev)
		return nil
	})
}

// WipeBlockdev is Proxmox's wipe_blockdev (callers hold the disk lock).
func (s *Service) WipeBlockdev(ctx context.Context, l Log, dev string) error {
	if err := s.AssertBlockdev(dev); err != nil {
		return err
	}
	dir, part, err := s.sysDir(devName(dev))
	if err != nil {
		return fmt.Errorf("Couldn't get the size of the device %s", devName(dev))
	}
	size := s.sysSize(dir)
	count := size / (1 << 20)
	if count > maxWipeMiB {
		count = maxWipeMiB
	}
	toWipe := []string{}
	if !part {
		for _, p := range s.children(dir) {
			pdev := devPathOf(p)
			if s.AssertBlockdev(pdev) == nil {
				toWipe = append(toWipe, pdev)
			}
		}
	}
	if len(toWipe) > 0 && l != nil {
		l.Printf("found child partitions to wipe: %s", joinComma(toWipe))
	}
	toWipe = append(toWipe, dev)
	if l != nil {
		l.Printf("wiping block device %s", dev)
	}
	if _, err := s.Run(ctx, l, append([]string{"wipefs", "--all"}, toWipe...)...); err != nil {
		return fmt.Errorf("error wiping '%s': %w", dev, err)
	}
	_, err = s.Run(ctx, l, "dd", "if=/dev/zero", "of="+dev, "bs=1M", "conv=fdatasync", "count="+strconv.FormatInt(count, 10))
	if err != nil {
		return fmt.Errorf("error wiping '%s': %w", dev, err)
	}
	return nil
}

func (s *Service) setPartType(ctx context.Context, l Log, part, typ string) error {
	n, err := s.PartNum(part)
	if err != nil {
		return err
	}
	disk, err := s.ParentDisk(part)
	if err != nil {
		return err
	}
	_, err = s.Run(ctx, l, "sgdisk", fmt.Sprintf("-t%d:%s", n, typ), disk)
	return err
}

// UdevTrigger asks udev to re-read devices; a failure is only a warning
// (hosts without udev, like this project's test machines).
func (s *Service) UdevTrigger(ctx context.Context, l Log, devs ...string) {
	if _, err := s.Run(ctx, nil, append([]string{"udevadm", "trigger"}, devs...)...); err != nil {
		s.cfg.Logger.Warn("udevadm trigger failed", "err", err)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
