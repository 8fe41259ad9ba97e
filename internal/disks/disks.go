// Package disks manages the node's block devices the way Proxmox VE's
// Diskmanage does: the disk list derived from sysfs and udev's database,
// SMART health, GPT initialisation and wiping, and the in-use checks every
// change makes first. Volume managers live in the sub-packages lvm (with
// thin pools), zfs and btrfs, directory storages with their systemd mount
// units in directory; storage.cfg entries in the storage sub-package.
//
// File reads (sysfs, udev data, /proc/mounts, systemd units) go under the
// host root; commands get host device paths (/dev/...), which are the
// same thing in production where the root is "/".
package disks

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"time"

	"hostadm/internal/host"
)

// LockPath is the disk lock every disk-changing task holds, as in Proxmox.
// It is shared with Proxmox's disk tools, so it stays at their path in the
// world-writable /run/lock; host.LockFile opens it without following
// symlinks and keeps it 0600, so local users cannot hold it.
const LockPath = "/run/lock/pve-diskmanage.lck"

// lockTimeout is Proxmox's default lock_file timeout.
const lockTimeout = 10 * time.Second

// Config builds a Service.
type Config struct {
	Root   host.Root
	Runner host.Runner
	Logger *slog.Logger
	// ExtraDisks names kernel devices (such as "loop3") that count as local
	// disks besides Proxmox's whitelist (hd*, sd*, vd*, xvd*, nvme*n*,
	// cciss). Production leaves it empty; tests name the loop devices they
	// attached, so nothing else can ever be touched.
	ExtraDisks []string
}

// Service reads and changes the node's disks.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}
}

// Root is the service's host root.
func (s *Service) Root() host.Root { return s.cfg.Root }

// Runner is the service's command runner.
func (s *Service) Runner() host.Runner { return s.cfg.Runner }

// Log is where a task's steps are written (a *tasks.Log in production).
type Log interface {
	io.Writer
	Printf(format string, args ...any)
	Warn(format string, args ...any)
}

// Locked runs fn under the disk lock.
func (s *Service) Locked(ctx context.Context, fn func() error) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// Run runs argv, streaming its output to l when l is not nil, after
// writing the command line as "# cmd" the way Proxmox's workers do.
func (s *Service) Run(ctx context.Context, l Log, argv ...string) (host.Result, error) {
	c := host.Cmd{Argv: argv}
	if l != nil {
		l.Printf("# %s", joinArgv(argv))
		c.Output = l
	}
	return s.cfg.Runner.Run(ctx, c)
}

// RunInput is Run with stdin fed to the command. The input is never
// written to the log (it carries key material such as ZFS passphrases).
func (s *Service) RunInput(ctx context.Context, l Log, stdin []byte, argv ...string) (host.Result, error) {
	c := host.Cmd{Argv: argv, Stdin: stdin}
	if l != nil {
		l.Printf("# %s", joinArgv(argv))
		c.Output = l
	}
	return s.cfg.Runner.Run(ctx, c)
}

// Output runs argv and returns its standard output.
func (s *Service) Output(ctx context.Context, argv ...string) ([]byte, error) {
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: time.Minute})
	return res.Stdout, err
}

func (s *Service) extra(name string) bool { return slices.Contains(s.cfg.ExtraDisks, name) }

// exitCode returns the exit code of a command that ran but failed, or -1
// when it did not run at all.
func exitCode(err error) int {
	var ee *host.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode
	}
	return -1
}

func joinArgv(argv []string) string {
	out := ""
	for i, a := range argv {
		if i > 0 {
			out += " "
		}
		out += a
	}
	return out
}
