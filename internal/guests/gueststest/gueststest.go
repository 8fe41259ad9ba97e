// Package gueststest helps tests that run real QEMU VMs: it skips a test
// when QEMU is not installed, and kills every process a test's host root
// started by PID, also when the test failed.
package gueststest

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// NeedQEMU skips the test when qemu-system-x86_64 is not on PATH.
func NeedQEMU(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed (Debian package qemu-system-x86; scripts/deps.sh test installs it)")
	}
}

// Under lists the PIDs of the processes whose command line names a path
// below dir (a VM's QEMU names its QMP socket and pid file there).
func Under(dir string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, d := range ents {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + d.Name() + "/cmdline"); err == nil && bytes.Contains(b, []byte(dir+"/")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// KillUnder kills, by PID, every process whose command line names a path
// below dir.
func KillUnder(dir string) {
	for _, pid := range Under(dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
