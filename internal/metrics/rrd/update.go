package rrd

import (
	"errors"
	"fmt"
	"math"
)

// Update records the raw values of one moment t (Unix seconds), one per
// data source in layout order; NaN is unknown. Each value is folded into
// the slot holding t of every ring (its average and maximum); a Derive
// source's rate over the time since the previous update is folded instead.
//
// A t not after the last update by at most MaxBackstep returns ErrPast and
// changes nothing, as RRDtool refuses it: a clock stepped back a little is
// waited out. A t further back means the earlier clock was wrong (an RTC
// set in the future before NTP corrected it): waiting it out could take
// years, so the rows after t are dropped and recording goes on from t.
func (db *DB) Update(t int64, raw []float64) error {
	if len(raw) != len(db.l.DS) {
		return fmt.Errorf("rrd update: %d values for %d data sources", len(raw), len(db.l.DS))
	}
	if t < db.maxRes {
		return fmt.Errorf("rrd update: time %d is before the clock was set", t)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.readOnly {
		return errors.New("rrd update: read-only or closed")
	}
	st := &db.st
	if st.last != 0 && t <= st.last {
		if st.last-t <= db.l.MaxBackstep {
			return ErrPast
		}
		if err := db.rewind(t); err != nil {
			return err
		}
	}
	vals := db.scratch
	for i, d := range db.l.DS {
		vals[i] = db.value(d.Kind, i, t, raw[i])
	}
	var errs []error
	for r := range db.l.RRAs {
		errs = append(errs, db.fold(r, t, vals))
	}
	st.last = t
	copy(st.lastRaw, raw)
	st.seq++
	off := headerSize + int(st.seq%2)*stateSize
	encodeState(db.buf[off:off+stateSize], st)
	errs = append(errs, db.write(off, stateSize))
	return errors.Join(errs...)
}

// value is what is stored for data source i's raw value at t.
func (db *DB) value(kind Kind, i int, t int64, raw float64) float64 {
	if math.IsInf(raw, 0) {
		return math.NaN()
	}
	if kind == Gauge {
		return raw
	}
	prev, last := db.st.lastRaw[i], db.st.last
	dt := t - last
	if last == 0 || math.IsNaN(prev) || math.IsNaN(raw) || dt <= 0 || dt > db.l.Heartbeat {
		return math.NaN()
	}
	rate := (raw - prev) / float64(dt)
	if rate < 0 { // counter reset or wrap: unknown, like DERIVE with min 0
		return math.NaN()
	}
	return rate
}

// fold adds the known values to ring r's row of t's slot, starting the row
// afresh when it holds another (older) slot.
func (db *DB) fold(r int, t int64, vals []float64) error {
	res := db.l.RRAs[r].Res
	slot := slotOf(t, res)
	off := db.rowOffset(r, slot)
	row := db.buf[off : off+db.rowLen]
	if !rowValid(row) || rowSlot(row) != slot {
		resetRow(row, slot)
	}
	for i, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		mean, mx, n := rowCell(row, i)
		if n == 0 || v > mx {
			mx = v
		}
		// A running mean rather than a sum: a constant (memtotal) stays
		// exact, and nothing grows without bound.
		n++
		setRowCell(row, i, mean+(v-mean)/float64(n), mx, n)
	}
	sealRow(row)
	return db.write(off, db.rowLen)
}

// rowOffset is the offset in buf of ring r's row for slot.
func (db *DB) rowOffset(r int, slot int64) int {
	ring := db.l.RRAs[r]
	idx := mod(slot/ring.Res, int64(ring.Rows))
	return db.offs[r] + int(idx)*db.rowLen
}

// rewind drops, in every ring, the rows of slots after the one holding t:
// they were recorded by a clock that was ahead.
func (db *DB) rewind(t int64) error {
	var errs []error
	for r, ring := range db.l.RRAs {
		keep := slotOf(t, ring.Res)
		for i := range ring.Rows {
			off := db.offs[r] + i*db.rowLen
			row := db.buf[off : off+db.rowLen]
			if rowValid(row) && rowSlot(row) > keep {
				clear(row)
				errs = append(errs, db.write(off, db.rowLen))
			}
		}
	}
	db.st.last = 0 // no rate across the jump
	return errors.Join(errs...)
}
