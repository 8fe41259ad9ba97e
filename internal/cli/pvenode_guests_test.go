package cli_test

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestPvenodeBulk runs startall and stopall the way the boot unit does:
// the CLI in-process as root over the node's root, waiting for the task
// and printing its log; a real QEMU VM starts and is stopped again.
func TestPvenodeBulk(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed (Debian package qemu-system-x86)")
	}
	env := daemontest.Start(t)
	t.Cleanup(func() { killUnder(env.Root) })
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

func killUnder(dir string) {
	ents, _ := os.ReadDir("/proc")
	for _, d := range ents {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + d.Name() + "/cmdline"); err == nil && bytes.Contains(b, []byte(dir+"/")) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
