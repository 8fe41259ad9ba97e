package hostcfg

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"hostadm/internal/host"
)

const ksmDir = "/sys/kernel/mm/ksm"

// KSM reads the kernel's same-page merging state and ksmtuned's unit.
func (s *Service) KSM(ctx context.Context) (map[string]any, error) {
	out := map[string]any{}
	for _, k := range []string{"run", "pages_sharing", "pages_shared", "pages_unshared", "full_scans", "pages_to_scan", "sleep_millisecs"} {
		b, err := s.cfg.Root.ReadFile(ksmDir + "/" + k)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			out[k] = n
		}
	}
	if _, ok := out["run"]; !ok {
		return nil, fmt.Errorf("KSM is not available (%s missing)", ksmDir)
	}
	sharing, _ := out["pages_sharing"].(int64)
	out["merged_bytes"] = sharing * int64(os.Getpagesize())
	st, _ := s.ServiceState(ctx, "ksmtuned")
	out["ksmtuned"] = st
	return out, nil
}

// SetKSM enables or disables KSM (task body). Disabling stops and disables
// ksmtuned, then writes 2 to run, which unmerges every shared page.
// Enabling enables and starts ksmtuned where it is installed, else writes
// 1 to run.
func (s *Service) SetKSM(ctx context.Context, enable bool, log io.Writer) error {
	p, err := s.unitProps(ctx, "ksmtuned")
	tuned := err == nil && p["LoadState"] == "loaded"
	systemctl := func(verb string) error {
		fmt.Fprintf(log, "systemctl %s ksmtuned\n", verb)
		_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"systemctl", verb, "ksmtuned"}, Output: log})
		return err
	}
	if enable {
		if !tuned {
			return s.writeKSMRun(log, "1")
		}
		if err := systemctl("enable"); err != nil {
			return err
		}
		return systemctl("start")
	}
	if tuned {
		if err := systemctl("stop"); err != nil {
			return err
		}
		if err := systemctl("disable"); err != nil {
			return err
		}
	}
	return s.writeKSMRun(log, "2")
}

// writeKSMRun writes the run file in place (a sysfs attribute cannot be
// replaced by rename).
func (s *Service) writeKSMRun(log io.Writer, v string) error {
	fmt.Fprintf(log, "echo %s > %s/run\n", v, ksmDir)
	f, err := os.OpenFile(s.cfg.Root.Path(ksmDir+"/run"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("KSM: %w", err)
	}
	_, err = f.WriteString(v + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("KSM: write run: %w", err)
	}
	return nil
}
