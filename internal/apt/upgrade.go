package apt

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Upgrade is the body of the aptupgrade task: a non-interactive
// dist-upgrade that keeps existing configuration files, then a refreshed
// update cache and the reboot verdict.
func (s *Service) Upgrade(ctx context.Context, log io.Writer) error {
	c, err := s.aptCmd("apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef",
		"-o", "Dpkg::Options::=--force-confold", "dist-upgrade")
	if err != nil {
		return err
	}
	c.Timeout = 2 * time.Hour
	c.Output = log
	fmt.Fprintln(log, "starting apt-get dist-upgrade")
	if _, err := s.cfg.Runner.Run(ctx, c); err != nil {
		return err
	}
	if _, err := s.refreshCache(ctx); err != nil {
		fmt.Fprintf(log, "warning: refreshing the update list failed: %v\n", err)
	}
	if why := s.RebootRequired(); why != "" {
		fmt.Fprintf(log, "reboot required: %s\n", why)
	} else {
		fmt.Fprintln(log, "no reboot required")
	}
	return nil
}

// RebootRequired returns why a reboot is needed, "" when it is not: the
// running kernel is older than the newest installed one, or
// /run/reboot-required exists.
func (s *Service) RebootRequired() string {
	if s.cfg.Root.Exists("/run/reboot-required") {
		return "/run/reboot-required exists"
	}
	raw, err := s.cfg.Root.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	running := strings.TrimSpace(string(raw))
	if newest := s.newestKernel(); newest != "" && naturalLess(running, newest) {
		return fmt.Sprintf("running kernel %s is older than the newest installed kernel %s", running, newest)
	}
	return ""
}

// newestKernel is the newest installed kernel release.
func (s *Service) newestKernel() string {
	raw, err := s.cfg.Root.ReadFile(dpkgStatus)
	if err != nil {
		return ""
	}
	newest := ""
	for _, p := range parseStatus(raw, func(n string) bool { return kernelRelease(n) != "" }) {
		if rel := kernelRelease(p.Package); p.State == "Installed" && (newest == "" || naturalLess(newest, rel)) {
			newest = rel
		}
	}
	return newest
}
