package tasks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeHistory writes index.1 and index with one task per line, oldest
// first; task i starts at 1000+i.
func writeHistory(t testing.TB, dir string, index1, index []string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	for name, ls := range map[string][]string{"index.1": index1, "index": index} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(ls, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func histLine(i int, typ, id, user, status string) string {
	u := UPID{"pve1", 1, uint64(i), int64(1000 + i), typ, id, user}
	if status == "" {
		return fmt.Sprintf("%s %08X\n", u, 1000+i+5)
	}
	return fmt.Sprintf("%s %08X %s\n", u, 1000+i+5, status)
}

func TestListFilters(t *testing.T) {
	m, _ := newTestManager(t, nil)
	writeHistory(t, m.cfg.Dir,
		[]string{
			histLine(0, "vzdump", "100", "root@pam", "OK"),
			histLine(1, "vzdump", "101", "Admin@pve", "WARNINGS: 3"),
			"garbage line\n",
		},
		[]string{
			histLine(2, "aptupdate", "", "root@pam!ci", "command failed"),
			histLine(3, "vzdump", "100", "bob@pve", "unexpected status"),
			histLine(4, "srvreload", "chrony", "root@pam", ""),
			histLine(5, "vzdump", "1000", "admin@pve!tok", "OK"),
		})
	// A running task listed from the active file.
	running := UPID{"pve1", 1, 99, 1006, "vzdump", "100", "root@pam"}
	os.WriteFile(filepath.Join(m.cfg.Dir, "active"), []byte(running.String()+" 0\n"), 0o644)
	m.mu.Lock()
	m.running[running.String()] = &task{upid: running}
	m.mu.Unlock()
	defer func() { m.mu.Lock(); delete(m.running, running.String()); m.mu.Unlock() }()

	tests := []struct {
		name  string
		f     Filter
		want  []int // start times - 1000, newest first
		total int
	}{
		{"archive default", Filter{Limit: 50}, []int{5, 4, 3, 2, 1, 0}, 6},
		{"active", Filter{Source: SourceActive, Limit: 50}, []int{6}, 1},
		{"all", Filter{Source: SourceAll, Limit: 50}, []int{6, 5, 4, 3, 2, 1, 0}, 7},
		{"errors", Filter{Errors: true, Limit: 50}, []int{4, 3, 2, 1}, 4},
		{"errors overrides statusfilter", Filter{Errors: true, StatusFilter: []string{"ok"}, Limit: 50}, []int{4, 3, 2, 1}, 4},
		{"statusfilter ok", Filter{StatusFilter: []string{"OK"}, Limit: 50}, []int{5, 0}, 2},
		{"statusfilter warning,error", Filter{StatusFilter: []string{"warning", "error"}, Limit: 50}, []int{2, 1}, 2},
		{"statusfilter unknown incl. running", Filter{Source: SourceAll, StatusFilter: []string{"unknown"}, Limit: 50}, []int{6, 4, 3}, 3},
		{"typefilter exact", Filter{TypeFilter: "vzdump", Limit: 50}, []int{5, 3, 1, 0}, 4},
		{"typefilter no prefix match", Filter{TypeFilter: "vz", Limit: 50}, nil, 0},
		{"userfilter substring, case-insensitive", Filter{UserFilter: "ADMIN", Limit: 50}, []int{5, 1}, 2},
		{"userfilter on user part", Filter{UserFilter: "tok", Limit: 50}, nil, 0},
		{"vmid exact", Filter{VMID: "100", Limit: 50}, []int{3, 0}, 2},
		{"since/until inclusive", Filter{Since: 1001, Until: 1003, Limit: 50}, []int{3, 2, 1}, 3},
		{"start and limit", Filter{Start: 1, Limit: 2}, []int{4, 3}, 6},
		{"limit 0", Filter{Limit: 0}, nil, 6},
		{"visible", Filter{Limit: 50, Visible: func(e Entry) bool { return e.User == "root@pam" }}, []int{4, 2, 0}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := m.List(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var starts []int
			for _, e := range got {
				starts = append(starts, int(e.StartTime-1000))
			}
			if fmt.Sprint(starts) != fmt.Sprint(tc.want) || total != tc.total {
				t.Errorf("List = %v total %d; want %v total %d", starts, total, tc.want, tc.total)
			}
		})
	}
}

func TestListEntryFields(t *testing.T) {
	m, _ := newTestManager(t, nil)
	writeHistory(t, m.cfg.Dir, nil, []string{histLine(7, "aptupdate", "", "root@pam!ci", "WARNINGS: 1")})
	got, _, err := m.List(Filter{Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	want := Entry{UPID: "UPID:pve1:00000001:00000007:000003EF:aptupdate::root@pam!ci:", Node: "pve1",
		PID: 1, PStart: 7, StartTime: 1007, Type: "aptupdate", User: "root@pam", TokenID: "ci",
		EndTime: 1012, Status: "WARNINGS: 1", Saved: true}
	if got[0] != want {
		t.Errorf("entry = %+v\nwant %+v", got[0], want)
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[string]string{
		"OK": "ok", "WARNINGS: 12": "warning", "WARNINGS: x": "error", "": "unknown",
		"unexpected status": "unknown", "RUNNING": "error", "boom": "error", "ok": "error",
	} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%q) = %q, want %q", status, got, want)
		}
	}
}

// benchHistory writes n index lines with mixed types into a fresh manager.
func benchHistory(b *testing.B, n int) *Manager {
	m, _ := newTestManager(b, func(c *Config) { c.IndexMaxBytes = 1 << 40 })
	types := []string{"vzdump", "aptupdate", "qmstart", "srvreload"}
	statuses := []string{"OK", "OK", "OK", "WARNINGS: 1", "command 'vzdump 100' failed: exit code 2"}
	var sb strings.Builder
	for i := range n {
		sb.WriteString(histLine(i, types[i%len(types)], fmt.Sprint(100+i%50), "root@pam", statuses[i%len(statuses)]))
	}
	os.WriteFile(filepath.Join(m.cfg.Dir, "index"), []byte(sb.String()), 0o644)
	return m
}

// BenchmarkList100k lists with a type filter and limit 50 over a 100 000
// line history; the parsed index is cached between calls.
func BenchmarkList100k(b *testing.B) {
	m := benchHistory(b, 100000)
	f := Filter{TypeFilter: "vzdump", Limit: 50}
	m.List(f) // warm: the first list fills the cache (BenchmarkList100kCold)
	for b.Loop() {
		got, total, err := m.List(f)
		if err != nil || len(got) != 50 || total != 25000 {
			b.Fatal(len(got), total, err)
		}
	}
}

// BenchmarkList100kCold is BenchmarkList100k with an empty cache each time:
// the cost of the first list after a daemon start (or of a CLI's list),
// with the cache file an earlier list left beside the index.
func BenchmarkList100kCold(b *testing.B) {
	m := benchHistory(b, 100000)
	f := Filter{TypeFilter: "vzdump", Limit: 50}
	m.List(f) // writes the cache file
	for b.Loop() {
		m.cache.files = map[fileKey]*cachedFile{}
		if _, total, err := m.List(f); err != nil || total != 25000 {
			b.Fatal(total, err)
		}
	}
}

// BenchmarkList100kRebuild is the cold list without a cache file: the
// first list ever, or after the index was replaced, parses every line.
func BenchmarkList100kRebuild(b *testing.B) {
	m := benchHistory(b, 100000)
	f := Filter{TypeFilter: "vzdump", Limit: 50}
	for b.Loop() {
		m.cache.files = map[fileKey]*cachedFile{}
		os.Remove(filepath.Join(m.cfg.Dir, "index"+sidecarSuffix))
		if _, total, err := m.List(f); err != nil || total != 25000 {
			b.Fatal(total, err)
		}
	}
}

// BenchmarkList100kAppend measures a list after one task was appended.
func BenchmarkList100kAppend(b *testing.B) {
	m := benchHistory(b, 100000)
	f := Filter{TypeFilter: "vzdump", Limit: 50}
	idx, _ := os.OpenFile(filepath.Join(m.cfg.Dir, "index"), os.O_WRONLY|os.O_APPEND, 0)
	defer idx.Close()
	i := 100000
	for b.Loop() {
		b.StopTimer()
		idx.WriteString(histLine(i, "vzdump", "1", "root@pam", "OK"))
		i++
		b.StartTimer()
		if _, _, err := m.List(f); err != nil {
			b.Fatal(err)
		}
	}
}
