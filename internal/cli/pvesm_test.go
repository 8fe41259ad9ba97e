package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestPvesm is the guide's BTRFS scenario as far as storage.cfg goes:
// `pvesm add btrfs my-storage --path /my-storage`, then set, status and
// remove, in-process against the daemon's root.
func TestPvesm(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	os.MkdirAll(filepath.Join(env.Root, "my-storage"), 0o755)
	mustRun(t, append([]string{"pvesm", "add", "btrfs", "my-storage", "--path", "/my-storage"}, flags...)...)
	mustRun(t, append([]string{"hostadm", "pvesm", "set", "my-storage", "--content", "images,rootdir,iso"}, flags...)...)
	out := mustRun(t, append([]string{"pvesm", "status"}, flags...)...)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^Name +Type +Status +Total +Used +Available +%$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^my-storage +btrfs +active +[1-9]\d* +\d+ +\d+ +\d+\.\d\d%$`).MatchString(lines[2]) {
		t.Errorf("status:\n%s", out)
	}
	mustRun(t, append([]string{"pvesm", "set", "my-storage", "--disable", "1"}, flags...)...)
	out = mustRun(t, append([]string{"pvesm", "status"}, flags...)...)
	if !regexp.MustCompile(`(?m)^my-storage +btrfs +disabled +0 +0 +0 +N/A$`).MatchString(out) {
		t.Errorf("disabled status:\n%s", out)
	}
	cfg := mustRun(t, append([]string{"pvesh", "get", "/storage/my-storage", "--output-format", "json"}, flags...)...)
	if !strings.Contains(cfg, `"path":"/my-storage"`) || !strings.Contains(cfg, `"disable":1`) {
		t.Errorf("config: %s", cfg)
	}
	if code, _, errOut := run(t, "", append([]string{"pvesm", "add", "btrfs", "bad/id", "--path", "/x"}, flags...)...); code == 0 ||
		!strings.Contains(errOut, "storage") {
		t.Errorf("bad id: %d %s", code, errOut)
	}
	mustRun(t, append([]string{"pvesm", "remove", "my-storage"}, flags...)...)
	if out := mustRun(t, append([]string{"pvesm", "status"}, flags...)...); strings.Contains(out, "my-storage") {
		t.Errorf("after remove:\n%s", out)
	}
}
