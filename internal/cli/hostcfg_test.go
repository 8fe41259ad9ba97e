package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestPvenodeConfigAndHostCommands runs one scenario through the CLI in
// process: pvenode config set/get, pvenode wakeonlan's refusal for the
// local node, and hostadm dns/hosts.
func TestPvenodeConfigAndHostCommands(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Files: map[string]string{
		"etc/resolv.conf": "nameserver 192.0.2.1\n",
		"etc/hosts":       "127.0.0.1 localhost\n",
	}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	mustRun(t, append([]string{"pvenode", "config", "set", "--description", "Rack 4: top",
		"--wakeonlan", "aa:bb:cc:dd:ee:f0", "--startall-onboot-delay", "20"}, flags...)...)
	out := mustRun(t, append([]string{"hostadm", "pvenode", "config", "get"}, flags...)...)
	if out != "#Rack 4: top\nstartall-onboot-delay: 20\nwakeonlan: aa:bb:cc:dd:ee:f0\n" {
		t.Errorf("config get:\n%s", out)
	}
	out = mustRun(t, append([]string{"pvenode", "config", "get", "--property", "wakeonlan", "--output-format", "json"}, flags...)...)
	if strings.TrimSpace(out) != `{"wakeonlan":"aa:bb:cc:dd:ee:f0"}` {
		t.Errorf("property: %s", out)
	}
	code, _, errOut := run(t, "", append([]string{"pvenode", "wakeonlan", daemontest.Node}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "is local node, cannot wake my self!") {
		t.Errorf("wakeonlan local: %d %s", code, errOut)
	}
	mustRun(t, append([]string{"hostadm", "dns", "set", "--search", "example.com", "--dns1", "192.0.2.53"}, flags...)...)
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/resolv.conf")); string(b) != "search example.com\nnameserver 192.0.2.53\n" {
		t.Errorf("resolv.conf %q", b)
	}
	if out := mustRun(t, append([]string{"hostadm", "hosts", "get"}, flags...)...); out != "127.0.0.1 localhost\n" {
		t.Errorf("hosts get %q", out)
	}
}
