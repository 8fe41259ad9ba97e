package metrics

import (
	"errors"
	"fmt"
)

// ARCStats holds the ZFS ARC rows of /proc/spl/kstat/zfs/arcstats that
// Proxmox VE reports: the current size and its bounds, in bytes.
type ARCStats struct {
	Size, Min, Max uint64
}

// ParseARCStats parses the kstat table ("name type data" rows after a
// header line). The "size" row is required.
func ParseARCStats(b []byte) (ARCStats, error) {
	var a ARCStats
	haveSize := false
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		name, rest := nextField(line)
		var dst *uint64
		switch string(name) {
		case "size":
			dst, haveSize = &a.Size, true
		case "c_min":
			dst = &a.Min
		case "c_max":
			dst = &a.Max
		default:
			continue
		}
		_, rest = nextField(rest) // kstat data type
		val, _ := nextField(rest)
		v, err := atou(val)
		if err != nil {
			return ARCStats{}, fmt.Errorf("arcstats line %d (%s) %q: %w", n, name, val, err)
		}
		*dst = v
	}
	if !haveSize {
		return ARCStats{}, errors.New("arcstats: no size row")
	}
	return a, nil
}
