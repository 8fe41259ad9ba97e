package cli_test

import (
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/guests/gueststest"
)

// TestPvenodeBulk runs startall and stopall the way the boot unit does:
// the CLI in-process as root over the node's root, waiting for the task
// and printing its log; a real QEMU VM starts and is stopped again.
func TestPvenodeBulk(t *testing.T) {
	gueststest.NeedQEMU(t)
	env := daemontest.Start(t)
	t.Cleanup(func() { gueststest.KillUnder(env.Root) })
	root := env.RootAuth()
	env.MustOK(root, "POST", "/nodes/"+daemontest.Node+"/qemu", url.Values{"vmid": {"150"}, "memory": {"32"},
		"onboot": {"1"}, "startup": {"up=0"}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	out := mustRun(t, append([]string{"pvenode", "startall"}, flags...)...)
	if !strings.Contains(out, "Starting VM 150\n") || !strings.Contains(out, "TASK OK") {
		t.Fatalf("startall:\n%s", out)
	}
	cur := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/qemu/150/status/current", nil).Data.(map[string]any)
	if cur["status"] != "running" {
		t.Fatalf("VM 150 after pvenode startall: %v", cur)
	}
	out = mustRun(t, append([]string{"pvenode", "stopall", "--timeout", "1"}, flags...)...)
	if !strings.Contains(out, "Stopping VM 150 (timeout = 1 seconds)\n") || !strings.Contains(out, "TASK OK") {
		t.Fatalf("stopall:\n%s", out)
	}
	cur = env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/qemu/150/status/current", nil).Data.(map[string]any)
	if cur["status"] != "stopped" {
		t.Errorf("VM 150 after pvenode stopall: %v", cur)
	}
	code, _, errOut := run(t, "", append([]string{"pvenode", "migrateall", daemontest.Node}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "target is local node.") {
		t.Errorf("migrateall to self: %d %s", code, errOut)
	}
}
