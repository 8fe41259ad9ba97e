package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// UserHZ is the kernel's USER_HZ, the unit of /proc/stat counters. It is 100
// on every architecture Proxmox VE supports.
const UserHZ = 100

// CPUStat holds the aggregate "cpu" line of /proc/stat, in USER_HZ ticks,
// plus the number of per-CPU lines and the boot time.
type CPUStat struct {
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal uint64
	// Guest and GuestNice are already included in User and Nice.
	Guest, GuestNice uint64
	// CPUs is the number of "cpuN" lines (logical CPUs online).
	CPUs int
	// BootTime is the "btime" line, in seconds since the epoch.
	BootTime int64
}

// Used is busy time as Proxmox counts it: user, nice, system, irq, softirq
// and steal (guest time is inside user and nice).
func (s CPUStat) Used() uint64 {
	return s.User + s.Nice + s.System + s.IRQ + s.SoftIRQ + s.Steal
}

// Total is the sum of the eight base counters, idle and iowait included.
func (s CPUStat) Total() uint64 {
	return s.Used() + s.Idle + s.IOWait
}

// ParseStat parses /proc/stat. The "cpu" line must carry at least the four
// counters every kernel has; later counters default to zero.
func ParseStat(b []byte) (CPUStat, error) {
	var s CPUStat
	seen := false
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		name, rest := nextField(line)
		var err error
		switch {
		case string(name) == "cpu":
			seen = true
			err = parseCPULine(&s, rest)
		case string(name) == "btime":
			err = parseBtime(&s, rest)
		case bytes.HasPrefix(name, []byte("cpu")):
			s.CPUs++
		}
		if err != nil {
			return CPUStat{}, fmt.Errorf("stat line %d: %w", n, err)
		}
	}
	if !seen {
		return CPUStat{}, errors.New("stat: no aggregate cpu line")
	}
	return s, nil
}

func parseCPULine(s *CPUStat, rest []byte) error {
	dst := [...]*uint64{&s.User, &s.Nice, &s.System, &s.Idle, &s.IOWait,
		&s.IRQ, &s.SoftIRQ, &s.Steal, &s.Guest, &s.GuestNice}
	i := 0
	for ; i < len(dst); i++ {
		var f []byte
		f, rest = nextField(rest)
		if len(f) == 0 {
			break
		}
		v, err := atou(f)
		if err != nil {
			return fmt.Errorf("cpu counter %d %q: %w", i+1, f, err)
		}
		*dst[i] = v
	}
	if i < 4 {
		return fmt.Errorf("cpu line has %d counters, want at least 4", i)
	}
	return nil
}

func parseBtime(s *CPUStat, rest []byte) error {
	f, _ := nextField(rest)
	v, err := strconv.ParseInt(string(f), 10, 64)
	if err != nil {
		return fmt.Errorf("btime: %w", err)
	}
	s.BootTime = v
	return nil
}
