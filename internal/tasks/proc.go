package tasks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// readBootTime reads the "btime" line of /proc/stat.
func readBootTime(path string) (time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, fmt.Errorf("boot time: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("boot time in %s: %w", path, err)
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("boot time: no btime in %s", path)
}

// nextPStart returns the pstart for a task starting now: clock ticks since
// boot, at least one more than the previous task's. Callers hold m.mu.
func (m *Manager) nextPStart() uint64 {
	var ticks uint64
	if d := m.cfg.Clock().Sub(m.cfg.BootTime); d > 0 {
		ticks = uint64(d / (time.Second / ticksPerSecond))
	}
	if ticks <= m.lastPStart {
		ticks = m.lastPStart + 1
	}
	m.lastPStart = ticks
	return ticks
}

// taskAlive decides whether a task that the active file lists as running
// still runs. Tasks of this Manager run when they are in its running map.
// A task with this process's PID that is not in the map belongs to an
// earlier daemon that had the same PID (common in containers) and is dead.
// A task of another PID (a CLI running a task in-process, or a Proxmox
// worker) runs when that process exists, started no later than the task
// (its /proc stat start time is ≤ the UPID's pstart, which also rules out a
// reused PID) and the task started in this boot.
//
// Callers hold m.mu.
func (m *Manager) taskAlive(u UPID) bool {
	if _, ok := m.running[u.String()]; ok {
		return true
	}
	if u.PID == m.cfg.PID || u.StartTime < m.cfg.BootTime.Unix() {
		return false
	}
	start, err := procStartTicks(m.cfg.ProcDir, u.PID)
	return err == nil && start <= u.PStart
}

// procStartTicks reads field 22 (starttime) of /proc/<pid>/stat.
func procStartTicks(procDir string, pid uint32) (uint64, error) {
	data, err := os.ReadFile(filepath.Join(procDir, strconv.FormatUint(uint64(pid), 10), "stat"))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may contain spaces and parentheses; the
	// fields after it start behind the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat of %d: no command name", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	const startField = 22 - 3 // fields 1 and 2 are before ')'; index from 0
	if len(fields) <= startField {
		return 0, fmt.Errorf("proc stat of %d: too few fields", pid)
	}
	v, err := strconv.ParseUint(fields[startField], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat of %d: %w", pid, err)
	}
	return v, nil
}
