package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTaskEnds(t *testing.T) {
	tests := []struct {
		name       string
		fn         func(context.Context, *Log) error
		lastLine   string
		exitStatus string
		class      string
	}{
		{"ok", func(_ context.Context, l *Log) error { l.Printf("hello"); return nil },
			"TASK OK", "OK", "ok"},
		{"warnings", func(_ context.Context, l *Log) error {
			l.Warn("disk %s is old", "sda")
			l.Warn("second")
			return nil
		}, "TASK WARNINGS: 2", "WARNINGS: 2", "warning"},
		{"error", func(_ context.Context, l *Log) error {
			l.Warn("ignored when failing")
			return errors.New("command failed\nexit code 1\n")
		}, "TASK ERROR: command failed exit code 1", "command failed exit code 1", "error"},
		{"panic", func(context.Context, *Log) error { panic("boom") },
			"TASK ERROR: panic: boom", "panic: boom", "error"},
		{"unterminated output", func(_ context.Context, l *Log) error { fmt.Fprint(l, "partial"); return nil },
			"TASK OK", "OK", "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, nil)
			upid := runTask(t, m, "test", "100", "root@pam", tc.fn)
			path, _ := m.LogFile(upid)
			got := lines(readFile(t, path))
			if got[len(got)-1] != tc.lastLine {
				t.Errorf("log = %q, want last line %q", got, tc.lastLine)
			}
			st, err := m.Status(upid)
			if err != nil || st.Status != "stopped" || st.ExitStatus != tc.exitStatus {
				t.Errorf("Status = %+v, %v", st, err)
			}
			idx := readFile(t, filepath.Join(m.cfg.Dir, "index"))
			if want := upid + " 68D7279C " + tc.exitStatus + "\n"; idx != want {
				t.Errorf("index = %q, want %q", idx, want)
			}
			act := readFile(t, filepath.Join(m.cfg.Dir, "active"))
			if want := upid + " 1 68D7279C " + tc.exitStatus + "\n"; act != want {
				t.Errorf("active = %q, want %q", act, want)
			}
			if StatusClass(tc.exitStatus) != tc.class {
				t.Errorf("class = %q", StatusClass(tc.exitStatus))
			}
			fi, _ := os.Stat(path)
			if fi.Mode().Perm() != 0o640 {
				t.Errorf("log mode = %v", fi.Mode())
			}
		})
	}
}

func TestStopAndReadWhileRunning(t *testing.T) {
	m, _ := newTestManager(t, nil)
	written := make(chan struct{})
	u, err := m.Start(context.Background(), "srvreload", "networking", "root@pam", func(ctx context.Context, l *Log) error {
		l.Printf("line one")
		l.Printf("line two")
		close(written)
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	upid := u.String()
	<-written
	got, total, err := m.ReadLog(upid, 0, 0)
	if err != nil || total != 2 || got[1] != (Line{2, "line two"}) {
		t.Fatalf("ReadLog while running = %v, %d, %v", got, total, err)
	}
	if st, _ := m.Status(upid); st.Status != "running" || st.ExitStatus != "" {
		t.Fatalf("Status = %+v", st)
	}
	act := readFile(t, filepath.Join(m.cfg.Dir, "active"))
	if act != upid+" 0\n" {
		t.Fatalf("active while running = %q", act)
	}
	entries, total, _ := m.List(Filter{Source: SourceActive, Limit: 50})
	if total != 1 || entries[0].Status != "RUNNING" || entries[0].EndTime != 0 {
		t.Fatalf("active list = %+v", entries)
	}
	if err := m.Stop(upid); err != nil {
		t.Fatal(err)
	}
	m.Wait(context.Background(), upid)
	st, _ := m.Status(upid)
	if st.ExitStatus != "received interrupt" {
		t.Fatalf("after stop: %+v", st)
	}
	if err := m.Stop(upid); err != nil {
		t.Errorf("stop of a finished task: %v", err)
	}
}

func TestStatusAndLogErrors(t *testing.T) {
	m, _ := newTestManager(t, nil)
	missing := "UPID:pve1:00001092:00000001:68D7279C:test::root@pam:"
	if _, err := m.Status("garbage"); !errors.Is(err, ErrBadUPID) {
		t.Errorf("Status(garbage) = %v", err)
	}
	if _, err := m.Status(missing); !errors.Is(err, ErrNoSuchTask) {
		t.Errorf("Status(missing) = %v", err)
	}
	if err := m.Stop(missing); !errors.Is(err, ErrNoSuchTask) {
		t.Errorf("Stop(missing) = %v", err)
	}
	if _, _, err := m.ReadLog("garbage", 0, 0); !errors.Is(err, ErrBadUPID) {
		t.Errorf("ReadLog(garbage) = %v", err)
	}
	got, total, err := m.ReadLog(missing, 0, 50)
	if err != nil || total != 1 || got[0] != (Line{1, "unable to open file - No such file or directory"}) {
		t.Errorf("ReadLog(missing) = %v, %d, %v", got, total, err)
	}
	if _, err := m.Start(context.Background(), "a:b", "", "root@pam", nil); err == nil {
		t.Error("Start accepted a type with a colon")
	}
}

func TestReadLogPaging(t *testing.T) {
	m, _ := newTestManager(t, nil)
	upid := runTask(t, m, "test", "", "root@pam", func(_ context.Context, l *Log) error {
		for i := 1; i <= 5; i++ {
			l.Printf("l%d", i)
		}
		return nil
	})
	tests := []struct {
		start, limit int
		want         []Line
	}{
		{0, 2, []Line{{1, "l1"}, {2, "l2"}}},
		{3, 0, []Line{{4, "l4"}, {5, "l5"}, {6, "TASK OK"}}},
		{5, 10, []Line{{6, "TASK OK"}}},
		{9, 10, []Line{}},
	}
	for _, tc := range tests {
		got, total, err := m.ReadLog(upid, tc.start, tc.limit)
		if err != nil || total != 6 || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ReadLog(%d, %d) = %v, %d, %v; want %v", tc.start, tc.limit, got, total, err, tc.want)
		}
	}
	empty := "UPID:pve1:00001092:00000001:68D7279C:test::root@pam:"
	path, _ := m.LogFile(empty)
	os.WriteFile(path, nil, 0o640)
	if got, total, _ := m.ReadLog(empty, 0, 50); total != 1 || got[0] != (Line{1, "no content"}) {
		t.Errorf("empty log = %v, %d", got, total)
	}
	if st, _ := m.Status(empty); st.ExitStatus != "unexpected status" {
		t.Errorf("empty log status = %+v", st)
	}
}

func TestUniqueUPIDsInOneSecond(t *testing.T) {
	m, _ := newTestManager(t, func(c *Config) { c.IndexMaxBytes = 1 << 30 })
	seen := map[string]bool{}
	release := make(chan struct{})
	var ids []string
	n := 1000
	if testing.Short() {
		n = 100
	}
	for range n {
		u, err := m.Start(context.Background(), "bulk", "", "root@pam", func(context.Context, *Log) error {
			<-release
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen[u.String()] {
			t.Fatalf("duplicate UPID %s", u)
		}
		seen[u.String()] = true
		ids = append(ids, u.String())
	}
	if act := lines(readFile(t, filepath.Join(m.cfg.Dir, "active"))); len(act) != n {
		t.Errorf("active lists %d running tasks, want all %d", len(act), n)
	}
	close(release)
	for _, id := range ids {
		m.Wait(context.Background(), id)
	}
	if act := lines(readFile(t, filepath.Join(m.cfg.Dir, "active"))); len(act) != maxActive {
		t.Errorf("active keeps %d finished tasks, want %d", len(act), maxActive)
	}
	if _, total, _ := m.List(Filter{Limit: -1}); total != n {
		t.Errorf("index holds %d tasks", total)
	}
}

func TestShutdownFinishesTasks(t *testing.T) {
	m, _ := newTestManager(t, nil)
	var ids []string
	for range 3 {
		u, err := m.Start(context.Background(), "long", "", "root@pam", func(ctx context.Context, _ *Log) error {
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	idx := readFile(t, filepath.Join(m.cfg.Dir, "index"))
	for _, id := range ids {
		if !strings.Contains(idx, id+" 68D7279C received interrupt\n") {
			t.Errorf("index lacks %s: %q", id, idx)
		}
	}
	if _, err := m.Start(context.Background(), "late", "", "root@pam", nil); !errors.Is(err, ErrShutdown) {
		t.Errorf("Start after Shutdown = %v", err)
	}
}

func BenchmarkStart(b *testing.B) {
	m, _ := newTestManager(b, nil)
	fn := func(_ context.Context, l *Log) error { l.Printf("work"); return nil }
	b.ResetTimer()
	for b.Loop() {
		u, err := m.Start(context.Background(), "bench", "", "root@pam", fn)
		if err != nil {
			b.Fatal(err)
		}
		m.Wait(context.Background(), u.String())
	}
}

// TestReadLogHugeLine: a task log holding one 20 MB line, read with
// limit=0, was answered whole; lines are cut at host.DefaultMaxLine and
// the answer is bounded.
func TestReadLogHugeLine(t *testing.T) {
	m, _ := newTestManager(t, nil)
	upid := "UPID:pve1:00001092:00000001:68D7279C:test::root@pam:"
	path, _ := m.LogFile(upid)
	huge := strings.Repeat("x", 20<<20) + "\nsmall\n"
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(huge), 0o640); err != nil {
		t.Fatal(err)
	}
	got, total, err := m.ReadLog(upid, 0, 0)
	if err != nil || total != 2 || len(got) != 2 {
		t.Fatalf("ReadLog = %d lines, total %d, %v", len(got), total, err)
	}
	if len(got[0].T) != 64<<10 || got[1].T != "small" {
		t.Errorf("first line %d bytes (want %d), second %q", len(got[0].T), 64<<10, got[1].T)
	}
}
