package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestDiskSmartd sets the DEVICESCAN schedule and a disk override the way
// an admin would from the shell, and refuses a bad schedule.
func TestDiskSmartd(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Files: map[string]string{"etc/smartd.conf": "DEVICESCAN -a -m root\n"}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	disk := func(args ...string) (int, string, string) {
		return run(t, "", append(append([]string{"hostadm", "disk"}, args...), flags...)...)
	}
	if code, out, errOut := disk("smartd", "set", "DEVICESCAN", "--schedule", "S/../.././02"); code != 0 {
		t.Fatalf("set: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := disk("smartd", "set", "/dev/disk/by-id/ata-X", "--mail", "ops@example.com"); code != 0 {
		t.Fatalf("override: %d %s %s", code, out, errOut)
	}
	code, out, _ := disk("smartd", "show")
	if code != 0 || !strings.Contains(out, "S/../.././02") || !strings.Contains(out, "/dev/disk/by-id/ata-X") || !strings.Contains(out, "digest: ") {
		t.Errorf("show: %d %s", code, out)
	}
	before, _ := os.ReadFile(filepath.Join(env.Root, "etc/smartd.conf"))
	if code, _, errOut := disk("smartd", "set", "DEVICESCAN", "--schedule", "x -M exec /bin/sh"); code == 0 || !strings.Contains(errOut, "schedule") {
		t.Errorf("bad schedule: %d %s", code, errOut)
	}
	after, _ := os.ReadFile(filepath.Join(env.Root, "etc/smartd.conf"))
	if string(after) != string(before) || string(after) != "/dev/disk/by-id/ata-X -a -m ops@example.com -s S/../.././02\nDEVICESCAN -a -m root -s S/../.././02\n" {
		t.Errorf("file:\n%s", after)
	}
}
