package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestHistoryCLI changes /etc/hosts through the CLI in-process, lists and
// shows the change, and reverts it.
func TestHistoryCLI(t *testing.T) {
	env := daemontest.Start(t)
	hosts := filepath.Join(env.Root, "etc/hosts")
	os.MkdirAll(filepath.Dir(hosts), 0o755)
	os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"), 0o644)
	root := []string{"--root", env.Root, "--node", daemontest.Node}
	mustRun(t, append([]string{"hostadm", "pvesh", "create", "/nodes/" + daemontest.Node + "/hosts", "--data", "127.0.0.1 localhost\n192.0.2.3 cli\n"}, root...)...)
	out := mustRun(t, append([]string{"hostadm", "history", "list", "--path", "/etc/hosts"}, root...)...)
	m := regexp.MustCompile(`(?m)^(\d+)\s.*root@pam\s+write\s+/etc/hosts$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("history list:\n%s", out)
	}
	show := mustRun(t, append([]string{"hostadm", "history", "show", m[1]}, root...)...)
	if !strings.Contains(show, "+192.0.2.3 cli") || !strings.Contains(show, "POST /nodes/"+daemontest.Node+"/hosts") {
		t.Errorf("history show:\n%s", show)
	}
	mustRun(t, append([]string{"hostadm", "history", "revert", m[1]}, root...)...)
	if b, _ := os.ReadFile(hosts); string(b) != "127.0.0.1 localhost\n" {
		t.Errorf("after revert: %q", b)
	}
	if code, _, errOut := run(t, "", append([]string{"hostadm", "history", "revert", m[1]}, root...)...); code == 0 || !strings.Contains(errOut, "changed since") {
		t.Errorf("second revert: %d %s", code, errOut)
	}
}
