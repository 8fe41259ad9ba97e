package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestDiskZfsZed sets ZED's mail address from the shell and refuses one a
// shell would expand, leaving zed.rc as it was.
func TestDiskZfsZed(t *testing.T) {
	orig := "##\n# comment\n#ZED_EMAIL_ADDR=\"root\"\nZED_USE_ENCLOSURE_LEDS=1\n"
	env := daemontest.Start(t, daemontest.Options{Files: map[string]string{"etc/zfs/zed.d/zed.rc": orig}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	disk := func(args ...string) (int, string, string) {
		return run(t, "", append(append([]string{"hostadm", "disk"}, args...), flags...)...)
	}
	if code, _, errOut := disk("zfs", "zed", "set", "--email-addr", "root $(reboot)"); code == 0 || !strings.Contains(errOut, "email-addr") {
		t.Errorf("bad address: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/zfs/zed.d/zed.rc")); string(b) != orig {
		t.Fatalf("refused edit wrote:\n%s", b)
	}
	if code, out, errOut := disk("zfs", "zed", "set", "--email-addr", "ops@example.com"); code != 0 {
		t.Fatalf("set: %d %s %s", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/zfs/zed.d/zed.rc")); string(b) != strings.Replace(orig, `#ZED_EMAIL_ADDR="root"`, `ZED_EMAIL_ADDR="ops@example.com"`, 1) {
		t.Errorf("zed.rc:\n%s", b)
	}
	if code, out, _ := disk("zfs", "zed", "get", "--output-format", "json"); code != 0 || !strings.Contains(out, `"email-addr":"ops@example.com"`) {
		t.Errorf("get: %d %s", code, out)
	}
}
