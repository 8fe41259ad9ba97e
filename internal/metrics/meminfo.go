package metrics

import (
	"bytes"
	"errors"
	"fmt"
)

// Meminfo holds the /proc/meminfo rows hostadm uses, converted to bytes.
type Meminfo struct {
	MemTotal, MemFree, MemAvailable uint64
	Buffers, Cached, SwapCached     uint64
	Shmem, SReclaimable             uint64
	SwapTotal, SwapFree             uint64
}

// MemUsed is total minus available, as Proxmox VE computes it: only the
// kernel knows how much memory a new workload can take without swapping.
func (m Meminfo) MemUsed() uint64 { return sub(m.MemTotal, m.MemAvailable) }

// SwapUsed is swap total minus swap free.
func (m Meminfo) SwapUsed() uint64 { return sub(m.SwapTotal, m.SwapFree) }

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// ParseMeminfo parses /proc/meminfo. Rows it does not know are skipped;
// MemTotal is required. Kernels before 3.14 have no MemAvailable; then
// MemFree+Buffers+Cached stands in for it.
func ParseMeminfo(b []byte) (Meminfo, error) {
	var m Meminfo
	haveTotal, haveAvail := false, false
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		if len(trimBlanks(line)) == 0 {
			continue
		}
		key, val, ok := splitKey(line)
		if !ok {
			return Meminfo{}, fmt.Errorf("meminfo line %d: no colon", n)
		}
		dst := m.field(key)
		if dst == nil {
			continue
		}
		v, err := meminfoValue(val)
		if err != nil {
			return Meminfo{}, fmt.Errorf("meminfo line %d (%s): %w", n, key, err)
		}
		*dst = v
		haveTotal = haveTotal || string(key) == "MemTotal"
		haveAvail = haveAvail || string(key) == "MemAvailable"
	}
	if !haveTotal {
		return Meminfo{}, errors.New("meminfo: no MemTotal")
	}
	if !haveAvail {
		m.MemAvailable = m.MemFree + m.Buffers + m.Cached
	}
	return m, nil
}

func (m *Meminfo) field(key []byte) *uint64 {
	switch string(key) {
	case "MemTotal":
		return &m.MemTotal
	case "MemFree":
		return &m.MemFree
	case "MemAvailable":
		return &m.MemAvailable
	case "Buffers":
		return &m.Buffers
	case "Cached":
		return &m.Cached
	case "SwapCached":
		return &m.SwapCached
	case "Shmem":
		return &m.Shmem
	case "SReclaimable":
		return &m.SReclaimable
	case "SwapTotal":
		return &m.SwapTotal
	case "SwapFree":
		return &m.SwapFree
	}
	return nil
}

// meminfoValue parses "123456 kB" into bytes.
func meminfoValue(val []byte) (uint64, error) {
	num, rest := nextField(val)
	v, err := atou(num)
	if err != nil {
		return 0, fmt.Errorf("value %q: %w", num, err)
	}
	unit, _ := nextField(rest)
	switch {
	case len(unit) == 0:
		return v, nil
	case bytes.EqualFold(unit, []byte("kB")):
		if v > (1<<64-1)/1024 {
			return 0, fmt.Errorf("value %d kB overflows", v)
		}
		return v * 1024, nil
	}
	return 0, fmt.Errorf("unit %q", unit)
}
