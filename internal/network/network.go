// Package network manages the node's /etc/network/interfaces the way
// Proxmox VE does: every edit goes to the staging file interfaces.new under
// a lock, reads prefer the staged file and report the pending diff, and
// apply renames the staged file into place and reloads the network
// (ifupdown2's `ifreload -a`). The file codec lives in the leaf package
// ifaces.
package network

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/network/ifaces"
)

// Host paths.
const (
	LivePath   = "/etc/network/interfaces"
	StagedPath = "/etc/network/interfaces.new"
	// LockPath is shared with Proxmox's network code (same path); it is
	// kept 0600 by host.LockFile so only root can hold it.
	LockPath = "/etc/network/.pve-interfaces.lock"
	// ifupdown2Marker is what Proxmox checks to know ifupdown2 is in use.
	ifupdown2Marker = "/usr/share/ifupdown2"
)

// lockTimeout is how long an edit waits for the lock, as in Proxmox.
const lockTimeout = 10 * time.Second

// Config builds a Service.
type Config struct {
	Root   host.Root
	Runner host.Runner
	Logger *slog.Logger
	// IfUpDown2 overrides the detection of ifupdown2 (nil: look for
	// /usr/share/ifupdown2 under Root).
	IfUpDown2 *bool
	// Applier picks how apply changes the kernel: ApplierIfUpDown2 or
	// ApplierNative; "" takes ifupdown2 when installed, else native.
	Applier string
	// NetNS names the network namespace the native applier works in
	// ("" = the daemon's own); tests use one they made.
	NetNS string
	// ChangedOnly makes the native applier trust the kernel to match the
	// live file and read and plan only the interfaces a change touches
	// (and run only their hooks), so its cost does not grow with the
	// file. The default checks every interface against the kernel and
	// runs every up hook, as ifreload -a does.
	ChangedOnly bool
}

// Appliers.
const (
	ApplierIfUpDown2 = "ifupdown2"
	ApplierNative    = "native"
)

// Service is the network area's domain service.
type Service struct {
	cfg Config
	rb  rollback
	// model is the kernel model the native applier plans against, while
	// RunKernelModel keeps one (nil: each apply dumps the kernel).
	model atomic.Pointer[KernelModel]
	// parsed is the last staged file parsed, for parseBoth.
	parsed parseCache
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Runner == nil {
		cfg.Runner = host.ExecRunner{}
	}
	return &Service{cfg: cfg}
}

// HasIfUpDown2 tells whether ifupdown2 is the ifupdown in use.
func (s *Service) HasIfUpDown2() bool {
	if s.cfg.IfUpDown2 != nil {
		return *s.cfg.IfUpDown2
	}
	return s.cfg.Root.Exists(ifupdown2Marker)
}

func (s *Service) options() ifaces.Options {
	return ifaces.Options{IfUpDown2: s.HasIfUpDown2()}
}

// Read parses the staged file if there is one, else the live file (a
// missing file is an empty one), and returns the pending diff.
func (s *Service) Read(ctx context.Context) (*ifaces.Config, string, error) {
	cfg, _, staged, err := s.load()
	if err != nil || !staged {
		return cfg, "", err
	}
	changes, err := s.Diff(ctx)
	if err != nil {
		return nil, "", err
	}
	return cfg, changes, nil
}

// load parses the staged file if there is one (staged), else the live
// file, and returns the staged file's bytes as well.
func (s *Service) load() (cfg *ifaces.Config, stagedData []byte, staged bool, err error) {
	data, staged, err := s.readRaw()
	if err != nil {
		return nil, nil, false, err
	}
	cfg, err = ifaces.Parse(bytes.NewReader(data), s.Kernel())
	if err != nil {
		return nil, nil, false, err
	}
	if !staged {
		return cfg, nil, false, nil
	}
	return cfg, data, true, nil
}

func (s *Service) readRaw() ([]byte, bool, error) {
	data, err := s.cfg.Root.ReadFile(StagedPath)
	if err == nil {
		return data, true, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read %s: %w", StagedPath, err)
	}
	data, err = s.cfg.Root.ReadFile(LivePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read %s: %w", LivePath, err)
	}
	return data, false, nil
}

// Edit runs fn on the current configuration under the lock and writes the
// result to the staging file. When fn or validation fails nothing changes.
func (s *Service) Edit(ctx context.Context, fn func(cfg *ifaces.Config) error) error {
	return s.edit(ctx, func(cfg *ifaces.Config) (bool, error) { return true, fn(cfg) }, nil)
}

// edit is Edit where fn may decline the write (false), with a step run
// after the staged file was written, still under the lock: when after
// fails, the staged file is put back as it was. It reads the files once
// and leaves the pending diff, which it does not need, alone.
func (s *Service) edit(ctx context.Context, fn func(cfg *ifaces.Config) (bool, error), after func() error) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	cfg, before, hadStaged, err := s.load()
	if err != nil {
		return err
	}
	write, err := fn(cfg)
	if err != nil || !write {
		return err
	}
	out, err := cfg.Marshal(s.options())
	if err != nil {
		return err
	}
	if err := s.cfg.Root.WriteFileContext(ctx, StagedPath, out, 0o644); err != nil {
		return err
	}
	if after == nil {
		return nil
	}
	if err := after(); err != nil {
		if hadStaged {
			return errors.Join(err, s.cfg.Root.WriteFileContext(ctx, StagedPath, before, 0o644))
		}
		return errors.Join(err, s.removeStaged())
	}
	return nil
}

// Revert drops the staged changes, under the lock.
func (s *Service) Revert(ctx context.Context) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	return s.removeStaged()
}

func (s *Service) removeStaged() error {
	err := os.Remove(s.cfg.Root.Path(StagedPath))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("revert network changes: %w", err)
	}
	return nil
}

// Diff is `diff -b -N -u` of the live and the staged file, as Proxmox
// reports it in `changes` ("" when they do not differ or nothing is
// staged). File names are shown as host paths, without the root prefix.
func (s *Service) Diff(ctx context.Context) (string, error) {
	live, staged := s.cfg.Root.Path(LivePath), s.cfg.Root.Path(StagedPath)
	if !s.cfg.Root.Exists(StagedPath) {
		return "", nil
	}
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{
		Argv: []string{"diff", "-b", "-N", "-u", live, staged}, OKCodes: []int{1}, Timeout: 30 * time.Second,
	})
	if err != nil {
		return "", err
	}
	out := string(res.Stdout)
	if dir := s.cfg.Root.Dir(); dir != "/" {
		out = strings.Replace(out, "--- "+live, "--- "+LivePath, 1)
		out = strings.Replace(out, "+++ "+staged, "+++ "+StagedPath, 1)
	}
	return out, nil
}
