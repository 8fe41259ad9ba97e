package metrics

import (
	"bytes"
	"fmt"
)

// PressureLine is one line of a PSI file: the share of time (in percent)
// some or all tasks stalled, averaged over 10, 60 and 300 seconds, and the
// total stall time in microseconds.
type PressureLine struct {
	Avg10, Avg60, Avg300 float64
	Total                uint64
}

// Pressure is a /proc/pressure/{cpu,io,memory} file. Full is zero for cpu
// on kernels before 5.13, which print only the "some" line.
type Pressure struct {
	Some, Full PressureLine
}

// ParsePressure parses a PSI file ("some avg10=0.00 avg60=0.00 avg300=0.00
// total=0" and a "full" line).
func ParsePressure(b []byte) (Pressure, error) {
	var p Pressure
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		kind, rest := nextField(line)
		var dst *PressureLine
		switch string(kind) {
		case "some":
			dst = &p.Some
		case "full":
			dst = &p.Full
		case "":
			continue
		default:
			return Pressure{}, fmt.Errorf("pressure line %d: kind %q", n, kind)
		}
		if err := parsePressureLine(dst, rest); err != nil {
			return Pressure{}, fmt.Errorf("pressure line %d: %w", n, err)
		}
	}
	return p, nil
}

func parsePressureLine(dst *PressureLine, rest []byte) error {
	for {
		var f []byte
		f, rest = nextField(rest)
		if len(f) == 0 {
			return nil
		}
		key, val, ok := bytes.Cut(f, []byte("="))
		if !ok {
			return fmt.Errorf("field %q: want key=value", f)
		}
		var err error
		switch string(key) {
		case "avg10":
			dst.Avg10, err = atof(val)
		case "avg60":
			dst.Avg60, err = atof(val)
		case "avg300":
			dst.Avg300, err = atof(val)
		case "total":
			dst.Total, err = atou(val)
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", f, err)
		}
	}
}
