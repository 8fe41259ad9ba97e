package api

import (
	"strings"
	"testing"
)

// TestReadAllOneBuffer: a large announced body is read into one buffer of
// its size; growing a buffer from 512 bytes made a 512 KiB JSON bomb cost
// twice its size in garbage (sent as fast as answered, that drove the
// collector). A small announced body still grows with what arrives.
func TestReadAllOneBuffer(t *testing.T) {
	body := strings.Repeat("x", 500<<10)
	got, err := readAll(strings.NewReader(body), int64(len(body)))
	if err != nil || len(got) != len(body) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if c := cap(got); c > len(body)+16<<10 { // its size, rounded up to whole pages

		t.Errorf("buffer of %d bytes for a %d-byte body, want one of its size", c, len(body))
	}
	if allocs := testing.AllocsPerRun(5, func() { readAll(strings.NewReader(body), int64(len(body))) }); allocs > 4 {
		t.Errorf("%v allocations to read the body, want at most 4", allocs)
	}
	// Announced larger than sent: only what arrived is kept.
	small, err := readAll(strings.NewReader("username=a"), 50)
	if err != nil || string(small) != "username=a" || cap(small) > smallBody {
		t.Errorf("small body: %q (cap %d), %v", small, cap(small), err)
	}
}
