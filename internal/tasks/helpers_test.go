package tasks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/host/hosttest"
)

var testBoot = time.Unix(1758900000, 0)

// newTestManager builds a Manager over a temp dir with a fixed clock, PID
// 4242 and an empty proc dir, so no foreign task looks alive.
func newTestManager(t testing.TB, edit func(*Config)) (*Manager, *hosttest.Clock) {
	t.Helper()
	clock := hosttest.NewClock(time.Unix(1758930844, 0))
	root := t.TempDir()
	cfg := Config{
		Dir: filepath.Join(root, "var/log/pve/tasks"), Node: "pve1", PID: 4242,
		Clock: clock.Now, BootTime: testBoot, ProcDir: filepath.Join(root, "proc"),
	}
	if edit != nil {
		edit(&cfg)
	}
	m, err := NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Let the start-up parse end first: it would otherwise race with the
	// history a test writes next (and parse it before the test looks).
	<-m.warmed
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m, clock
}

// runTask starts fn and waits for it to finish.
func runTask(t testing.TB, m *Manager, typ, id, user string, fn func(context.Context, *Log) error) string {
	t.Helper()
	u, err := m.Start(context.Background(), typ, id, user, fn)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Wait(context.Background(), u.String()); err != nil {
		t.Fatal(err)
	}
	return u.String()
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
