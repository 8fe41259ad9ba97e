// Package btrfs manages BTRFS file systems on local disks, which Proxmox
// VE only documents as commands: mkfs.btrfs with RAID profiles for data
// and metadata, a mount under /mnt/pve/NAME with an /etc/fstab line by
// UUID (compression as a mount option), subvolumes and read-only
// snapshots, and the usage `btrfs filesystem usage` reports. The parsers
// (fstab, usage, subvolume and device lists) are pure; everything else is
// tested on loop devices with the real tools.
package btrfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"golang.org/x/sys/unix"

	"hostadm/internal/disks"
)

// FstabPath is the file system table.
const FstabPath = "/etc/fstab"

// Profiles are the RAID profiles offered, with their minimum device count.
var Profiles = map[string]int{"single": 1, "dup": 1, "raid0": 2, "raid1": 2, "raid10": 4}

// Compressions are the algorithms of the compress mount option.
var Compressions = []string{"zstd", "lzo", "zlib"}

// reName is pve-storage-id: the name becomes a path.
var reName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`) })

// reSubvolName limits subvolume names to one plain path component.
var reSubvolName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$`) })

// MountPath is where file system NAME is mounted.
func MountPath(name string) string { return "/mnt/pve/" + name }

// Service manages BTRFS file systems over a disks.Service.
type Service struct {
	d *disks.Service
}

// New returns a Service.
func New(d *disks.Service) *Service { return &Service{d: d} }

// Log is a task log.
type Log = disks.Log

// CheckName validates a file system name.
func CheckName(name string) error {
	if !reName().MatchString(name) {
		return fmt.Errorf("invalid name '%s'", name)
	}
	return nil
}

// CheckSubvolume validates a subvolume name (one component, no "..").
func CheckSubvolume(name string) error {
	if !reSubvolName().MatchString(name) || name == ".." {
		return fmt.Errorf("invalid subvolume name '%s'", name)
	}
	return nil
}

// hostPath is where a host path is for commands (the root's prefix).
func (s *Service) hostPath(p string) string { return s.d.Root().Path(p) }

// Mounted tells whether NAME's mount point is a mount point: its device
// differs from its parent's. This looks at the file system itself rather
// than /proc/mounts, so it is right under any root.
func (s *Service) Mounted(name string) bool {
	var st, parent unix.Stat_t
	p := s.hostPath(MountPath(name))
	if unix.Stat(p, &st) != nil || unix.Stat(filepath.Dir(p), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}

func (s *Service) readFstab() (*Fstab, error) {
	b, err := s.d.Root().ReadFile(FstabPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return ParseFstab(bytes.NewReader(b))
}

func (s *Service) writeFstab(ctx context.Context, f *Fstab) error {
	var b bytes.Buffer
	f.Write(&b)
	return s.d.Root().WriteFileContext(ctx, FstabPath, b.Bytes(), 0o644)
}

// changeFstab applies fn to /etc/fstab and writes it (callers hold the
// disk lock, which every writer of this file in hostadm takes).
func (s *Service) changeFstab(ctx context.Context, fn func(*Fstab) error) error {
	f, err := s.readFstab()
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	return s.writeFstab(ctx, f)
}

// FS is a BTRFS file system hostadm mounts under /mnt/pve.
type FS struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	Spec        string `json:"spec"`
	Options     string `json:"options"`
	Compression string `json:"compression,omitempty"`
	Mounted     int    `json:"mounted"`
	Total       int64  `json:"total,omitempty"`
	Used        int64  `json:"used,omitempty"`
	Avail       int64  `json:"avail,omitempty"`
	Usage       *Usage `json:"usage,omitempty"`
}

// List reports the btrfs lines of /etc/fstab under /mnt/pve, with usage
// for those mounted.
func (s *Service) List(ctx context.Context) ([]FS, error) {
	f, err := s.readFstab()
	if err != nil {
		return nil, err
	}
	out := []FS{}
	for _, l := range f.Lines {
		e := l.Entry
		if e == nil || e.VFSType != "btrfs" || filepath.Dir(e.File) != "/mnt/pve" {
			continue
		}
		fs := FS{Name: filepath.Base(e.File), Path: e.File, Spec: e.Spec, Options: e.Options}
		fs.Compression, _ = e.Option("compress")
		if s.Mounted(fs.Name) {
			fs.Mounted = 1
			if u, err := s.usage(ctx, fs.Name); err == nil {
				fs.Total, fs.Used, fs.Avail = u.DeviceSize, u.Used, u.FreeEstimated
			}
		}
		out = append(out, fs)
	}
	return out, nil
}

// Get is one file system with its full usage.
func (s *Service) Get(ctx context.Context, name string) (*FS, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, fs := range all {
		if fs.Name == name {
			if fs.Mounted == 1 {
				fs.Usage, _ = s.usage(ctx, name)
			}
			return &fs, nil
		}
	}
	return nil, fmt.Errorf("no btrfs file system '%s' on /mnt/pve", name)
}

func (s *Service) usage(ctx context.Context, name string) (*Usage, error) {
	out, err := s.d.Output(ctx, "btrfs", "filesystem", "usage", "-b", s.hostPath(MountPath(name)))
	if err != nil {
		return nil, err
	}
	return ParseUsage(out), nil
}

// members are the devices of a mounted file system.
func (s *Service) members(ctx context.Context, name string) ([]string, error) {
	out, err := s.d.Output(ctx, "btrfs", "filesystem", "show", "--raw", s.hostPath(MountPath(name)))
	if err != nil {
		return nil, err
	}
	devs := ParseShowDevices(out)
	slices.Sort(devs)
	return devs, nil
}
