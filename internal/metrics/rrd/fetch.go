package rrd

import (
	"fmt"
	"math"
)

// Fetch returns count rows of the ring of resolution res, consolidated by
// cf, for the slots starting at start (rounded down to a slot),
// start+res, and so on. A slot the ring no longer (or never) held, or whose
// row is damaged, is a row of NaN.
func (db *DB) Fetch(cf CF, res, start int64, count int) (*Series, error) {
	r := db.ring(res)
	if r < 0 {
		return nil, fmt.Errorf("rrd fetch: no ring of %d s", res)
	}
	if count < 0 || count > maxRows {
		return nil, fmt.Errorf("rrd fetch: bad row count %d", count)
	}
	nDS := len(db.l.DS)
	s := &Series{Start: slotOf(start, res), Res: res, Names: db.l.Names(), Values: make([]float64, count*nDS)}
	db.mu.RLock()
	defer db.mu.RUnlock()
	for k := range count {
		slot := s.Start + int64(k)*res
		out := s.Values[k*nDS : (k+1)*nDS]
		off := db.rowOffset(r, slot)
		row := db.buf[off : off+db.rowLen]
		if !rowValid(row) || rowSlot(row) != slot {
			fillNaN(out)
			continue
		}
		for i := range out {
			out[i] = consolidate(row, i, cf)
		}
	}
	return s, nil
}

func consolidate(row []byte, i int, cf CF) float64 {
	mean, mx, n := rowCell(row, i)
	switch {
	case n == 0:
		return math.NaN()
	case cf == Max:
		return mx
	}
	return mean
}

func fillNaN(v []float64) {
	for i := range v {
		v[i] = math.NaN()
	}
}

// ring is the index of the ring of resolution res, or -1.
func (db *DB) ring(res int64) int {
	for i, r := range db.l.RRAs {
		if r.Res == res {
			return i
		}
	}
	return -1
}
