package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"hostadm/internal/disks"
)

// Remove is the dirremove worker (under the disk lock): with wipe the
// device is found from the unit first (its whole disk when it was the
// only partition); then `systemctl stop` and `disable` of the unit, the
// unit file removed, the config cleaned and the device wiped.
func (s *Service) Remove(ctx context.Context, l Log, name string, wipe bool, cleanupConfig func() error) error {
	if !reName().MatchString(name) {
		return fmt.Errorf("invalid storage name '%s'", name)
	}
	return s.d.Locked(ctx, func() error {
		b, err := s.d.Root().ReadFile(UnitPath(name))
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no mount unit for storage '%s': %s does not exist", name, UnitPath(name))
		}
		if err != nil {
			return err
		}
		var toWipe string
		if wipe {
			if toWipe, err = s.wipeTarget(ctx, b); err != nil {
				return err
			}
		}
		if err := s.dropUnit(ctx, l, name, false); err != nil {
			return err
		}
		var cfgErr error
		if cleanupConfig != nil {
			if cfgErr = cleanupConfig(); cfgErr != nil {
				l.Warn("%v", cfgErr)
			}
		}
		if toWipe != "" {
			if err := s.d.WipeBlockdev(ctx, l, toWipe); err != nil {
				return err
			}
			s.d.UdevTrigger(ctx, l, toWipe)
		}
		if cfgErr != nil {
			return fmt.Errorf("config cleanup failed - %w", cfgErr)
		}
		return nil
	})
}

// dropUnit is `systemctl stop` and `disable` of NAME's mount unit and the
// removal of its file. It stops at the first failure, or with bestEffort
// logs each failure and tries the next step, returning the first.
func (s *Service) dropUnit(ctx context.Context, l Log, name string, bestEffort bool) error {
	var first error
	fail := func(err error) bool {
		if first == nil {
			first = err
		}
		if bestEffort {
			l.Warn("%v", err)
		}
		return !bestEffort
	}
	for _, argv := range [][]string{{"systemctl", "stop", UnitName(name)}, {"systemctl", "disable", UnitName(name)}} {
		if _, err := s.d.Run(ctx, l, argv...); err != nil && fail(err) {
			return err
		}
	}
	if err := os.Remove(s.d.Root().Path(UnitPath(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		fail(fmt.Errorf("cannot remove %s - %w", UnitPath(name), err))
	}
	return first
}

// wipeTarget is the device of the unit's What=, or its disk when that
// holds no other partition.
func (s *Service) wipeTarget(ctx context.Context, unit []byte) (string, error) {
	u, err := ParseUnit(bytes.NewReader(unit))
	if err != nil {
		return "", err
	}
	dev, err := s.d.VerifyBlockdevPath(u.Get("Mount", "What"))
	if err != nil {
		return "", err
	}
	parent, err := s.d.ParentDisk(dev)
	if err != nil {
		return dev, nil
	}
	base := strings.TrimPrefix(parent, "/dev/")
	info, err := s.d.Disks(ctx, disks.ListOptions{Only: []string{base}, SkipSmart: true, IncludePartitions: true})
	if err != nil {
		return "", err
	}
	if info[base] == nil {
		return "", fmt.Errorf("unable to obtain information for disk '%s'", base)
	}
	if len(info) == 2 {
		return parent, nil
	}
	return dev, nil
}
