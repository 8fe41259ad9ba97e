package apt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"hostadm/internal/apt/cpusec"
)

// Microcode actions the microcode task knows.
const (
	MicrocodeInstall   = "install"
	MicrocodeDowngrade = "downgrade"
	MicrocodeHold      = "hold"
	MicrocodeUnhold    = "unhold"
)

// MicrocodeActions lists the actions in the API's order.
var MicrocodeActions = []string{MicrocodeInstall, MicrocodeDowngrade, MicrocodeHold, MicrocodeUnhold}

// ErrMicrocodeInput marks a refused microcode request (bad version,
// unknown CPU vendor); the API answers it as a parameter error.
var ErrMicrocodeInput = errors.New("microcode")

// debVersion is Debian's version syntax (epoch, upstream, revision).
var debVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$`) })

// Microcode is the CPU vendor's microcode package as apt and dpkg see it.
type Microcode struct {
	Vendor    string   `json:"vendor"`
	Package   string   `json:"package"`
	Installed int      `json:"installed"`
	Version   string   `json:"version,omitempty"`
	Held      int      `json:"held"`
	Available []string `json:"available"` // versions the repositories offer, newest first
}

// Microcode reports the vendor's package: installed version, hold state
// and the versions the configured repositories offer.
func (s *Service) Microcode(ctx context.Context) (*Microcode, error) {
	pkg, vendor, err := s.microcodeTarget()
	if err != nil {
		return nil, err
	}
	mp := s.microcodePackage(vendor)
	m := &Microcode{Vendor: vendor, Package: pkg, Installed: mp.Installed, Version: mp.Version}
	raw, _ := s.cfg.Root.ReadFile(dpkgStatus)
	if selection(raw, pkg) == "hold" {
		m.Held = 1
	}
	if m.Available, err = s.availableVersions(ctx, pkg); err != nil {
		return nil, err
	}
	return m, nil
}

// CheckMicrocode validates a request before its task starts: the package
// follows from the CPU vendor, downgrade needs a version the repositories
// offer, hold and unhold take none.
func (s *Service) CheckMicrocode(ctx context.Context, action, version string) (string, error) {
	pkg, _, err := s.microcodeTarget()
	if err != nil {
		return "", err
	}
	switch {
	case !slices.Contains(MicrocodeActions, action):
		return "", fmt.Errorf("%w: unknown action '%s'", ErrMicrocodeInput, action)
	case version != "" && (action == MicrocodeHold || action == MicrocodeUnhold):
		return "", fmt.Errorf("%w: '%s' takes no version", ErrMicrocodeInput, action)
	case version == "" && action == MicrocodeDowngrade:
		return "", fmt.Errorf("%w: downgrade needs the version to go back to", ErrMicrocodeInput)
	case version != "" && !debVersion().MatchString(version):
		return "", fmt.Errorf("%w: '%s' is not a Debian package version", ErrMicrocodeInput, version)
	}
	if version == "" {
		return pkg, nil
	}
	avail, err := s.availableVersions(ctx, pkg)
	if err != nil {
		return "", err
	}
	if !slices.Contains(avail, version) {
		return "", fmt.Errorf("%w: version '%s' of %s is not offered by the configured repositories (offered: %s)",
			ErrMicrocodeInput, version, pkg, strings.Join(avail, ", "))
	}
	return pkg, nil
}

// MicrocodeTask is the task body: apt-get install (non-interactive, old
// configuration files kept; downgrades allowed only for downgrade) or
// apt-mark hold/unhold, on the vendor's package only.
func (s *Service) MicrocodeTask(ctx context.Context, log io.Writer, action, version string) error {
	pkg, err := s.CheckMicrocode(ctx, action, version)
	if err != nil {
		return err
	}
	var argv []string
	switch action {
	case MicrocodeHold, MicrocodeUnhold:
		argv = []string{"apt-mark", action, pkg}
	default:
		argv = []string{"apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}
		if action == MicrocodeDowngrade {
			argv = append(argv, "--allow-downgrades")
		}
		target := pkg
		if version != "" {
			target += "=" + version
		}
		argv = append(argv, "install", target)
	}
	c, err := s.aptCmd(argv...)
	if err != nil {
		return err
	}
	c.Timeout, c.Output = 30*time.Minute, log
	fmt.Fprintf(log, "running %s\n", strings.Join(argv, " "))
	if _, err := s.cfg.Runner.Run(ctx, c); err != nil {
		return err
	}
	if action == MicrocodeInstall || action == MicrocodeDowngrade {
		fmt.Fprintln(log, "the new microcode is loaded early at the next boot (reboot required)")
	}
	return nil
}

// microcodeTarget is the package for the CPU vendor of ROOT/proc/cpuinfo.
func (s *Service) microcodeTarget() (pkg, vendor string, err error) {
	vendor = s.cpuVendor()
	pkg = cpusec.MicrocodePackage(vendor)
	if pkg == "" {
		return "", vendor, fmt.Errorf("%w: no Debian microcode package for CPU vendor '%s' (only GenuineIntel: intel-microcode, AuthenticAMD: amd64-microcode)",
			ErrMicrocodeInput, vendor)
	}
	return pkg, vendor, nil
}

// availableVersions asks apt-cache madison for the versions on offer.
func (s *Service) availableVersions(ctx context.Context, pkg string) ([]string, error) {
	out, err := s.aptOutput(ctx, time.Minute, "apt-cache", "madison", pkg)
	if err != nil {
		return nil, err
	}
	return parseMadison(out, pkg), nil
}

// parseMadison reads `apt-cache madison` lines ("pkg | version | source").
func parseMadison(out []byte, pkg string) []string {
	vers := []string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) < 3 || strings.TrimSpace(f[0]) != pkg {
			continue
		}
		if v := strings.TrimSpace(f[1]); !slices.Contains(vers, v) {
			vers = append(vers, v)
		}
	}
	return vers
}

// selection is the package's wanted state in the dpkg status file
// (install, hold, deinstall, purge; "" when absent).
func selection(status []byte, pkg string) string {
	for _, st := range bytes.Split(status, []byte("\n\n")) {
		if !bytes.HasPrefix(st, []byte("Package: "+pkg+"\n")) && !bytes.Contains(st, []byte("\nPackage: "+pkg+"\n")) {
			continue
		}
		for _, l := range strings.Split(string(st), "\n") {
			if v, ok := strings.CutPrefix(l, "Status: "); ok {
				if f := strings.Fields(v); len(f) > 0 {
					return f[0]
				}
			}
		}
	}
	return ""
}
