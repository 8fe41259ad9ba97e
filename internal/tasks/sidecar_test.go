package tasks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// coldList lists with an empty in-memory cache, as the first list after a
// start does, and returns the start times found and the lines parsed.
func coldList(t *testing.T, m *Manager, f Filter) ([]int64, int) {
	t.Helper()
	m.cache.mu.Lock()
	m.cache.files = map[fileKey]*cachedFile{}
	m.cache.mu.Unlock()
	got, _, err := m.List(f)
	if err != nil {
		t.Fatal(err)
	}
	var starts []int64
	for _, e := range got {
		starts = append(starts, e.StartTime-1000)
	}
	parsed := 0
	m.cache.mu.Lock()
	for _, cf := range m.cache.files {
		parsed += cf.parsed
	}
	m.cache.mu.Unlock()
	return starts, parsed
}

func historyLines(from, to int) []string {
	var ls []string
	types := []string{"vzdump", "aptupdate", "qmstart"}
	for i := from; i < to; i++ {
		ls = append(ls, histLine(i, types[i%3], "100", "root@pam", "OK"))
	}
	return ls
}

func wantStarts(from, to, step int) []int64 {
	var out []int64
	for i := to - 1; i >= from; i-- {
		if (i-from)%step == 0 || step == 1 {
			out = append(out, int64(i))
		}
	}
	return out
}

// TestIndexCacheFile checks that the parsed index kept on disk answers a
// cold list without parsing, that lines appended after it are parsed, and
// that a cache file which no longer describes the index is not trusted.
func TestIndexCacheFile(t *testing.T) {
	m, _ := newTestManager(t, func(c *Config) { c.IndexMaxBytes = 1 << 40 })
	index := filepath.Join(m.cfg.Dir, "index")
	writeHistory(t, m.cfg.Dir, nil, historyLines(0, 3000))
	f := Filter{Limit: -1}
	all := wantStarts(0, 3000, 1)

	got, parsed := coldList(t, m, f)
	if !slices.Equal(got, all) || parsed != 3000 {
		t.Fatalf("first list: %d entries, %d lines parsed", len(got), parsed)
	}
	if _, err := os.Stat(index + sidecarSuffix); err != nil {
		t.Fatalf("no cache file after a full parse: %v", err)
	}

	t.Run("cold list reads the cache file", func(t *testing.T) {
		got, parsed := coldList(t, m, f)
		if !slices.Equal(got, all) || parsed != 0 {
			t.Fatalf("%d entries, %d lines parsed; want %d, 0", len(got), parsed, len(all))
		}
		got, _ = coldList(t, m, Filter{TypeFilter: "aptupdate", Limit: 2})
		if !slices.Equal(got, []int64{2998, 2995}) {
			t.Fatalf("filtered: %v", got)
		}
	})

	t.Run("appended lines are parsed", func(t *testing.T) {
		fh, _ := os.OpenFile(index, os.O_WRONLY|os.O_APPEND, 0)
		fh.WriteString(strings.Join(historyLines(3000, 3010), ""))
		fh.Close()
		got, parsed := coldList(t, m, f)
		if !slices.Equal(got, wantStarts(0, 3010, 1)) || parsed != 10 {
			t.Fatalf("%d entries, %d lines parsed", len(got), parsed)
		}
	})

	t.Run("rewritten index is parsed again", func(t *testing.T) {
		// same length, other content: a new file replacing the old one
		writeHistory(t, m.cfg.Dir, nil, historyLines(5000, 8010))
		got, parsed := coldList(t, m, f)
		if !slices.Equal(got, wantStarts(5000, 8010, 1)) || parsed != 3010 {
			t.Fatalf("%d entries (first %v), %d lines parsed", len(got), got[:1], parsed)
		}
	})

	t.Run("changed in place is parsed again", func(t *testing.T) {
		data, _ := os.ReadFile(index)
		// the same inode, the last line's status changed
		data[len(data)-2] = 'X'
		fh, _ := os.OpenFile(index, os.O_WRONLY, 0)
		fh.WriteAt(data, 0)
		fh.Close()
		got, parsed := coldList(t, m, Filter{StatusFilter: []string{"error"}, Limit: -1})
		if !slices.Equal(got, []int64{8009}) || parsed != 3010 {
			t.Fatalf("%v, %d lines parsed", got, parsed)
		}
	})

	t.Run("corrupt cache file is ignored", func(t *testing.T) {
		coldList(t, m, f) // writes a fresh cache file
		data, _ := os.ReadFile(index + sidecarSuffix)
		os.WriteFile(index+sidecarSuffix, data[:len(data)/2], 0o644)
		got, parsed := coldList(t, m, f)
		if len(got) != 3010 || parsed != 3010 {
			t.Fatalf("%d entries, %d lines parsed", len(got), parsed)
		}
	})

	t.Run("rotated index keeps its cache", func(t *testing.T) {
		coldList(t, m, f)
		os.Rename(index, index+".1")
		writeFile(t, index, strings.Join(historyLines(9000, 9002), ""))
		got, parsed := coldList(t, m, f)
		if len(got) != 3012 || got[0] != 9001 || parsed != 2 {
			t.Fatalf("%d entries, first %d, %d lines parsed", len(got), got[0], parsed)
		}
	})
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
