// Package apt manages the node's package repositories and updates the way
// Proxmox VE does: it reads and writes the APT source files (through the
// sources codec), reports Proxmox's repository checks and standard
// repositories, runs apt-get update and dist-upgrade as tasks, computes the
// upgradable package list from apt's own resolution, and mails root about
// new package versions.
//
// All apt-get runs go through the injected Runner. When the host root is
// not "/", apt is pointed at the root's own configuration, state, cache and
// dpkg database (APT_CONFIG with Dir and dpkg --root), so tests use a
// sandbox and never the machine's own package state.
package apt

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

// Config configures the service.
type Config struct {
	Root    host.Root
	Runner  host.Runner
	Logger  *slog.Logger
	Clock   func() time.Time
	Product string // "pve"
	// Store is the cluster file store: datacenter.cfg gives the HTTP proxy
	// and the mail sender (nil: neither).
	Store cfs.Store
	// Mail configures update notifications.
	Mail MailConfig
}

// Service is the package repository and update service.
type Service struct {
	cfg Config
}

// New builds the service.
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
	if cfg.Product == "" {
		cfg.Product = "pve"
	}
	return &Service{cfg: cfg}
}

// Host paths the service uses.
const (
	sourcesList    = "/etc/apt/sources.list"
	sourcesListDir = "/etc/apt/sources.list.d/"
	listsDir       = "/var/lib/apt/lists"
	osRelease      = "/etc/os-release"
	sourcesLock    = "/run/hostadm/apt-sources.lck" // host.PrivateLock: root-only
)

// codenames are Debian's release names in order (lenny is release 5).
var codenames = []string{"lenny", "squeeze", "wheezy", "jessie", "stretch", "buster",
	"bullseye", "bookworm", "trixie", "forky", "duke"}

// codenameIndex is a release's position, -1 when unknown.
func codenameIndex(name string) int { return slices.Index(codenames, name) }

// Codename reads VERSION_CODENAME from ROOT/etc/os-release.
func (s *Service) Codename() (string, error) {
	raw, err := s.cfg.Root.ReadFile(osRelease)
	if err != nil {
		return "", fmt.Errorf("unable to read '%s' - %w", osRelease, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VERSION_CODENAME="); ok {
			v = strings.Trim(v, `"'`)
			if codenameIndex(v) < 0 {
				return "", fmt.Errorf("unknown Debian code name '%s'", v)
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("unable to parse codename from '%s'", osRelease)
}
