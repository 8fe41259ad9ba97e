package metrics

import (
	"bytes"
	"fmt"
)

// Loadavg is /proc/loadavg: the three averages both as the kernel wrote
// them (the API returns that text) and as numbers (for exporters).
type Loadavg struct {
	Text   [3]string
	Values [3]float64
	// Running and Total are the "running/total" scheduling entities.
	Running, Total uint64
}

// ParseLoadavg parses /proc/loadavg ("0.12 0.34 0.56 1/234 5678").
func ParseLoadavg(b []byte) (Loadavg, error) {
	var l Loadavg
	line, _ := nextLine(b)
	rest := line
	for i := range l.Values {
		var f []byte
		f, rest = nextField(rest)
		v, err := atof(f)
		if err != nil {
			return Loadavg{}, fmt.Errorf("loadavg field %d %q: %w", i+1, f, err)
		}
		l.Text[i], l.Values[i] = string(f), v
	}
	f, _ := nextField(rest)
	run, total, ok := bytes.Cut(f, []byte("/"))
	if !ok {
		return Loadavg{}, fmt.Errorf("loadavg: entities %q: want running/total", f)
	}
	var err1, err2 error
	l.Running, err1 = atou(run)
	l.Total, err2 = atou(total)
	if err1 != nil || err2 != nil {
		return Loadavg{}, fmt.Errorf("loadavg: entities %q: %w", f, errNumber)
	}
	return l, nil
}

// Uptime is /proc/uptime: seconds since boot and summed idle seconds of
// all CPUs.
type Uptime struct {
	Seconds, Idle float64
}

// ParseUptime parses /proc/uptime ("194.15 343.13").
func ParseUptime(b []byte) (Uptime, error) {
	line, _ := nextLine(b)
	f1, rest := nextField(line)
	f2, _ := nextField(rest)
	up, err := atof(f1)
	if err != nil || up < 0 {
		return Uptime{}, fmt.Errorf("uptime %q: %w", f1, errNumber)
	}
	idle, err := atof(f2)
	if err != nil || idle < 0 {
		return Uptime{}, fmt.Errorf("uptime idle %q: %w", f2, errNumber)
	}
	return Uptime{Seconds: up, Idle: idle}, nil
}

// ParseKSMPagesSharing parses /sys/kernel/mm/ksm/pages_sharing and returns
// the shared bytes (pages × 4096, as Proxmox VE counts them).
func ParseKSMPagesSharing(b []byte) (uint64, error) {
	f, _ := nextField(trimNewline(b))
	v, err := atou(f)
	if err != nil || v > (1<<64-1)/4096 {
		return 0, fmt.Errorf("ksm pages_sharing %q: %w", f, errNumber)
	}
	return v * 4096, nil
}

func trimNewline(b []byte) []byte {
	line, _ := nextLine(b)
	return line
}
