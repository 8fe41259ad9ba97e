package ifaces

import (
	"cmp"
	"slices"
)

// keyIndex is a sort key and the position of what it stands for.
type keyIndex struct {
	key uint64
	i   int
}

func compareKeyIndex(a, b keyIndex) int { return cmp.Compare(a.key, b.key) }

// radixSort sorts s by key, stably: equal keys keep their order. It sorts
// by one byte of the key at a time, the least significant first, and
// skips the bytes all keys share (interface names share most), which for
// thousands of keys costs a fraction of a comparison sort. Short lists go
// to a comparison sort.
func radixSort(s []keyIndex) {
	if len(s) < 256 {
		slices.SortStableFunc(s, compareKeyIndex)
		return
	}
	var counts [8][256]int
	for _, k := range s {
		for b := range counts {
			counts[b][byte(k.key>>(8*b))]++
		}
	}
	tmp := make([]keyIndex, len(s))
	src, dst := s, tmp
	for b := range counts {
		count := &counts[b]
		if count[byte(s[0].key>>(8*b))] == len(s) {
			continue // every key has this byte
		}
		pos := 0
		for v, c := range count {
			count[v] = pos
			pos += c
		}
		for _, k := range src {
			v := byte(k.key >> (8 * b))
			dst[count[v]] = k
			count[v]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}
