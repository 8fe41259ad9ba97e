package rrd

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// t0 is a moment aligned to every ring of testLayout.
const t0 = int64(1_700_000_000 / 3600 * 3600)

func testLayout() Layout {
	return Layout{
		DS:          []DS{{"load", Gauge}, {"net", Derive}},
		RRAs:        []RRA{{Res: 60, Rows: 10}, {Res: 600, Rows: 6}, {Res: 3600, Rows: 3}},
		Heartbeat:   120,
		MaxBackstep: 300,
	}
}

func mustUpdate(t *testing.T, db *DB, at int64, vals ...float64) {
	t.Helper()
	if err := db.Update(at, vals); err != nil {
		t.Fatalf("update at %d: %v", at-t0, err)
	}
}

// rows fetches count rows of res from start as [][]float64.
func rows(t *testing.T, db *DB, cf CF, res, start int64, count int) [][]float64 {
	t.Helper()
	s, err := db.Fetch(cf, res, start, count)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, s.Count())
	for i := range out {
		out[i] = s.Row(i)
	}
	return out
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func checkRows(t *testing.T, got, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			if !same(got[i][j], want[i][j]) {
				t.Fatalf("row %d = %v, want %v (all: %v)", i, got[i], want[i], got)
			}
		}
	}
}

var nan = math.NaN()

func TestRRDConsolidation(t *testing.T) {
	db, err := NewMemory(testLayout())
	if err != nil {
		t.Fatal(err)
	}
	// Two samples per minute for three minutes; net counts 100 B/s.
	for i, load := range []float64{1, 3, 2, 2, 5, nan} {
		mustUpdate(t, db, t0+int64(i)*30, load, float64(i*3000))
	}
	checkRows(t, rows(t, db, Average, 60, t0, 4), [][]float64{
		{2, 100}, // the first update has no rate yet
		{2, 100},
		{5, 100},
		{nan, nan},
	})
	checkRows(t, rows(t, db, Max, 60, t0, 3), [][]float64{{3, 100}, {2, 100}, {5, 100}})
	checkRows(t, rows(t, db, Average, 600, t0, 1), [][]float64{{13.0 / 5, 100}})

	// A gap over the heartbeat and a counter reset make the rate unknown.
	mustUpdate(t, db, t0+400, 1, 20000)
	mustUpdate(t, db, t0+430, 1, 10)
	mustUpdate(t, db, t0+460, 1, 610)
	checkRows(t, rows(t, db, Average, 60, t0+360, 2), [][]float64{{1, nan}, {1, 20}})
}

func TestRRDClockJumps(t *testing.T) {
	db, err := NewMemory(testLayout())
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(10) { // fill the whole minute ring
		mustUpdate(t, db, t0+i*60, float64(i), 0)
	}
	// Forward by 13 minutes: the rows in between are unknown, not the
	// values the ring held 10 minutes earlier at the same positions.
	mustUpdate(t, db, t0+22*60, 22, 0)
	got := rows(t, db, Average, 60, t0+13*60, 10)
	for i, r := range got[:9] {
		if !math.IsNaN(r[0]) {
			t.Errorf("skipped minute %d = %v, want unknown", 13+i, r)
		}
	}
	if got[9][0] != 22 {
		t.Errorf("minute 22 = %v", got[9])
	}
	// A small step back is refused and changes nothing.
	if err := db.Update(t0+22*60-100, []float64{99, 0}); !errors.Is(err, ErrPast) {
		t.Fatalf("small step back: %v, want ErrPast", err)
	}
	if err := db.Update(t0+22*60, []float64{99, 0}); !errors.Is(err, ErrPast) {
		t.Fatalf("same time again: %v, want ErrPast", err)
	}
	checkRows(t, rows(t, db, Average, 60, t0+22*60, 1), [][]float64{{22, nan}})
	// A large step back: the "future" rows go, recording goes on.
	mustUpdate(t, db, t0+5*60, 50, 0)
	// The slot holding the new time keeps what it had (a coarse ring's slot
	// holds earlier, good data too); the rate restarts.
	checkRows(t, rows(t, db, Average, 60, t0+4*60, 2), [][]float64{{4, 0}, {27.5, 0}})
	checkRows(t, rows(t, db, Average, 60, t0+22*60, 1), [][]float64{{nan, nan}})
	if db.Last() != t0+5*60 {
		t.Errorf("last = %d", db.Last()-t0)
	}
}

func TestRRDFilePersistsAndStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.rrd")
	l := testLayout()
	db, err := Open(path, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, l); !errors.Is(err, ErrLocked) {
		t.Errorf("second writer: %v, want ErrLocked", err)
	}
	for i := range int64(500) { // far more than any ring holds
		mustUpdate(t, db, t0+i*60, float64(i%7), float64(i*6000))
	}
	want := rows(t, db, Average, 600, t0+490*60, 2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != int64(l.fileSize()) {
		t.Fatalf("file size %v %v, want %d", fi.Size(), err, l.fileSize())
	}
	db, err = Open(path, l)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkRows(t, rows(t, db, Average, 600, t0+490*60, 2), want)
	// The counter state survived: the next rate is known at once.
	mustUpdate(t, db, t0+500*60, 0, 499*6000+6000)
	checkRows(t, rows(t, db, Average, 60, t0+500*60, 1), [][]float64{{0, 100}})

	snap, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows(t, snap, Average, 60, t0+500*60, 1), [][]float64{{0, 100}})
	if err := snap.Update(t0+501*60, []float64{1, 1}); err == nil {
		t.Error("a snapshot accepted an update")
	}
	other := l
	other.RRAs = other.RRAs[:2]
	if _, err := Open(path+"x", other); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path, other); !errors.Is(err, ErrLayout) {
		t.Errorf("other layout: %v, want ErrLayout", err)
	}
}

// TestRRDTornWrites damages a row and the newer state slot as a crash in
// the middle of a write would: only what was being written is lost.
func TestRRDTornWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.rrd")
	l := testLayout()
	db, err := Open(path, l)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(5) {
		mustUpdate(t, db, t0+i*60, float64(i), float64(i*60))
	}
	off := int64(db.rowOffset(0, t0+4*60) + 13)
	stOff := int64(headerSize + int(db.st.seq%2)*stateSize + 9)
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xff, 0xee}, off)
	f.WriteAt([]byte{0xff}, stOff)
	f.Close()
	db, err = Open(path, l)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkRows(t, rows(t, db, Average, 60, t0+3*60, 2), [][]float64{{3, 1}, {nan, nan}})
	if db.Last() != t0+3*60 {
		t.Errorf("last = %d after a torn state write, want the previous update's", db.Last()-t0)
	}
}

func FuzzDecode(f *testing.F) {
	db, err := NewMemory(testLayout())
	if err != nil {
		f.Fatal(err)
	}
	db.Update(t0, []float64{1, 2})
	f.Add(db.buf)
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := Decode(b)
		if err != nil {
			return
		}
		for _, r := range db.Layout().RRAs {
			if _, err := db.Fetch(Max, r.Res, t0, 3); err != nil {
				t.Fatal(err)
			}
		}
	})
}
