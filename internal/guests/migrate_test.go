package guests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/tasks"
)

const node2 = "gnode2"

// twoNodes gives the env's service a peer node on the same store (the
// cluster store both nodes share) with its own root, both knowing the
// pair; the peer answers migration requests until the test ends.
func twoNodes(t testing.TB, e *env, online map[string]bool) *Service {
	t.Helper()
	dir, err := os.MkdirTemp("", "gst2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	nodes := func(context.Context) ([]string, error) { return []string{testNode, node2}, nil }
	isOnline := func(_ context.Context, n string) bool { return online == nil || online[n] }
	e.svc = New(Config{Root: e.root, Store: e.store, Node: testNode, Tasks: e.tasks, Accel: "tcg", Nodes: nodes, Online: isOnline})
	peer := New(Config{Root: root, Store: e.store, Node: node2, Tasks: e.tasks, Accel: "tcg", Nodes: nodes, Online: isOnline})
	ctx, cancel := context.WithCancel(context.Background())
	go peer.RunIncoming(ctx)
	t.Cleanup(func() { cancel(); killQEMUs(dir) })
	return peer
}

// TestMigrateAll moves two running VMs to the other node with QEMU's live
// migration over TCP on loopback: both keep running there with their
// uptime, their configs moved. A migration whose target QEMU is killed
// midway leaves the VM running on the source with its config there.
func TestMigrateAll(t *testing.T) {
	needQEMU(t)
	e := newEnv(t)
	peer := twoNodes(t, e, nil)
	ctx := context.Background()
	for _, id := range []int{201, 202} {
		e.create(id, "memory", "64")
		if err := e.svc.Start(ctx, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1100 * time.Millisecond) // some uptime to carry over
	log, status := e.runTask("migrateall", func(ctx context.Context, l *tasks.Log) error {
		return e.svc.MigrateAll(ctx, "root@pam", BulkOptions{Target: node2, MaxWorkers: 1}, l)
	})
	if status != "OK" || !strings.Contains(log, "Migrating VM 201\n") || !strings.Contains(log, "All jobs finished, used 2 workers in total.") {
		t.Fatalf("migrateall: %s\n%s", status, log)
	}
	for _, id := range []int{201, 202} {
		if _, err := e.svc.Load(ctx, id); !errors.Is(err, ErrNoVM) {
			t.Errorf("VM %d config still on the source: %v", id, err)
		}
		if e.svc.Running(id) != nil {
			t.Errorf("VM %d still runs on the source", id)
		}
		st, err := peer.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "running" || st.QMPStatus != "running" || st.Uptime < 1 {
			t.Errorf("VM %d on the target: %+v", id, st)
		}
	}
	// The subtask logs tell the migration's steps.
	if subs := subtaskLogs(t, e, log); !strings.Contains(subs, "migration status: completed") || !strings.Contains(subs, "migration finished successfully") {
		t.Errorf("subtask logs:\n%s", subs)
	}

	// The target dies midway: its incoming QEMU is killed once it listens.
	e.create(203, "memory", "64")
	if err := e.svc.Start(ctx, 203, nil); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if en, err := e.store.Get(ctx, migratePath(node2, 203)); err == nil && strings.Contains(string(en.Data), `"listening"`) {
				if p := peer.Running(203); p != nil {
					_ = syscall.Kill(p.PID, syscall.SIGKILL)
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	err := e.svc.Migrate(ctx, 203, node2, true, &testLog{})
	close(stop)
	if err == nil {
		t.Fatal("migration to a dead target succeeded")
	}
	if st, err := e.svc.Status(ctx, 203); err != nil || st.Status != "running" || st.QMPStatus != "running" {
		t.Errorf("VM 203 after the failed migration: %+v %v", st, err)
	}
	if _, err := peer.Load(ctx, 203); !errors.Is(err, ErrNoVM) {
		t.Errorf("config of VM 203 on the target: %v", err)
	}
}

func TestMigrateRefusals(t *testing.T) {
	e := newEnv(t)
	twoNodes(t, e, map[string]bool{testNode: true})
	ctx := context.Background()
	e.create(210, "memory", "32")
	if err := e.svc.CheckMigrateTarget(ctx, testNode); err == nil || !strings.Contains(err.Error(), "target is local node.") {
		t.Errorf("to self: %v", err)
	}
	if err := e.svc.CheckMigrateTarget(ctx, node2); err == nil || err.Error() != "target node 'gnode2' is offline" {
		t.Errorf("to an offline node: %v", err)
	}
	if err := e.svc.CheckMigrateTarget(ctx, "nowhere"); err == nil || err.Error() != "no such cluster node 'nowhere'" {
		t.Errorf("to an unknown node: %v", err)
	}
	if _, err := e.svc.Load(ctx, 210); err != nil {
		t.Errorf("config moved: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "var/run/qemu-server/210.pid")); err == nil {
		t.Error("VM started")
	}
}

// subtaskLogs joins the logs of the subtasks a bulk task's log names.
func subtaskLogs(t *testing.T, e *env, log string) string {
	var b strings.Builder
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "subtask "); ok {
			upid, _, _ := strings.Cut(rest, ": ")
			l, _ := e.taskLog(upid)
			b.WriteString(l)
		}
	}
	return b.String()
}
