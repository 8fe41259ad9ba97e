package metrics

import (
	"fmt"
	"math"
	"strconv"

	"hostadm/internal/metrics/rrd"
)

// Timeframe is one of rrddata's timeframes: Count rows of Res seconds.
type Timeframe struct {
	Res   int64
	Count int
}

// LookupTimeframe maps rrddata's timeframe names to Proxmox VE 9's
// resolutions for pve-node-9.0 (PVE::RRD::create_rrd_data).
func LookupTimeframe(name string) (Timeframe, bool) {
	switch name {
	case "hour":
		return Timeframe{60, 60}, true
	case "day":
		return Timeframe{60, 1440}, true
	case "week":
		return Timeframe{1800, 336}, true
	case "month":
		return Timeframe{1800, 1440}, true
	case "year":
		return Timeframe{6 * 3600, 1440}, true
	case "decade":
		return Timeframe{7 * 86400, 570}, true
	}
	return Timeframe{}, false
}

// RRDRows is the answer of GET /nodes/{node}/rrddata. It encodes itself
// to JSON directly (a year is 1440 objects of 20 keys; building maps for
// encoding/json costs ten times more).
type RRDRows struct {
	s    *rrd.Series
	rows int // rows to encode (the last one may be dropped)
}

// Len is the number of rows.
func (r *RRDRows) Len() int { return r.rows }

// At returns row i as a map, as Proxmox's array of objects has it.
func (r *RRDRows) At(i int) map[string]float64 {
	m := map[string]float64{"time": float64(r.s.Start + int64(i)*r.s.Res)}
	for j, v := range r.s.Row(i) {
		if !math.IsNaN(v) {
			m[r.s.Names[j]] = v
		}
	}
	return m
}

// MarshalJSON writes the rows as Proxmox does: {"time":T,"ds":v,...} with
// unknown values left out.
func (r *RRDRows) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+r.rows*len(r.s.Names)*24)
	b = append(b, '[')
	for i := range r.rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"time":`...)
		b = strconv.AppendInt(b, r.s.Start+int64(i)*r.s.Res, 10)
		for j, v := range r.s.Row(i) {
			if math.IsNaN(v) {
				continue
			}
			b = append(b, ',', '"')
			b = append(b, r.s.Names[j]...) // data source names need no escaping
			b = append(b, '"', ':')
			b = appendJSONFloat(b, v)
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendJSONFloat formats v as encoding/json does.
func appendJSONFloat(b []byte, v float64) []byte {
	if math.IsInf(v, 0) {
		return append(b, '0')
	}
	abs, format := math.Abs(v), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' { // clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// RRDData is GET /nodes/{node}/rrddata for the local node: the timeframe's
// rows ending with the last complete slot before now, consolidated by cf
// (AVERAGE or MAX). A row's time is the start of its slot. Unknown values
// are left out of a row, and a last row with nothing but its time is
// dropped, as Proxmox does. Before the first round there is no file yet:
// every row is only its time.
func (s *Service) RRDData(timeframe, cf string) (*RRDRows, error) {
	db, err := s.hist.reader()
	if err != nil {
		return nil, err
	}
	return s.rrdRows(db, NodeLayout().Names(), timeframe, cf)
}

// StorageRRDData is GET /nodes/{node}/storage/{storage}/rrddata for a
// storage of the local node (total and used, pve-storage-9.0), with
// RRDData's rules; a storage never seen active has only times.
func (s *Service) StorageRRDData(storage, timeframe, cf string) (*RRDRows, error) {
	db, err := s.shist.reader(storage)
	if err != nil {
		return nil, err
	}
	return s.rrdRows(db, StorageLayout().Names(), timeframe, cf)
}

// rrdRows reads a timeframe from db (nil: no file yet, names only).
func (s *Service) rrdRows(db *rrd.DB, names []string, timeframe, cf string) (*RRDRows, error) {
	tf, ok := LookupTimeframe(timeframe)
	if !ok {
		return nil, fmt.Errorf("unknown timeframe %q", timeframe)
	}
	c, err := rrd.ParseCF(cf)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock().Unix()
	end := now - now%tf.Res // the slot being filled; not returned
	start := end - tf.Res*int64(tf.Count)
	var series *rrd.Series
	if db == nil {
		series = emptySeries(names, start, tf)
	} else if series, err = db.Fetch(c, tf.Res, start, tf.Count); err != nil {
		return nil, fmt.Errorf("RRD error: %w", err)
	}
	rows := series.Count()
	if rows > 0 && allNaN(series.Row(rows-1)) {
		rows--
	}
	return &RRDRows{s: series, rows: rows}, nil
}

func emptySeries(names []string, start int64, tf Timeframe) *rrd.Series {
	v := make([]float64, tf.Count*len(names))
	for i := range v {
		v[i] = math.NaN()
	}
	return &rrd.Series{Start: start, Res: tf.Res, Names: names, Values: v}
}

func allNaN(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return false
		}
	}
	return true
}
