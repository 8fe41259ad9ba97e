// Package hostcfg manages a node's host settings: time zone, NTP (chrony or
// systemd-timesyncd), DNS resolver, /etc/hosts, sysctl snippets, KSM, the
// systemd services a host admin touches, the system log and the system
// report. File formats live in the leaf packages beside it (resolvconf,
// hostsfile, chronyconf, timesyncdconf, sysctlconf); this package reads
// and writes them under the host root and runs the host's tools.
package hostcfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"hostadm/internal/host"
)

// Config holds what the service needs.
type Config struct {
	Root   host.Root
	Runner host.Runner
	Logger *slog.Logger
	Clock  func() time.Time
	// ZoneInfo is the time zone database; default ROOT/usr/share/zoneinfo,
	// or /usr/share/zoneinfo when the root has none.
	ZoneInfo string
}

// Service is the host settings service.
type Service struct {
	cfg Config
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Runner == nil {
		cfg.Runner = host.ExecRunner{}
	}
	if cfg.ZoneInfo == "" {
		cfg.ZoneInfo = cfg.Root.Path("/usr/share/zoneinfo")
		if _, err := os.Stat(cfg.ZoneInfo); err != nil {
			cfg.ZoneInfo = "/usr/share/zoneinfo"
		}
	}
	return &Service{cfg: cfg}
}

// lockWait bounds every file lock, as Proxmox's lock_file does (10 s).
const lockWait = 10 * time.Second

// systemdRunning tells whether systemd is PID 1 on the host (sd_booted).
func (s *Service) systemdRunning() bool { return s.cfg.Root.Exists("/run/systemd/system") }

// readFile reads a host file; a missing file reads as empty.
func (s *Service) readFile(p string) ([]byte, error) {
	b, err := s.cfg.Root.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

// writeFile writes a host file atomically, keeping the mode of the file it
// replaces (0644 for a new one). Unchanged content is not rewritten.
func (s *Service) writeFile(ctx context.Context, p string, old, data []byte) error {
	if old != nil && bytes.Equal(old, data) {
		return nil
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(s.cfg.Root.Path(p)); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := s.cfg.Root.WriteFileContext(ctx, p, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// run runs a command with a timeout.
func (s *Service) run(ctx context.Context, timeout time.Duration, argv ...string) (host.Result, error) {
	return s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: timeout})
}

// notInstalled tells whether a command failed because the program is missing.
func notInstalled(err error) bool { return errors.Is(err, exec.ErrNotFound) }

func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
