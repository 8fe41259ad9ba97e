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
	unit, err := os.ReadFile("hostadm.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/bin/hostadm serve") {
		t.Fatal("unit does not start `hostadm serve`")
	}
	verifyUnit(t, "hostadm.service", "")
}

// verifyUnit runs systemd-analyze verify on a unit with its ExecStart
// pointing at binary (a stand-in script when binary is empty: this machine
// has no /usr/bin/hostadm) and fails on any complaint about the unit.
func verifyUnit(t *testing.T, path, binary string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	unit, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if binary == "" {
		binary = filepath.Join(dir, "hostadm")
		if err := os.WriteFile(binary, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	name := filepath.Base(path)
	copyPath := filepath.Join(dir, name)
	body := strings.ReplaceAll(string(unit), "/usr/bin/hostadm", binary)
	if err := os.WriteFile(copyPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(analyze, "verify", copyPath).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, name) {
			t.Errorf("systemd-analyze: %s", line)
		}
	}
}

// TestBootTimeUnitsVerify checks the units that run at boot: the network
// commit must be ordered before networking.service and run `hostadm
// network commit`; the boot cleanup drops a next-boot kernel pin.
func TestBootTimeUnitsVerify(t *testing.T) {
	for name, want := range map[string][]string{
		"hostadm-netcommit.service": {"ExecStart=/usr/bin/hostadm network commit\n", "Before=sysinit.target networking.service", "WantedBy=sysinit.target\n", "ConditionFileNotEmpty=/etc/network/interfaces.new\n", "DefaultDependencies=no\n"},
		"hostadm-guests.service": {"ExecStart=/usr/bin/hostadm pvenode startall\n", "ExecStop=/usr/bin/hostadm pvenode stopall\n",
			"After=hostadm.service", "Type=oneshot\n", "RemainAfterExit=yes\n", "WantedBy=multi-user.target\n"},
		"hostadm.service": {"KillMode=process\n"},
		"hostadm-boot-cleanup.service": {"ExecStart=/usr/bin/hostadm proxmox-boot-tool kernel unpin --next-boot\n",
			"ExecStart=/usr/bin/hostadm proxmox-boot-tool refresh\n", "ConditionPathExists=/etc/kernel/next-boot-pin\n"},
	} {
		unit, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(unit), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
		verifyUnit(t, name, "")
	}
}
