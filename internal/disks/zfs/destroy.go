package zfs

import (
	"context"
	"fmt"
	"strings"

	"hostadm/internal/disks"
)

// DestroyOptions are the delete endpoint's parameters.
type DestroyOptions struct {
	Name         string
	CleanupDisks bool
	// CleanupConfig, when set, runs after the pool is gone (storage.cfg
	// cleanup); its error is reported after the disks are wiped.
	CleanupConfig func() error
}

// Destroy is the zfsremove worker (under the disk lock): collect the
// member disks when they are to be wiped, disable the import unit,
// `zpool destroy`, clean the config, wipe.
func (s *Service) Destroy(ctx context.Context, l Log, o DestroyOptions) error {
	return s.d.Locked(ctx, func() error {
		var toWipe []string
		if o.CleanupDisks {
			var err error
			if toWipe, err = s.wipeTargets(ctx, o.Name); err != nil {
				return err
			}
		}
		if s.d.Root().Exists(ImportUnitTemplate) {
			if _, err := s.d.Run(ctx, l, "systemctl", "disable", s.importUnit(o.Name)); err != nil {
				return err
			}
		}
		if _, err := s.d.Run(ctx, l, "zpool", "destroy", o.Name); err != nil {
			return err
		}
		var cfgErr error
		if o.CleanupConfig != nil {
			if cfgErr = o.CleanupConfig(); cfgErr != nil {
				l.Warn("%v", cfgErr)
			}
		}
		var wipeErr error
		for _, dev := range toWipe {
			if wipeErr = s.d.WipeBlockdev(ctx, l, dev); wipeErr != nil {
				break
			}
		}
		if len(toWipe) > 0 {
			s.d.UdevTrigger(ctx, l, toWipe...)
		}
		if wipeErr != nil {
			return fmt.Errorf("cleanup failed - %w", wipeErr)
		}
		if cfgErr != nil {
			return fmt.Errorf("config cleanup failed - %w", cfgErr)
		}
		return nil
	})
}

// wipeTargets are the pool's member devices, each replaced by its whole
// disk when the disk has the usual ZFS layout (partition 1 for data,
// partition 9 "ZFS reserved", nothing else).
func (s *Service) wipeTargets(ctx context.Context, name string) ([]string, error) {
	out, err := s.d.Output(ctx, "zpool", "list", "-vHPL", name)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, member := range ParseMembers(out) {
		b, err := s.d.VerifyBlockdev(member)
		if err != nil {
			return nil, err
		}
		target := b.Path
		if parent := b.Parent; b.Partition {
			all, err := s.d.Disks(ctx, disks.ListOptions{Only: []string{strings.TrimPrefix(parent, "/dev/")}, SkipSmart: true, IncludePartitions: true})
			if err != nil {
				return nil, err
			}
			base := strings.TrimPrefix(parent, "/dev/")
			p9 := all[base+"9"]
			if p9 == nil {
				p9 = all[base+"p9"] // nvme0n1p9
			}
			if len(all) == 3 && p9 != nil && p9.Used == "ZFS reserved" {
				target = parent
			}
		}
		targets = append(targets, target)
	}
	return targets, nil
}
