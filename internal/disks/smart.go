package disks

import (
	"context"
	"fmt"
	"time"

	"hostadm/internal/host"
)

// smartTimeout is how long smartctl may take, as in Proxmox.
const smartTimeout = 10 * time.Second

// Smart runs `smartctl -j -H [-A] DEV` and parses its JSON. Exit status
// bits 0 and 1 (command line or device open failed) are errors, the other
// bits describe the disk's state and are kept in ExitStatus.
func (s *Service) Smart(ctx context.Context, dev string, healthOnly bool) (*SmartData, error) {
	if err := s.AssertBlockdev(dev); err != nil {
		return nil, err
	}
	argv := []string{"smartctl", "-j", "-H"}
	if !healthOnly {
		argv = append(argv, "-A")
	}
	return s.smartctl(ctx, append(argv, dev))
}

// SmartSelfTests reads the self-test log (`smartctl -j -l selftest DEV`).
func (s *Service) SmartSelfTests(ctx context.Context, dev string) ([]SelfTest, error) {
	if err := s.AssertBlockdev(dev); err != nil {
		return nil, err
	}
	sd, err := s.smartctl(ctx, []string{"smartctl", "-j", "-l", "selftest", dev})
	if err != nil {
		return nil, err
	}
	if sd.SelfTests == nil {
		return []SelfTest{}, nil
	}
	return sd.SelfTests, nil
}

func (s *Service) smartctl(ctx context.Context, argv []string) (*SmartData, error) {
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: smartTimeout})
	code := res.ExitCode
	if err != nil && exitCode(err) < 0 {
		return nil, fmt.Errorf("Error getting S.M.A.R.T. data: %w", err)
	}
	if code&0b11 != 0 {
		return nil, fmt.Errorf("Error getting S.M.A.R.T. data: Exit code: %d", code)
	}
	sd, perr := ParseSmartctlJSON(res.Stdout)
	if perr != nil {
		return nil, fmt.Errorf("Error getting S.M.A.R.T. data: %w", perr)
	}
	sd.ExitStatus = code
	return sd, nil
}

// SmartTest starts (kind "short" or "long") or aborts (kind "abort") a
// self-test, writing smartctl's output to l.
func (s *Service) SmartTest(ctx context.Context, l Log, dev, kind string) error {
	if err := s.AssertBlockdev(dev); err != nil {
		return err
	}
	argv := []string{"smartctl", "-t", kind, dev}
	switch kind {
	case "short", "long":
	case "abort":
		argv = []string{"smartctl", "-X", dev}
	default:
		return fmt.Errorf("unknown self-test '%s'", kind)
	}
	_, err := s.Run(ctx, l, argv...)
	if code := exitCode(err); code > 0 && code&0b11 == 0 {
		return nil // disk-state bits only
	}
	return err
}
