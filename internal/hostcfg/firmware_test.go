package hostcfg

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func fakeFwupd(t *testing.T, dir string) {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "usr/bin"), 0o755)
	os.WriteFile(filepath.Join(dir, FwupdMgr), nil, 0o755)
}

// TestFirmwareNotInstalled: without fwupd the answer says so, nothing runs
// and an update is refused.
func TestFirmwareNotInstalled(t *testing.T) {
	s, rec, _ := newTestService(t)
	fw, err := s.Firmware(context.Background())
	if err != nil || fw.Installed != 0 || !strings.Contains(fw.Message, "fwupd is not installed") || len(fw.Devices) != 0 {
		t.Fatalf("%+v %v", fw, err)
	}
	if err := s.UpdateFirmware(context.Background(), &bytes.Buffer{}); !errors.Is(err, ErrNoFwupd) {
		t.Errorf("update without fwupd: %v", err)
	}
	if c := rec.Calls(); len(c) != 0 {
		t.Errorf("ran %v", c)
	}
}

// TestFirmwareRecorded lists devices and updates from recorded fwupdmgr
// output and runs the update with the exact argv.
func TestFirmwareRecorded(t *testing.T) {
	s, rec, dir := newTestService(t)
	fakeFwupd(t, dir)
	rec.On([]string{"fwupdmgr", "get-devices", "--json"}, host.Reply{Stdout: string(golden.Read(t, "fwupd/get-devices.json"))})
	rec.On([]string{"fwupdmgr", "get-updates", "--json"}, host.Reply{Stdout: string(golden.Read(t, "fwupd/get-updates.json"))})
	rec.On([]string{"fwupdmgr", "update", "--assume-yes", "--no-reboot-check"}, host.Reply{Stdout: "Successfully installed firmware\n"})
	fw, err := s.Firmware(context.Background())
	if err != nil || fw.Installed != 1 || fw.Message != "" {
		t.Fatalf("%+v %v", fw, err)
	}
	if len(fw.Devices) != 1 || fw.Devices[0].Name != "EPYC" || fw.Devices[0].Vendor != "AMD" || fw.Devices[0].Plugin != "cpu" ||
		fw.Devices[0].Updatable != 0 || fw.Devices[0].ID != "4bde70ba4e39b28f9eab1628f9dd6e6244c03027" {
		t.Errorf("devices %+v", fw.Devices)
	}
	want := FirmwareUpdate{DeviceID: "a45df35ac0e948ee180fe216a5f703f32dda163f", Device: "System Firmware", Current: "1.10",
		Version: "1.12", Summary: "Firmware for the Example Corp board", Urgency: "high"}
	if len(fw.Updates) != 1 || fw.Updates[0] != want {
		t.Errorf("updates %+v", fw.Updates)
	}
	var log bytes.Buffer
	if err := s.UpdateFirmware(context.Background(), &log); err != nil || !strings.Contains(log.String(), "Successfully installed") {
		t.Errorf("update: %v %s", err, log.String())
	}
	calls := strings.Join(rec.Calls(), "\n")
	if calls != "fwupdmgr get-devices --json\nfwupdmgr get-updates --json\nfwupdmgr update --assume-yes --no-reboot-check" {
		t.Errorf("calls:\n%s", calls)
	}
}

// TestFirmwareNoDaemon: the real client's answer without a daemon (exit
// code 1 with a JSON error) becomes the message.
func TestFirmwareNoDaemon(t *testing.T) {
	s, rec, dir := newTestService(t)
	fakeFwupd(t, dir)
	rec.On([]string{"fwupdmgr", "get-devices", "--json"}, host.Reply{Stdout: string(golden.Read(t, "fwupd/no-daemon.json")), ExitCode: 1})
	fw, err := s.Firmware(context.Background())
	if err != nil || fw.Installed != 1 || !strings.Contains(fw.Message, "Failed to connect to daemon") {
		t.Fatalf("%+v %v", fw, err)
	}
}

// TestFirmwareLive runs the real fwupdmgr when it is installed: whatever
// the machine has (a daemon or none), the answer decodes.
func TestFirmwareLive(t *testing.T) {
	if _, err := exec.LookPath("fwupdmgr"); err != nil {
		t.Skip("fwupdmgr not installed (Debian package fwupd)")
	}
	dir := t.TempDir()
	root, _ := host.NewRoot(dir)
	fakeFwupd(t, dir)
	s := New(Config{Root: root, Runner: host.ExecRunner{}, ZoneInfo: "/usr/share/zoneinfo"})
	fw, err := s.Firmware(context.Background())
	if err != nil || fw.Installed != 1 || strings.Contains(fw.Message, "unreadable output") {
		t.Fatalf("%+v %v", fw, err)
	}
	if fw.Message == "" && fw.Devices == nil {
		t.Errorf("neither devices nor a message: %+v", fw)
	}
	t.Logf("live fwupdmgr: %d devices, message %q", len(fw.Devices), fw.Message)
}
