// Package rrd is hostadm's round-robin store for metric history: a fixed
// set of data sources consolidated into rings of rows at a few resolutions,
// in one fixed-size file, like RRDtool's files behind Proxmox's graphs.
//
// The format is hostadm's own (see format.go). What it promises:
//   - bounded: the file is allocated in full when created and never grows;
//   - crash-safe: every row and the update state carry a CRC, so a write
//     torn by a crash loses at most the rows being written (read back as
//     unknown), never the rest; the file is created atomically;
//   - clock-proof: every row carries the start of its slot, so rows skipped
//     by a clock jumping forward read as unknown instead of stale data, and
//     a clock jumping back is either waited out (small steps, as RRDtool
//     does) or taken as the correction of a wrong clock (large steps).
//
// A DB is not safe for use by several processes writing at once: Open
// takes an exclusive lock, and ReadFile reads a snapshot without one.
package rrd

import (
	"errors"
	"fmt"
)

// Kind says how a data source's raw values become stored values.
type Kind uint8

const (
	// Gauge values are stored as they are (RRDtool GAUGE).
	Gauge Kind = 1
	// Derive values are counters; the per-second rate since the previous
	// update is stored, and negative rates (counter resets) are unknown
	// (RRDtool DERIVE with minimum 0).
	Derive Kind = 2
)

// DS is a data source.
type DS struct {
	Name string
	Kind Kind
}

// RRA is one ring: Rows slots of Res seconds each.
type RRA struct {
	Res  int64
	Rows int
}

// Layout is what a file holds. Every RRA keeps both the average and the
// maximum of the values that fell into a slot.
type Layout struct {
	DS   []DS
	RRAs []RRA
	// Heartbeat is the longest gap (s) between updates over which a Derive
	// rate is still computed; a longer gap makes the rate unknown.
	Heartbeat int64
	// MaxBackstep is how far (s) the clock may step back before the store
	// treats the earlier times as wrong: an update older than the last one
	// by at most MaxBackstep is refused with ErrPast (wait it out); an
	// older one invalidates the rows after it and is recorded.
	MaxBackstep int64
}

// CF is a consolidation function.
type CF int

const (
	// Average is the mean of the known values that fell into a slot.
	Average CF = iota
	// Max is their maximum.
	Max
)

// ParseCF maps Proxmox's names AVERAGE and MAX ("" is AVERAGE).
func ParseCF(s string) (CF, error) {
	switch s {
	case "", "AVERAGE":
		return Average, nil
	case "MAX":
		return Max, nil
	}
	return 0, fmt.Errorf("unknown consolidation function %q", s)
}

var (
	// ErrPast is returned by Update for a time not after the last update
	// (within MaxBackstep); the update is not recorded.
	ErrPast = errors.New("rrd: update time is not after the last update")
	// ErrLayout is returned by Open for a file of another layout.
	ErrLayout = errors.New("rrd: file has another layout")
	// ErrLocked is returned by Open when another process has the file open.
	ErrLocked = errors.New("rrd: file is locked by another process")
)

// Validate checks that a layout can be stored.
func (l Layout) Validate() error {
	if len(l.DS) == 0 || len(l.DS) > maxDS {
		return fmt.Errorf("rrd layout: %d data sources, want 1..%d", len(l.DS), maxDS)
	}
	seen := map[string]bool{}
	for _, d := range l.DS {
		if d.Name == "" || len(d.Name) > 255 || seen[d.Name] {
			return fmt.Errorf("rrd layout: bad or duplicate data source name %q", d.Name)
		}
		if d.Kind != Gauge && d.Kind != Derive {
			return fmt.Errorf("rrd layout: data source %s: bad kind %d", d.Name, d.Kind)
		}
		seen[d.Name] = true
	}
	if len(l.RRAs) == 0 || len(l.RRAs) > maxRRA {
		return fmt.Errorf("rrd layout: %d rings, want 1..%d", len(l.RRAs), maxRRA)
	}
	for _, r := range l.RRAs {
		if r.Res <= 0 || r.Rows <= 0 || r.Rows > maxRows {
			return fmt.Errorf("rrd layout: bad ring %d s × %d", r.Res, r.Rows)
		}
	}
	if l.Heartbeat <= 0 || l.MaxBackstep < 0 {
		return errors.New("rrd layout: heartbeat must be positive and max backstep not negative")
	}
	return nil
}

// Names lists the data sources' names in layout order.
func (l Layout) Names() []string {
	n := make([]string, len(l.DS))
	for i, d := range l.DS {
		n[i] = d.Name
	}
	return n
}

// Series is the answer of Fetch: Count rows of len(Names) values, row i
// for the slot starting at Start+i*Res; unknown values are NaN.
type Series struct {
	Start, Res int64
	Names      []string
	Values     []float64
}

// Count is the number of rows.
func (s *Series) Count() int {
	if len(s.Names) == 0 {
		return 0
	}
	return len(s.Values) / len(s.Names)
}

// Row returns row i's values (a view, not a copy).
func (s *Series) Row(i int) []float64 {
	n := len(s.Names)
	return s.Values[i*n : (i+1)*n]
}

// slotOf is the start of the slot of res seconds holding t.
func slotOf(t, res int64) int64 { return t - mod(t, res) }

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
