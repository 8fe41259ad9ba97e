package api

import (
	"runtime"
	"strings"
	"testing"
)

// TestReadAllOneBuffer: a large announced body is read into one buffer of
// its size; growing a buffer from 512 bytes made a 512 KiB JSON bomb cost
// twice its size in garbage (sent as fast as answered, that drove the
// collector). Once given back, the buffer serves the next large body. A
// small announced body still grows with what arrives.
func TestReadAllOneBuffer(t *testing.T) {
	body := strings.Repeat("x", 500<<10)
	got, done, err := readAll(strings.NewReader(body), int64(len(body)))
	if err != nil || len(got) != len(body) || got[0] != 'x' || got[len(got)-1] != 'x' {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if c := cap(got); c > maxBody+32<<10 {
		t.Errorf("buffer of %d bytes for a %d-byte body, want one of at most maxBody", c, len(body))
	}
	done()
	if allocs := testing.AllocsPerRun(5, func() {
		_, done, _ := readAll(strings.NewReader(body), int64(len(body)))
		done()
	}); allocs > 4 {
		t.Errorf("%v allocations to read the body, want at most 4", allocs)
	}
	// Twenty large bodies read one after another allocate about one buffer,
	// not twenty.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		b, done, err := readAll(strings.NewReader(body), int64(len(body)))
		if err != nil || len(b) != len(body) {
			t.Fatalf("read %d bytes, %v", len(b), err)
		}
		done()
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 3*uint64(len(body)) {
		t.Errorf("20 large bodies allocated %d bytes, want the buffer reused (< %d)", n, 3*len(body))
	}
	// Announced larger than sent: only what arrived is kept.
	small, _, err := readAll(strings.NewReader("username=a"), 50)
	if err != nil || string(small) != "username=a" || cap(small) > smallBody {
		t.Errorf("small body: %q (cap %d), %v", small, cap(small), err)
	}
}
