package apt_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/apt"
	"hostadm/internal/host"
	"hostadm/internal/tasks"
)

// fakeClock is the daily check's clock under the test's control: After
// reports each wait's deadline on blocked, Set moves the time and fires
// the waits that are due.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waits   []fakeWait
	blocked chan time.Time
}

type fakeWait struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, blocked: make(chan time.Time, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	w := fakeWait{c.now.Add(d), make(chan time.Time, 1)}
	c.waits = append(c.waits, w)
	c.mu.Unlock()
	c.blocked <- w.at
	return w.ch
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	keep := c.waits[:0]
	for _, w := range c.waits {
		if w.at.After(t) {
			keep = append(keep, w)
			continue
		}
		w.ch <- t
	}
	c.waits = keep
}

// nextWait is the deadline of the loop's next wait (so the loop is idle).
func (c *fakeClock) nextWait(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-c.blocked:
		return at
	case <-time.After(2 * time.Minute):
		t.Fatal("the daily loop does not wait")
		return time.Time{}
	}
}

func TestNextDailyRun(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, cet) }
	for _, tc := range []struct {
		now   time.Time
		delay time.Duration
		want  time.Time
	}{
		{at(10, 0, 30), 137 * time.Minute, at(10, 3, 17)},
		{at(10, 0, 59), 0, at(10, 1, 0)},
		{at(10, 1, 0), 0, at(11, 1, 0)},
		{at(10, 1, 30), 4*time.Hour + 59*time.Minute, at(11, 5, 59)},
		{at(31, 23, 0), time.Hour, time.Date(2026, 4, 1, 2, 0, 0, 0, cet)},
	} {
		if got := apt.NextDailyRun(tc.now, tc.delay); !got.Equal(tc.want) {
			t.Errorf("NextDailyRun(%v, %v) = %v, want %v", tc.now, tc.delay, got, tc.want)
		}
	}
	if vienna, err := time.LoadLocation("Europe/Vienna"); err == nil {
		// The night summer time starts, 02:00 does not exist; 01:00 does.
		now := time.Date(2026, 3, 28, 12, 0, 0, 0, vienna)
		if got := apt.NextDailyRun(now, 0); got.Hour() != 1 || got.Day() != 29 {
			t.Errorf("DST: %v", got)
		}
	}
}

type dailyEnv struct {
	root  string
	svc   *apt.Service
	tasks *tasks.Manager
	clock *fakeClock
	stop  func()
}

// startDaily runs the daily loop over a sandbox with a fake clock and a
// real task manager; the random delay is fixed to 2h17m (03:17).
func startDaily(t *testing.T, root, relay string, now time.Time) *dailyEnv {
	r, _ := host.NewRoot(root)
	svc := apt.New(apt.Config{Root: r, Runner: host.ExecRunner{}, Mail: apt.MailConfig{
		Relay: relay, Hostname: "testnode.example.com",
		Users: rootWithEmail(t, "admin@example.com"),
	}})
	tm, err := tasks.NewManager(tasks.Config{Dir: filepath.Join(root, "var/log/pve/tasks"), Node: "testnode"})
	if err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock(now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		svc.RunDaily(ctx, apt.DailyConfig{Tasks: tm, Clock: clk,
			Delay: func(time.Duration) time.Duration { return 137 * time.Minute }})
		close(done)
	}()
	e := &dailyEnv{root: root, svc: svc, tasks: tm, clock: clk}
	e.stop = func() {
		cancel()
		<-done
		tm.Shutdown(context.Background())
	}
	t.Cleanup(e.stop)
	return e
}

// TestDailyUpdateCheck: the loop waits for 01:00 plus the random delay,
// runs apt-get update as an aptupdate task of root@pam, mails one message
// per new version through a real SMTP server, and the next day mails only
// the version that is new since.
func TestDailyUpdateCheck(t *testing.T) {
	needTools(t)
	mb, addr := startMailbox(t)
	repo := newTestRepo(t)
	repo.publish(t, "bookworm", []testPkg{{"hello", "2.0", ""}, {"other", "1.5", ""}}, false)
	root := t.TempDir()
	repo.prepareSandbox(t, root, "bookworm", []testPkg{{"hello", "1.0", ""}, {"other", "1.0", ""}})
	cet := time.FixedZone("CET", 3600)
	e := startDaily(t, root, addr, time.Date(2026, 3, 10, 0, 30, 0, 0, cet))

	// Waits are at most an hour; just before 03:17 nothing runs.
	if at := e.clock.nextWait(t); !at.Equal(time.Date(2026, 3, 10, 1, 30, 0, 0, cet)) {
		t.Fatalf("first wait until %v", at)
	}
	e.clock.Set(time.Date(2026, 3, 10, 3, 16, 0, 0, cet))
	if at := e.clock.nextWait(t); !at.Equal(time.Date(2026, 3, 10, 3, 17, 0, 0, cet)) {
		t.Fatalf("second wait until %v", at)
	}
	if n := mailCount(mb); n != 0 {
		t.Fatalf("%d mails before the run", n)
	}
	e.clock.Set(time.Date(2026, 3, 10, 3, 17, 0, 0, cet))
	e.clock.nextWait(t) // the run is over
	subjects := mailSubjects(mb)
	slices.Sort(subjects)
	want := []string{
		"New software package available (testnode.example.com): hello 2.0",
		"New software package available (testnode.example.com): other 1.5",
	}
	if !slices.Equal(subjects, want) {
		t.Fatalf("mails %q, want %q", subjects, want)
	}
	list, _, err := e.tasks.List(tasks.Filter{Source: tasks.SourceAll, Limit: -1})
	if err != nil || len(list) != 1 || list[0].Type != "aptupdate" || list[0].User != "root@pam" || list[0].Status != "OK" {
		t.Fatalf("tasks %+v %v", list, err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "var/lib/hostadm/apt-daily-update")); strings.TrimSpace(string(b)) !=
		"1773109020" {
		t.Errorf("stamp %q", b)
	}

	// The next day only the newer hello is mailed.
	repo.publish(t, "bookworm", []testPkg{{"hello", "3.0", ""}}, false)
	touchTree(t, filepath.Join(repo.dir, "dists"), time.Now().Add(5*time.Second))
	e.clock.Set(time.Date(2026, 3, 11, 3, 17, 0, 0, cet))
	e.clock.nextWait(t)
	subjects = mailSubjects(mb)
	if len(subjects) != 3 || subjects[2] != "New software package available (testnode.example.com): hello 3.0" {
		list, _, _ := e.tasks.List(tasks.Filter{Source: tasks.SourceAll, Limit: -1})
		for _, l := range list {
			lines, _, _ := e.tasks.ReadLog(l.UPID, 0, 1000)
			t.Logf("%s: %+v", l.UPID, lines)
		}
		t.Fatalf("mails after day 2: %q", subjects)
	}
	if list, _, _ := e.tasks.List(tasks.Filter{Source: tasks.SourceAll, Limit: -1}); len(list) != 2 {
		t.Errorf("%d tasks", len(list))
	}
}

// TestDailyCatchUp: a daemon that was down during the last slot runs the
// check a minute after its start; one that ran after it waits.
func TestDailyCatchUp(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, cet)
	for name, tc := range map[string]struct {
		stamp string
		want  time.Time
	}{
		"missed":   {"1772928000\n", now.Add(time.Minute)}, // 2026-03-08 01:00 CET
		"ran":      {"1773108960\n", now.Add(time.Hour)},   // 2026-03-10 03:16 CET
		"no stamp": {"", now.Add(time.Hour)},               // a new node waits for 01:00
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			if tc.stamp != "" {
				os.MkdirAll(filepath.Join(root, "var/lib/hostadm"), 0o755)
				os.WriteFile(filepath.Join(root, "var/lib/hostadm/apt-daily-update"), []byte(tc.stamp), 0o644)
			}
			e := startDaily(t, root, "", now)
			if at := e.clock.nextWait(t); !at.Equal(tc.want) {
				t.Errorf("waits until %v, want %v", at, tc.want)
			}
		})
	}
}

// touchTree moves the modification times forward: the test's HTTP server
// answers apt's If-Modified-Since with 304 when a republished index has
// the same second as the first one.
func touchTree(t *testing.T, dir string, at time.Time) {
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			os.Chtimes(p, at, at)
		}
		return nil
	})
}

func mailCount(mb *mailbox) int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return len(mb.msgs)
}

func mailSubjects(mb *mailbox) []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	var out []string
	for _, m := range mb.msgs {
		for _, l := range strings.Split(m, "\r\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
