package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnitVerifies runs systemd-analyze verify on the daemon's unit, with
// ExecStart pointing at a real executable (this machine has no
// /usr/bin/hostadm), and fails on any complaint about the unit.
func TestUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	unit, err := os.ReadFile("hostadm.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/bin/hostadm serve") {
		t.Fatal("unit does not start `hostadm serve`")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "hostadm")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hostadm.service")
	body := strings.ReplaceAll(string(unit), "/usr/bin/hostadm", fake)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(analyze, "verify", path).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "hostadm.service") {
			t.Errorf("systemd-analyze: %s", line)
		}
	}
}
