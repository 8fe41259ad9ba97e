package disks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// maxWipeMiB is how much of the device start dd zeroes, as in Proxmox.
const maxWipeMiB = 200

// Wipe is Proxmox's wipe_disk worker under the disk lock: wipefs on the
// partitions and the device, zero its first 200 MiB, set a wiped
// partition's type to Linux (8300), and let udev know. The in-use check
// is repeated under the lock: the device may have been mounted since the
// request was checked.
func (s *Service) Wipe(ctx context.Context, l Log, b Blockdev) error {
	return s.Locked(ctx, func() error {
		if err := s.CheckWipeable(b); err != nil {
			return err
		}
		if err := s.wipeBlockdev(ctx, l, b); err != nil {
			return err
		}
		if b.Partition {
			if err := s.setPartType(ctx, l, b, "8300"); err != nil {
				return err
			}
		}
		s.UdevTrigger(ctx, l, b.Path)
		return nil
	})
}

// WipeBlockdev is Proxmox's wipe_blockdev (callers hold the disk lock).
func (s *Service) WipeBlockdev(ctx context.Context, l Log, dev string) error {
	return s.wipeBlockdev(ctx, l, s.Blockdev(dev))
}

func (s *Service) wipeBlockdev(ctx context.Context, l Log, b Blockdev) error {
	dev, dir, part := b.Path, b.SysDir, b.Partition
	if err := s.AssertBlockdev(dev); err != nil {
		return err
	}
	if dir == "" {
		return fmt.Errorf("Couldn't get the size of the device %s", b.Name)
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
		l.Printf("found child partitions to wipe: %s", strings.Join(toWipe, ", "))
	}
	toWipe = append(toWipe, dev)
	if l != nil {
		l.Printf("wiping block device %s", dev)
	}
	if _, err := s.Run(ctx, l, append([]string{"wipefs", "--all"}, toWipe...)...); err != nil {
		return fmt.Errorf("error wiping '%s': %w", dev, err)
	}
	_, err := s.Run(ctx, l, "dd", "if=/dev/zero", "of="+dev, "bs=1M", "conv=fdatasync", "count="+strconv.FormatInt(count, 10))
	if err != nil {
		return fmt.Errorf("error wiping '%s': %w", dev, err)
	}
	return nil
}

func (s *Service) setPartType(ctx context.Context, l Log, part Blockdev, typ string) error {
	n, err := part.partNum()
	if err != nil {
		return err
	}
	_, err = s.Run(ctx, l, "sgdisk", fmt.Sprintf("-t%d:%s", n, typ), part.Parent)
	return err
}

// UdevTrigger asks udev to re-read devices; a failure is only a warning
// (hosts without udev, like this project's test machines).
func (s *Service) UdevTrigger(ctx context.Context, l Log, devs ...string) {
	if _, err := s.Run(ctx, nil, append([]string{"udevadm", "trigger"}, devs...)...); err != nil {
		s.cfg.Logger.Warn("udevadm trigger failed", "err", err)
	}
}
