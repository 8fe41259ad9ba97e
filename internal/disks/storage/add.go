package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

// Entry is the storage entry a disk endpoint's add_storage adds: Verify
// names the keys an existing entry of another node must match. With
// Release a failed work takes the reservation back (the entry removed, or
// this node taken off an entry of other nodes) instead of leaving it
// disabled as Proxmox VE does.
type Entry struct {
	ID, Type string
	Values   map[string]any
	Verify   []string
	Release  bool
}

// AddAround is add_storage around the work that creates a storage's backing
// (a pool, a volume group, a file system), as Proxmox VE did it: e is
// reserved at once (added disabled, so a conflicting request fails before
// any work), and the returned work runs create and then enables e. When the
// reservation fails nothing has changed and no work is returned. A nil e
// (add_storage not asked for) returns create itself.
func (s *Service) AddAround(ctx context.Context, e *Entry, create func(context.Context, *tasks.Log) error) (func(context.Context, *tasks.Log) error, error) {
	if e == nil {
		return create, nil
	}
	if err := s.Add(ctx, e.ID, e.Type, e.Values, e.Verify, true); err != nil {
		return nil, err
	}
	return func(ctx context.Context, l *tasks.Log) error {
		if err := create(ctx, l); err != nil {
			if e.Release {
				if rErr := s.CleanupForNode(ctx, func(sec *sectioncfg.Section) bool { return sec.ID == e.ID }); rErr != nil {
					return errors.Join(err, fmt.Errorf("storage '%s' not released: %w", e.ID, rErr))
				}
			}
			return err
		}
		return s.Enable(ctx, e.ID)
	}, nil
}

// PlanAdd is AddAround for a dry run: Add's checks against storage.cfg as
// it is now, nothing written nor locked; it returns e's section as the
// task leaves it (enabled).
func (s *Service) PlanAdd(ctx context.Context, e *Entry) (string, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return "", err
	}
	if err := s.addEdit(e.ID, e.Type, e.Values, e.Verify, false)(cfg); err != nil {
		return "", err
	}
	one := sectioncfg.New(s.sch)
	one.Sections = []*sectioncfg.Section{cfg.Section(e.ID)}
	var b bytes.Buffer
	err = one.Write(&b)
	return b.String(), err
}
