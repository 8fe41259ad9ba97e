package guests

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// procInfo is what /proc tells about a VM's QEMU process.
type procInfo struct {
	PID       int
	StartTick uint64 // process start, clock ticks since boot
	CPUTicks  uint64 // utime + stime
	RSS       int64  // bytes
}

const clkTck = 100 // USER_HZ on Linux

// readProc reads /proc/PID/stat and statm; ok is false when the process
// is gone or a zombie.
func readProc(pid int) (procInfo, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procInfo{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 22 || f[0] == "Z" || f[0] == "X" {
		return procInfo{}, false
	}
	u, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	start, _ := strconv.ParseUint(f[19], 10, 64)
	p := procInfo{PID: pid, StartTick: start, CPUTicks: u + st}
	if m, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid)); err == nil {
		if mf := strings.Fields(string(m)); len(mf) > 1 {
			pages, _ := strconv.ParseInt(mf[1], 10, 64)
			p.RSS = pages * int64(os.Getpagesize())
		}
	}
	return p, true
}

// cmdlineHas tells whether the process's command line contains arg, so
// a pid file left behind never makes an unrelated process "the VM".
func cmdlineHas(pid int, arg string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	for _, a := range bytes.Split(b, []byte{0}) {
		if string(a) == arg {
			return true
		}
	}
	return false
}

// bootTime is the host's boot time in epoch seconds (/proc/stat btime).
func bootTime() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

func signal(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("kill %d: %w", pid, err)
	}
	return nil
}
