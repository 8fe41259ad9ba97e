package tasks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host/hosttest"
)

func TestActiveRoundTrip(t *testing.T) {
	in := upidA + " 0\n" + upidA + " 1 68D727A0 OK\n" + upidA + " 0 68D727A0\n" + upidA + " 1 68D727A0  lead space\n"
	if got := string(formatActive(parseActive([]byte(in)))); got != in {
		t.Errorf("round trip:\n%q\nwant\n%q", got, in)
	}
	bad := upidA + " 2\n" + upidA + "\nUPID:x 0\n" + upidA + " 0 123\n"
	if got := parseActive([]byte(bad)); len(got) != 0 {
		t.Errorf("parsed bad lines: %+v", got)
	}
}

// TestRecovery writes the files a daemon leaves when it dies mid-task and
// checks that a new Manager ends those tasks.
func TestRecovery(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "tasks")
	procDir := filepath.Join(root, "proc")
	// pid 4242: this daemon's PID, reused after a restart (the old task is
	// dead); pid 77: another process still alive; pid 78: gone.
	u1 := UPID{"pve1", 4242, 1000, 1758930000, "aptupdate", "", "root@pam"}
	u2 := UPID{"pve1", 4242, 1001, 1758930001, "srvreload", "chrony", "root@pam"}
	u3 := UPID{"pve1", 77, 5000, 1758930050, "cli", "", "root@pam"}
	u4 := UPID{"pve1", 78, 5001, 1758930051, "cli", "", "root@pam"}
	u5 := UPID{"pve1", 79, 5002, 1758930052, "cli", "", "root@pam"} // pid reused by a newer process
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(u1.LogPath(), "starting\nTASK OK\n")
	write(u2.LogPath(), "reloading\n") // died before the status line
	write(u3.LogPath(), "")
	write(u4.LogPath(), "x\nTASK ERROR: failed\n")
	write(u5.LogPath(), "")
	var act strings.Builder
	for _, u := range []UPID{u1, u2, u3, u4, u5} {
		fmt.Fprintf(&act, "%s 0\n", u)
	}
	write("active", act.String())
	procStat := func(pid, start int) {
		os.MkdirAll(filepath.Join(procDir, fmt.Sprint(pid)), 0o755)
		line := fmt.Sprintf("%d (hostadm (cli)) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 %d 20 21\n", pid, start)
		os.WriteFile(filepath.Join(procDir, fmt.Sprint(pid), "stat"), []byte(line), 0o644)
	}
	procStat(77, 4990)
	procStat(79, 6000)
	clock := hosttest.NewClock(testBoot.Add(40000e9))
	if _, err := NewManager(Config{Dir: dir, Node: "pve1", PID: 4242, Clock: clock.Now,
		BootTime: testBoot, ProcDir: procDir}); err != nil {
		t.Fatal(err)
	}
	end := fmt.Sprintf("%08X", clock.Now().Unix())
	wantIndex := fmt.Sprintf("%s %s OK\n%s %s unexpected status\n%s %s failed\n%s %s unexpected status\n",
		u1, end, u2, end, u4, end, u5, end)
	if got := readFile(t, filepath.Join(dir, "index")); got != wantIndex {
		t.Errorf("index:\n%s\nwant\n%s", got, wantIndex)
	}
	wantActive := fmt.Sprintf("%s 0\n%s 1 %s unexpected status\n%s 1 %s failed\n%s 1 %s unexpected status\n%s 1 %s OK\n",
		u3, u5, end, u4, end, u2, end, u1, end)
	if got := readFile(t, filepath.Join(dir, "active")); got != wantActive {
		t.Errorf("active:\n%s\nwant\n%s", got, wantActive)
	}
}

func TestIndexRotation(t *testing.T) {
	m, _ := newTestManager(t, func(c *Config) { c.IndexMaxBytes = 1000 })
	var all []string
	for i := range 30 {
		all = append(all, runTask(t, m, "rot", fmt.Sprint(i), "root@pam", func(context.Context, *Log) error { return nil }))
	}
	idx := readFile(t, filepath.Join(m.cfg.Dir, "index"))
	idx1 := readFile(t, filepath.Join(m.cfg.Dir, "index.1"))
	if len(idx) > 1000 || len(idx1) <= 1000 {
		t.Errorf("sizes: index %d, index.1 %d", len(idx), len(idx1))
	}
	entries, total, err := m.List(Filter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	// index.1 was replaced once, so only the newest tasks remain, and
	// they come newest first across both files.
	n := len(lines(idx)) + len(lines(idx1))
	if total != n || len(entries) != n {
		t.Fatalf("total %d, entries %d, want %d", total, len(entries), n)
	}
	for i, e := range entries {
		if want := all[len(all)-1-i]; e.UPID != want {
			t.Fatalf("entry %d = %s, want %s", i, e.UPID, want)
		}
	}
}
