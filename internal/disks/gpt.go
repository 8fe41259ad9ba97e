package disks

import (
	"context"
	"fmt"
)

// CheckInitGPT is what the initgpt endpoint refuses before starting its
// task: partitions and disks in use.
func (s *Service) CheckInitGPT(ctx context.Context, disk string) error {
	if s.IsPartition(disk) {
		return fmt.Errorf("%s is a partition", disk)
	}
	used, err := s.DiskIsUsed(ctx, disk)
	if err != nil {
		return err
	}
	if used {
		return fmt.Errorf("disk %s already in use", disk)
	}
	return nil
}

// InitGPT writes a new GPT to an unused disk: `sgdisk DISK -U UUID|R`.
// It re-checks the disk under the disk lock, as Proxmox's init_disk does.
func (s *Service) InitGPT(ctx context.Context, l Log, disk, uuid string) error {
	return s.Locked(ctx, func() error {
		if err := s.AssertBlockdev(disk); err != nil {
			return err
		}
		if s.IsPartition(disk) {
			return fmt.Errorf("%s is a partition", disk)
		}
		used, err := s.DiskIsUsed(ctx, disk)
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("disk %s is already in use", disk)
		}
		if uuid == "" {
			uuid = "R"
		}
		_, err = s.Run(ctx, l, "sgdisk", disk, "-U", uuid)
		return err
	})
}
