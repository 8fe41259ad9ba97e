package btrfs

import (
	"context"
	"fmt"
)

// Subvolumes lists the subvolumes of a mounted file system, read-only
// ones (snapshots taken with readonly) marked.
func (s *Service) Subvolumes(ctx context.Context, name string) ([]Subvolume, error) {
	if err := s.mountedFS(name); err != nil {
		return nil, err
	}
	p := s.hostPath(MountPath(name))
	all, err := s.d.Output(ctx, "btrfs", "subvolume", "list", p)
	if err != nil {
		return nil, err
	}
	ro, err := s.d.Output(ctx, "btrfs", "subvolume", "list", "-r", p)
	if err != nil {
		return nil, err
	}
	return ParseSubvolumes(all, ro), nil
}

func (s *Service) mountedFS(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if !s.Mounted(name) {
		return fmt.Errorf("btrfs file system '%s' is not mounted", name)
	}
	return nil
}

// CreateSubvolume creates subvolume sub at the top of file system name,
// or, with from set, a snapshot of subvolume from (read-only when
// readonly is set).
func (s *Service) CreateSubvolume(ctx context.Context, l Log, name, sub, from string, readonly bool) error {
	if err := s.mountedFS(name); err != nil {
		return err
	}
	if err := CheckSubvolume(sub); err != nil {
		return err
	}
	base := s.hostPath(MountPath(name))
	if from == "" {
		if readonly {
			return fmt.Errorf("readonly is for snapshots")
		}
		_, err := s.d.Run(ctx, l, "btrfs", "subvolume", "create", base+"/"+sub)
		return err
	}
	if err := CheckSubvolume(from); err != nil {
		return err
	}
	argv := []string{"btrfs", "subvolume", "snapshot"}
	if readonly {
		argv = append(argv, "-r")
	}
	_, err := s.d.Run(ctx, l, append(argv, base+"/"+from, base+"/"+sub)...)
	return err
}

// DeleteSubvolume deletes subvolume sub of file system name.
func (s *Service) DeleteSubvolume(ctx context.Context, l Log, name, sub string) error {
	if err := s.mountedFS(name); err != nil {
		return err
	}
	if err := CheckSubvolume(sub); err != nil {
		return err
	}
	_, err := s.d.Run(ctx, l, "btrfs", "subvolume", "delete", s.hostPath(MountPath(name))+"/"+sub)
	return err
}
