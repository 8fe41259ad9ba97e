package ifaces

import (
	"math/rand"
	"slices"
	"testing"
)

// TestRadixSort holds radixSort to a stable comparison sort on keys that
// share bytes (as names do), repeat, and differ in every byte.
func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewSource(19))
	for _, n := range []int{0, 1, 2, 255, 256, 257, 1000, 5000} {
		for _, mask := range []uint64{^uint64(0), 0xff, 0xff00ff0000000000, 0x0f, 0} {
			s := make([]keyIndex, n)
			for i := range s {
				s[i] = keyIndex{r.Uint64()&mask | 0x7600000000000000, i}
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, compareKeyIndex)
			radixSort(s)
			if !slices.Equal(s, want) {
				t.Fatalf("n=%d mask=%x: radix sort differs from a stable sort", n, mask)
			}
		}
	}
}
