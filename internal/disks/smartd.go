package disks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"hostadm/internal/disks/smartdconf"
	"hostadm/internal/host"
)

// SmartdConf is smartd's configuration file.
const SmartdConf = "/etc/smartd.conf"

// ErrSmartdInput marks a refused smartd.conf edit (bad device, schedule
// or mail target); the API answers it as a parameter error.
var ErrSmartdInput = errors.New("smartd.conf")

// SmartdEntry is one entry of smartd.conf as the API shows it.
type SmartdEntry struct {
	Device     string `json:"device"`
	Schedule   string `json:"schedule,omitempty"` // -s
	Mail       string `json:"mail,omitempty"`     // -m
	Directives string `json:"directives"`         // all directives as written
	Ignored    int    `json:"ignored,omitempty"`  // after DEVICESCAN: smartd does not read it
}

// Smartd is GET disks/smartd: the entries and the file's digest.
type Smartd struct {
	Entries []SmartdEntry `json:"entries"`
	Digest  string        `json:"digest"`
	Exists  int           `json:"exists"`
}

// SmartdConfig reads smartd.conf (a missing file has no entries).
func (s *Service) SmartdConfig() (*Smartd, error) {
	f, digest, exists, err := ReadConf(s.cfg.Root, SmartdConf, smartdconf.Parse)
	if err != nil {
		return nil, err
	}
	out := &Smartd{Entries: []SmartdEntry{}, Digest: digest, Exists: boolInt(exists)}
	scanned := false
	for _, e := range f.Entries() {
		se := SmartdEntry{Device: e.Device, Directives: joinArgv(e.Args), Ignored: boolInt(scanned)}
		se.Schedule, _ = e.Flag("-s")
		se.Mail, _ = e.Flag("-m")
		out.Entries = append(out.Entries, se)
		scanned = scanned || e.Device == smartdconf.DeviceScan
	}
	return out, nil
}

// SetSmartd changes (or adds) the entry of device: DEVICESCAN or a disk's
// override. A stale digest or a bad value changes nothing.
func (s *Service) SetSmartd(ctx context.Context, device string, c smartdconf.Change, digest string) error {
	return s.editSmartd(ctx, digest, func(f *smartdconf.File) error {
		if err := f.Set(device, c); err != nil {
			return fmt.Errorf("%w: %w", ErrSmartdInput, err)
		}
		return nil
	})
}

// RemoveSmartd deletes a disk's override entry.
func (s *Service) RemoveSmartd(ctx context.Context, device, digest string) error {
	return s.editSmartd(ctx, digest, func(f *smartdconf.File) error {
		if err := smartdconf.CheckDevice(device); err != nil {
			return fmt.Errorf("%w: %w", ErrSmartdInput, err)
		}
		if !f.Remove(device) {
			return fmt.Errorf("%w: no entry for '%s'", ErrSmartdInput, device)
		}
		return nil
	})
}

func (s *Service) editSmartd(ctx context.Context, digest string, edit func(*smartdconf.File) error) error {
	unlock, err := s.cfg.Root.Lock(ctx, host.PrivateLock("smartd"), 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	f, cur, _, err := ReadConf(s.cfg.Root, SmartdConf, smartdconf.Parse)
	if err != nil {
		return err
	}
	if err := host.CheckDigest(cur, digest); err != nil {
		return err
	}
	if err := edit(f); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return err
	}
	if err := s.cfg.Root.WriteFileContext(ctx, SmartdConf, b.Bytes(), 0o644); err != nil {
		return err
	}
	if err := s.reloadSmartd(ctx); err != nil {
		return fmt.Errorf("%s written, but smartd did not reload it: %w", SmartdConf, err)
	}
	return nil
}

// reloadSmartd makes a running smartd read the file again: `systemctl
// try-reload-or-restart smartmontools.service` (Debian's unit; smartd.service
// is its alias) acts only when the service is active, so a stopped smartd
// stays stopped. Only where systemd runs the host (/run/systemd/system, as
// sd_booted checks), so never under a test root that lacks it.
func (s *Service) reloadSmartd(ctx context.Context) error {
	if !s.cfg.Root.Exists("/run/systemd/system") {
		return nil
	}
	_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: SmartdReloadArgs, Timeout: 30 * time.Second})
	return err
}

// SmartdReloadArgs is the reload after smartd.conf was written.
var SmartdReloadArgs = []string{"systemctl", "try-reload-or-restart", "smartmontools.service"}

// ReadConf reads the host file path with parse: the parsed file, its
// digest and whether it exists. A missing file parses as empty.
func ReadConf[F any](root host.Root, path string, parse func(io.Reader) (F, error)) (f F, digest string, exists bool, err error) {
	raw, err := root.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = parse(bytes.NewReader(nil))
		return f, "", false, err
	}
	if err != nil {
		return f, "", false, fmt.Errorf("read %s: %w", path, err)
	}
	if f, err = parse(bytes.NewReader(raw)); err != nil {
		return f, "", false, err
	}
	return f, host.Digest(raw), true, nil
}

// SmartEnable turns SMART on for a disk (`smartctl -s on DEV`); exit
// status bits above the first two describe the disk, not a failure.
func (s *Service) SmartEnable(ctx context.Context, dev string) (string, error) {
	if err := s.AssertBlockdev(dev); err != nil {
		return "", err
	}
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"smartctl", "-s", "on", dev}, Timeout: smartTimeout})
	if code := exitCode(err); err != nil && (code < 0 || code&0b11 != 0) {
		return "", fmt.Errorf("enable SMART on %s: %w", dev, err)
	}
	return string(res.Stdout), nil
}

// boolInt is Proxmox's 1/0 for a boolean.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
