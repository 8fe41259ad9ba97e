// Package zfs manages ZFS pools the way Proxmox VE's disk API does: the
// pool list and status (pure parsers of zpool's output), pool creation
// with every RAID level including dRAID, and destruction with cleanup.
// This machine has no ZFS: the parsers are tested on recorded outputs and
// the operations through the runner's transcript.
package zfs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"hostadm/internal/disks"
)

// ImportUnitTemplate is the systemd template whose presence makes Proxmox
// enable an import unit per pool.
const ImportUnitTemplate = "/lib/systemd/system/zfs-import@.service"

// ErrNotInstalled is Proxmox's answer when zpool is missing.
var ErrNotInstalled = errors.New("zfsutils-linux not installed")

// Service manages pools over a disks.Service.
type Service struct {
	d *disks.Service
}

// New returns a Service.
func New(d *disks.Service) *Service { return &Service{d: d} }

// Log is a task log.
type Log = disks.Log

// rePoolName is ZFS's pool-name rule: a letter first, then letters,
// digits, "_", "-", ".", ":" and " " (Proxmox adds pve-storage-id).
var rePoolName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_\-.: ]*$`) })

// reservedPool are names zpool refuses.
var reservedPool = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(mirror|raidz|draid|spare|log)|^c[0-9]`) })

// CheckPoolName applies ZFS's pool naming rules.
func CheckPoolName(name string) error {
	if !rePoolName().MatchString(name) || reservedPool().MatchString(name) || len(name) > 255 {
		return fmt.Errorf("invalid pool name '%s'", name)
	}
	return nil
}

// Pools is `zpool list -HpPLo name,size,alloc,free,frag,dedup,health`.
func (s *Service) Pools(ctx context.Context) ([]Pool, error) {
	if !s.d.HasZpool() {
		return nil, ErrNotInstalled
	}
	out, err := s.d.Output(ctx, "zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health")
	if err != nil {
		return nil, err
	}
	return ParseList(out), nil
}

// Status is the parsed `zpool status -P NAME`.
func (s *Service) Status(ctx context.Context, name string) (*Status, error) {
	if !s.d.HasZpool() {
		return nil, ErrNotInstalled
	}
	out, err := s.d.Output(ctx, "zpool", "status", "-P", name)
	if err != nil {
		return nil, err
	}
	return ParseStatus(out), nil
}

func (s *Service) importUnit(name string) string {
	return "zfs-import@" + disks.EscapeUnit(name, false) + ".service"
}
