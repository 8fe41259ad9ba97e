package hostcfg

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hostadm/internal/host"
)

// fakeJournalctl puts a journalctl on PATH that prints line forever and
// records its arguments in dir/argv.
func fakeJournalctl(t *testing.T, line string) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"$@\" > " + filepath.Join(dir, "argv") + "\nexec yes '" + line + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "journalctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	return dir
}

// TestSyslogStreamsAndStops replays hole 5: syslog read the whole journal
// into memory before paging (1 GB for limit=5 on a 300 MB journal). With
// an endless journalctl, the page comes back at once and journalctl is
// stopped.
func TestSyslogStreamsAndStops(t *testing.T) {
	fakeJournalctl(t, "Dec 07 01:00:00 pve1 kernel: endless")
	s := New(Config{Runner: host.ExecRunner{}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lines, total, err := s.Syslog(ctx, SyslogQuery{Start: 10, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 5 || lines[0].N != 11 || total != 16 {
		t.Errorf("got %d lines from %d, total %d", len(lines), lines[0].N, total)
	}
}

// TestJournalBoundedByDefault: GET journal without parameters answered the
// whole journal (146 MB). Now journalctl gets -n 500, and an endless
// output stops at the entry cap.
func TestJournalBoundedByDefault(t *testing.T) {
	dir := fakeJournalctl(t, `{"__CURSOR":"c","__REALTIME_TIMESTAMP":"1","_BOOT_ID":"b","MESSAGE":"m"}`)
	s := New(Config{Runner: host.ExecRunner{}, Root: mustRoot(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := s.Journal(ctx, JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != maxJournalEntries+2 {
		t.Errorf("%d lines, want the cap %d plus two cursors", len(got), maxJournalEntries)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	if !slices.Contains(strings.Fields(string(argv)), "500") {
		t.Errorf("journalctl %s: want -n 500", argv)
	}
}

func mustRoot(t *testing.T) host.Root {
	r, err := host.NewRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
