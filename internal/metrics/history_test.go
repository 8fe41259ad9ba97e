package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/host"
	"hostadm/internal/host/hosttest"
)

// historyNode is a node over roundFiles whose clock the test moves, and
// whose eth0 counters it sets.
type historyNode struct {
	node  *Node
	clock *hosttest.Clock
	root  host.Root
}

func newHistoryNode(t testing.TB, start time.Time) *historyNode {
	root := newRoot(t, roundFiles(t))
	clock := hosttest.NewClock(start)
	n := NewNode(NodeConfig{Root: root, StatVFS: testVFS, Clock: clock.Now})
	return &historyNode{node: n, clock: clock, root: root}
}

func (h *historyNode) setNIC(t testing.TB, rx, tx uint64) {
	t.Helper()
	dev := fmt.Sprintf("Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n"+
		"  eth0: %d 1 0 0 0 0 0 0 %d 1 0 0 0 0 0 0\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n", rx, tx)
	if err := os.WriteFile(h.root.Path("/proc/net/dev"), []byte(dev), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (h *historyNode) service(dir string) *Service {
	return NewService(ServiceConfig{Node: "pve1", NodeStat: h.node, Clock: h.clock.Now, HistoryDir: dir})
}

// collect runs rounds every 10 s for d, eth0 receiving 1000 B/s and
// sending 500 B/s.
func (h *historyNode) collect(t testing.TB, s *Service, d time.Duration, rx *uint64) {
	t.Helper()
	for end := h.clock.Now().Add(d); h.clock.Now().Before(end); h.clock.Add(10 * time.Second) {
		h.setNIC(t, *rx, *rx/2)
		if err := s.CollectOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		*rx += 10_000
	}
}

func decodeRows(t *testing.T, r *RRDRows) []map[string]float64 {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]float64
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return out
}

func TestRRDDataHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rrd")
	start := time.Unix(1795715400, 0) // a whole hour
	h := newHistoryNode(t, start)
	s := h.service(dir)
	if err := s.hist.open(); err != nil {
		t.Fatal(err)
	}
	// Before the first round: rows of nothing but their time, the last one
	// dropped.
	r, err := s.RRDData("hour", "")
	if err != nil {
		t.Fatal(err)
	}
	if rows := decodeRows(t, r); len(rows) != 59 || len(rows[0]) != 1 || rows[0]["time"] != 1795715400-3600 {
		t.Fatalf("empty hour: %d rows, first %v", len(rows), rows[0])
	}
	rx := uint64(1 << 20)
	h.collect(t, s, 3*time.Minute, &rx)

	r, err = s.RRDData("hour", "AVERAGE")
	if err != nil {
		t.Fatal(err)
	}
	rows := decodeRows(t, r)
	// 60 one-minute rows from an hour before the current minute; the
	// current one (being filled) is not among them.
	if len(rows) != 60 || rows[0]["time"] != 1795715580-3600 || rows[59]["time"] != 1795715520 {
		t.Fatalf("hour: %d rows from %v to %v", len(rows), rows[0]["time"], rows[len(rows)-1]["time"])
	}
	want := map[string]float64{
		"time": 1795715520, "loadavg": 0.46, "maxcpu": 2, "memtotal": 24684084 * 1024,
		"memavailable": 24339160 * 1024, "roottotal": 256000 * 4096, "rootused": (256000 - 102400) * 4096,
		"netin": 1000, "netout": 500, "arcsize": 3871251320, "pressurecpusome": 1.71,
	}
	got := rows[59]
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	for _, k := range []string{"cpu", "iowait", "memused", "swaptotal", "swapused", "pressureiosome", "pressureiofull"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s missing in %v", k, got)
		}
	}
	if _, ok := got["pressurememorysome"]; ok {
		t.Errorf("pressure of memory without /proc/pressure/memory: %v", got)
	}
	if len(rows[0]) != 1 {
		t.Errorf("a minute before the first round has data: %v", rows[0])
	}
	// encoding/json over the same rows agrees with the direct encoder.
	for i := range r.Len() {
		if diff := cmp.Diff(r.At(i), rows[i]); diff != "" {
			t.Fatalf("row %d: %s", i, diff)
		}
	}

	// Restart: the history is still there, also for a process that only
	// reads it (the CLI).
	if err := s.hist.close(); err != nil {
		t.Fatal(err)
	}
	reader := h.service(dir)
	r2, err := reader.RRDData("hour", "AVERAGE")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, decodeRows(t, r2)); diff != "" {
		t.Errorf("after restart: %s", diff)
	}
}

func TestRRDDataTimeframes(t *testing.T) {
	h := newHistoryNode(t, time.Unix(1795715400, 0))
	s := h.service(t.TempDir())
	for _, tc := range []struct {
		tf   string
		rows int
		res  int64
	}{{"hour", 60, 60}, {"day", 1440, 60}, {"week", 336, 1800}, {"month", 1440, 1800},
		{"year", 1440, 21600}, {"decade", 570, 604800}} {
		r, err := s.RRDData(tc.tf, "MAX")
		if err != nil {
			t.Fatal(err)
		}
		if r.Len() != tc.rows-1 || r.s.Res != tc.res {
			t.Errorf("%s: %d rows of %d s, want %d of %d", tc.tf, r.Len(), r.s.Res, tc.rows-1, tc.res)
		}
		// Each fits its ring, which has a row to spare for the slot being filled.
		if !fits(tc.res, tc.rows) {
			t.Errorf("%s: no ring of %d s with more than %d rows", tc.tf, tc.res, tc.rows)
		}
	}
	if _, err := s.RRDData("century", ""); err == nil {
		t.Error("unknown timeframe accepted")
	}
}

func fits(res int64, rows int) bool {
	for _, r := range NodeLayout().RRAs {
		if r.Res == res && r.Rows > rows {
			return true
		}
	}
	return false
}

func TestAppendJSONFloat(t *testing.T) {
	for _, v := range []float64{0, 1, -2.5, 0.46, 1e-7, 3.5e-9, 1e21, 123456789012, 1.0 / 3, math.MaxFloat64} {
		want, _ := json.Marshal(v)
		if got := string(appendJSONFloat(nil, v)); got != string(want) {
			t.Errorf("%v: %s, want %s", v, got, want)
		}
	}
}

// BenchmarkRRDDataYear is GET rrddata for a year at full resolution (1440
// rows of 6 hours, every data source known) against a store on disk filled
// with a year of rounds: the query and its JSON encoding.
func BenchmarkRRDDataYear(b *testing.B) {
	now := time.Unix(1795715400, 0)
	h := newHistoryNode(b, now)
	s := h.service(b.TempDir())
	if err := s.hist.open(); err != nil {
		b.Fatal(err)
	}
	defer s.hist.close()
	vals := make([]float64, len(NodeLayout().DS))
	for t := now.Unix() - 365*86400; t < now.Unix(); t += 1800 {
		for i := range vals {
			vals[i] = float64(t%977) * float64(i+1) // rates of the counters stay positive
		}
		vals[10], vals[11] = float64(t*1000), float64(t*500)
		if err := s.hist.db.Update(t, vals); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		json bool
	}{{"query", false}, {"query+json", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := s.RRDData("year", "AVERAGE")
				if err != nil || r.Len() != 1440 {
					b.Fatal(err, r.Len())
				}
				if bc.json {
					if _, err := r.MarshalJSON(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkHistoryAdd is the history's share of one collection round.
func BenchmarkHistoryAdd(b *testing.B) {
	h := newHistoryNode(b, time.Unix(1795715400, 0))
	s := h.service(b.TempDir())
	if err := s.hist.open(); err != nil {
		b.Fatal(err)
	}
	defer s.hist.close()
	smp, err := h.node.Sample(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		smp.Time += 10
		if err := s.hist.add(&smp); err != nil {
			b.Fatal(err)
		}
	}
}
