package hostcfg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/schema"
)

// FwupdMgr is fwupd's client, which talks to the fwupd daemon.
const FwupdMgr = "/usr/bin/fwupdmgr"

// ErrNoFwupd is returned when fwupd is not installed on the node.
var ErrNoFwupd = errors.New("fwupd is not installed on this node (apt-get install fwupd), so persistent firmware cannot be listed or updated")

// FirmwareDevice is one device fwupd knows.
type FirmwareDevice struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Vendor    string   `json:"vendor,omitempty"`
	Version   string   `json:"version,omitempty"`
	Plugin    string   `json:"plugin,omitempty"`
	Flags     []string `json:"flags"`
	Updatable int      `json:"updatable"`
}

// FirmwareUpdate is one release fwupd offers for a device.
type FirmwareUpdate struct {
	DeviceID string `json:"device-id"`
	Device   string `json:"device"`
	Current  string `json:"current-version,omitempty"`
	Version  string `json:"version"`
	Summary  string `json:"summary,omitempty"`
	Urgency  string `json:"urgency,omitempty"`
}

// Firmware is what GET hardware/firmware answers: whether fwupd is
// installed, its devices and available updates, or why they are missing.
type Firmware struct {
	Installed int              `json:"installed"`
	Message   string           `json:"message,omitempty"`
	Devices   []FirmwareDevice `json:"devices"`
	Updates   []FirmwareUpdate `json:"updates"`
}

// fwupdJSON is the shape of fwupdmgr's --json output.
type fwupdJSON struct {
	Devices []struct {
		Name     string   `json:"Name"`
		DeviceID string   `json:"DeviceId"`
		Vendor   string   `json:"Vendor"`
		Version  string   `json:"Version"`
		Plugin   string   `json:"Plugin"`
		Flags    []string `json:"Flags"`
		Releases []struct {
			Version string `json:"Version"`
			Summary string `json:"Summary"`
			Urgency string `json:"Urgency"`
		} `json:"Releases"`
	} `json:"Devices"`
	Error *struct {
		Message string `json:"Message"`
	} `json:"Error"`
}

// fwupdInstalled tells whether fwupd's client exists on the node.
func (s *Service) fwupdInstalled() bool { return s.cfg.Root.Exists(FwupdMgr) }

// Firmware lists fwupd's devices and updates. Without fwupd it says so;
// when the daemon does not answer, its message is shown.
func (s *Service) Firmware(ctx context.Context) (*Firmware, error) {
	out := &Firmware{Devices: []FirmwareDevice{}, Updates: []FirmwareUpdate{}}
	if !s.fwupdInstalled() {
		out.Message = ErrNoFwupd.Error()
		return out, nil
	}
	out.Installed = 1
	devs, err := s.fwupd(ctx, "get-devices")
	if err != nil {
		out.Message = err.Error()
		return out, nil
	}
	for _, d := range devs.Devices {
		out.Devices = append(out.Devices, FirmwareDevice{ID: d.DeviceID, Name: d.Name, Vendor: d.Vendor,
			Version: d.Version, Plugin: d.Plugin, Flags: nonNil(d.Flags), Updatable: schema.Flag(slices.Contains(d.Flags, "updatable"))})
	}
	ups, err := s.fwupd(ctx, "get-updates")
	if err != nil {
		out.Message = err.Error()
		return out, nil
	}
	for _, d := range ups.Devices {
		for _, r := range d.Releases {
			out.Updates = append(out.Updates, FirmwareUpdate{DeviceID: d.DeviceID, Device: d.Name, Current: d.Version,
				Version: r.Version, Summary: r.Summary, Urgency: r.Urgency})
		}
	}
	return out, nil
}

// fwupd runs `fwupdmgr VERB --json` and decodes it. Exit code 2 is
// fwupd's "nothing to do" (no updates).
func (s *Service) fwupd(ctx context.Context, verb string) (*fwupdJSON, error) {
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"fwupdmgr", verb, "--json"}, OKCodes: []int{2},
		Timeout: 2 * time.Minute, Env: []string{"LC_ALL=C.UTF-8"}})
	var out fwupdJSON
	jerr := json.Unmarshal(res.Stdout, &out)
	if jerr == nil && out.Error != nil {
		return nil, fmt.Errorf("fwupdmgr %s: %s", verb, out.Error.Message)
	}
	if err != nil {
		return nil, err
	}
	if res.ExitCode == 2 {
		return &fwupdJSON{}, nil
	}
	if jerr != nil {
		return nil, fmt.Errorf("fwupdmgr %s: unreadable output: %w", verb, jerr)
	}
	return &out, nil
}

// CheckFirmwareUpdate refuses an update when fwupd is not installed.
func (s *Service) CheckFirmwareUpdate() error {
	if !s.fwupdInstalled() {
		return ErrNoFwupd
	}
	return nil
}

// UpdateFirmware is the task body: `fwupdmgr update` without questions and
// without rebooting; the log says when a reboot applies the update.
func (s *Service) UpdateFirmware(ctx context.Context, log io.Writer) error {
	if err := s.CheckFirmwareUpdate(); err != nil {
		return err
	}
	argv := []string{"fwupdmgr", "update", "--assume-yes", "--no-reboot-check"}
	fmt.Fprintf(log, "running %s\n", strings.Join(argv, " "))
	_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, OKCodes: []int{2}, Output: log, Timeout: time.Hour,
		Env: []string{"LC_ALL=C.UTF-8"}})
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// boolInt is Proxmox's 1/0 for a boolean.
