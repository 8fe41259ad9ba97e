package guests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/guests/gueststest"
	"hostadm/internal/host"
	"hostadm/internal/tasks"
)

const testNode = "gnode"

type env struct {
	t     testing.TB
	dir   string
	root  host.Root
	store cfs.Store
	tasks *tasks.Manager
	svc   *Service
}

// newEnv builds a service over a fresh root with a SQLite store. The root
// lives directly under /tmp so QMP socket paths stay short.
func newEnv(t testing.TB) *env {
	t.Helper()
	dir, root := tempRoot(t, "gst")
	store, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tm, err := tasks.NewManager(tasks.Config{Dir: filepath.Join(dir, "var/log/pve/tasks"), Node: testNode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tm.Shutdown(context.Background()) })
	e := &env{t: t, dir: dir, root: root, store: store, tasks: tm}
	e.svc = e.newService()
	// Registered after the store and task cleanups, so it runs first:
	// every QEMU of this root is killed by PID, also when the test failed.
	t.Cleanup(func() { gueststest.KillUnder(dir) })
	return e
}

// tempRoot makes a host root in a fresh directory directly under /tmp,
// removed when the test ends.
func tempRoot(t testing.TB, prefix string) (string, host.Root) {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, root
}

// newService builds another service over the same root and store: a
// restarted daemon.
func (e *env) newService() *Service {
	return New(Config{Root: e.root, Store: e.store, Node: testNode, Tasks: e.tasks, Accel: "tcg", MaxWorkers: 0})
}

func (e *env) create(vmid int, kv ...string) {
	e.t.Helper()
	set := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		set[kv[i]] = kv[i+1]
	}
	if err := e.svc.Create(context.Background(), vmid, set); err != nil {
		e.t.Fatalf("create %d: %v", vmid, err)
	}
}

// runTask runs fn as a task and returns its log text once it ended.
func (e *env) runTask(typ string, fn func(ctx context.Context, l *tasks.Log) error) (string, string) {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.tasks.Start(ctx, typ, "", "root@pam", fn)
	if err != nil {
		e.t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := e.tasks.Wait(wctx, u.String()); err != nil {
		e.t.Fatal(err)
	}
	return e.taskLog(u.String())
}

func (e *env) taskLog(upid string) (string, string) {
	lines, _, err := e.tasks.ReadLog(upid, 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.T + "\n")
	}
	st, _ := e.tasks.Status(upid)
	return b.String(), st.ExitStatus
}
