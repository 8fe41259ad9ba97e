package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

const cliNetFile = `auto lo
iface lo inet loopback

iface eth0 inet manual

auto vmbr0
iface vmbr0 inet static
	address 192.0.2.10/24
	gateway 192.0.2.1
	bridge-ports eth0
	bridge-stp off
	bridge-fd 0
`

// TestNetworkCommands runs `hostadm network` in process against a daemon's
// root: list and show, a change staged through pvesh seen by diff and
// dropped by revert, pinning (dry run, then for real), and the refusals
// of apply without ifupdown2 and of confirm without a pending rollback.
func TestNetworkCommands(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Files: map[string]string{
		"etc/network/interfaces":     cliNetFile,
		"sys/class/net/eth0/address": "bc:24:11:00:00:01\n",
		"sys/class/net/eth0/flags":   "0x1003\n",
		"proc/net/dev":               "Inter-|\n face |\n  eth0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	}, Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "sys/class/net/eth0/device"), 0o755)
	}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	net := func(args ...string) string {
		t.Helper()
		return mustRun(t, append(append([]string{"hostadm", "network"}, args...), flags...)...)
	}
	if out := net("list"); !strings.Contains(out, "vmbr0") || !strings.Contains(out, "192.0.2.10/24") || !strings.Contains(out, "eth0") {
		t.Errorf("list:\n%s", out)
	}
	if out := net("show", "vmbr0", "--output-format", "json"); !strings.Contains(out, `"cidr":"192.0.2.10/24"`) {
		t.Errorf("show:\n%s", out)
	}
	if out := net("diff"); out != "no pending network changes\n" {
		t.Errorf("diff before: %q", out)
	}
	mustRun(t, append([]string{"hostadm", "pvesh", "set", "/nodes/" + daemontest.Node + "/network/vmbr0",
		"--type", "bridge", "--cidr", "192.0.2.11/24", "--bridge_ports", "eth0"}, flags...)...)
	out := net("diff")
	if !strings.Contains(out, "-\taddress 192.0.2.10/24") || !strings.Contains(out, "+\taddress 192.0.2.11/24") ||
		!strings.Contains(out, "+++ /etc/network/interfaces.new") {
		t.Errorf("diff after set:\n%s", out)
	}
	net("revert")
	if out := net("diff"); out != "no pending network changes\n" {
		t.Errorf("diff after revert: %q", out)
	}

	if out := net("pin", "--dry-run", "1"); out != "Name for link 'eth0' (bc:24:11:00:00:01) will change to 'nic0': /usr/local/lib/systemd/network/50-pve-nic0.link\n" {
		t.Errorf("pin --dry-run: %q", out)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "usr/local/lib/systemd/network/50-pve-nic0.link")); !os.IsNotExist(err) {
		t.Error("dry run wrote a link file")
	}
	net("pin")
	if b, _ := os.ReadFile(filepath.Join(env.Root, "usr/local/lib/systemd/network/50-pve-nic0.link")); string(b) !=
		"[Match]\nMACAddress=bc:24:11:00:00:01\nType=ether\n\n[Link]\nName=nic0\n" {
		t.Errorf("link file: %q", b)
	}
	if out := net("diff"); !strings.Contains(out, "+\tbridge-ports nic0") || !strings.Contains(out, "+iface nic0 inet manual") {
		t.Errorf("diff after pin:\n%s", out)
	}
	if out := net("pin"); out != "Nothing to do, aborting.\n" {
		t.Errorf("second pin: %q", out)
	}

	code, _, errOut := run(t, "", append([]string{"hostadm", "network", "apply", "--rollback-timeout", "60"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "you need ifupdown2 to reload network configuration") {
		t.Errorf("apply without ifupdown2: %d %s", code, errOut)
	}
	code, _, errOut = run(t, "", append([]string{"hostadm", "network", "confirm"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "no network change is waiting for confirmation") {
		t.Errorf("confirm: %d %s", code, errOut)
	}
	code, _, errOut = run(t, "", append([]string{"hostadm", "network", "pin", "--prefix", "a;reboot"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "prefix") {
		t.Errorf("bad prefix: %d %s", code, errOut)
	}
}
