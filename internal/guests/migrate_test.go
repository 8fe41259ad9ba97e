package guests

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/guests/gueststest"
	"hostadm/internal/tasks"
)

const node2 = "gnode2"

// twoNodes gives the env's service a peer node on the same store (the
// cluster store both nodes share) with its own root, both knowing the
// pair; the peer answers migration requests until the test ends.
func twoNodes(t testing.TB, e *env, online map[string]bool) *Service {
	t.Helper()
	peer := peerNode(t, e, online)
	ctx, cancel := context.WithCancel(context.Background())
	go peer.RunIncoming(ctx)
	t.Cleanup(cancel)
	return peer
}

// peerNode is twoNodes' peer without its migration watcher running.
func peerNode(t testing.TB, e *env, online map[string]bool) *Service {
	t.Helper()
	dir, root := tempRoot(t, "gst2")
	nodes := func(context.Context) ([]string, error) { return []string{testNode, node2}, nil }
	isOnline := func(_ context.Context, n string) bool { return online == nil || online[n] }
	e.svc = New(Config{Root: e.root, Store: e.store, Node: testNode, Tasks: e.tasks, Accel: "tcg", Nodes: nodes, Online: isOnline})
	peer := New(Config{Root: root, Store: e.store, Node: node2, Tasks: e.tasks, Accel: "tcg", Nodes: nodes, Online: isOnline})
	t.Cleanup(func() { gueststest.KillUnder(dir) })
	return peer
}

// TestMigrateAll moves two running VMs to the other node with QEMU's live
// migration over TCP on loopback: both keep running there with their
// uptime, their configs moved. A migration whose target QEMU is killed
// midway leaves the VM running on the source with its config there.
func TestMigrateAll(t *testing.T) {
	gueststest.NeedQEMU(t)
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
	err := e.svc.Migrate(ctx, 203, MigrateOptions{Target: node2, Online: true}, &testLog{})
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

// TestIncomingAfterACrash: the target's daemon dies while VMs come in (its
// QEMUs live on in their own sessions). The restarted daemon gives the VM
// still in flight up — its request marked failed before its QEMU goes, so
// the source can no longer commit it and keeps it — and lets the VM run
// whose handover the source was committing.
func TestIncomingAfterACrash(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	crashed := peerNode(t, e, nil) // answers requests by hand below, then "dies"
	ctx := context.Background()
	request := func(vmid int) (string, int64) {
		e.create(vmid, "memory", "64")
		if err := e.svc.Start(ctx, vmid, nil); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(migrateRequest{VMID: vmid, Source: testNode, State: "request", Started: time.Now().Unix()})
		if _, err := e.store.Put(ctx, migratePath(node2, vmid), b, cfs.NoVersion); err != nil {
			t.Fatal(err)
		}
		if _, ok := crashed.listen(ctx, vmid); !ok {
			t.Fatalf("VM %d: the target does not listen", vmid)
		}
		r, v := readRequest(t, e, vmid)
		return r.URI, v
	}
	_, version220 := request(220) // in flight
	uri, version := request(221)  // migrated, being committed
	if _, err := e.svc.qmpRun(ctx, 221, qmpCmd{Execute: "migrate", Arguments: map[string]string{"uri": uri}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.waitMigrated(ctx, 221, node2, &testLog{}); err != nil {
		t.Fatal(err)
	}
	l, err := e.svc.Load(ctx, 221)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.commit(ctx, l, node2, migratePath(node2, 221), version); err != nil {
		t.Fatal(err)
	}
	e.svc.kill(221)

	restarted := New(crashed.cfg)
	rctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go restarted.RunIncoming(rctx)
	waitUntil(t, "VM 220 given up, VM 221 running on the target", func() bool {
		r220, _ := readRequest(t, e, 220)
		r221, _ := readRequest(t, e, 221)
		return r220.State == "failed" && restarted.Running(220) == nil && r221.State == "running"
	})
	if l, err := e.svc.Load(ctx, 220); err != nil {
		t.Fatal(err)
	} else if err := e.svc.commit(ctx, l, node2, migratePath(node2, 220), version220); err == nil || !strings.Contains(err.Error(), "gave the VM up") {
		t.Errorf("commit of the given-up VM 220: %v", err)
	}
	if st, err := e.svc.Status(ctx, 220); err != nil || st.QMPStatus != "running" {
		t.Errorf("VM 220 on the source: %+v %v", st, err)
	}
	if st, err := restarted.Status(ctx, 221); err != nil || st.QMPStatus != "running" {
		t.Errorf("VM 221 on the target: %+v %v", st, err)
	}
	if _, err := os.Stat(restarted.incomingPath(221)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VM 221 still marked incoming: %v", err)
	}
}

// TestSourceDiesMidway: the source's daemon dies during a migration (its
// QEMU lives on and completes the transfer, then waits paused). The
// target, seeing the source offline, gives its incoming VM up; the
// source's daemon, started again, removes the request and lets the VM run
// on where its config is.
func TestSourceDiesMidway(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	peer := peerNode(t, e, nil)
	var sourceUp atomic.Bool
	sourceUp.Store(true)
	peer.cfg.Online = func(_ context.Context, n string) bool { return n != testNode || sourceUp.Load() }
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go peer.RunIncoming(ctx)
	e.create(230, "memory", "64")
	if err := e.svc.Start(ctx, 230, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(migrateRequest{VMID: 230, Source: testNode, State: "request", Started: time.Now().Unix()})
	if _, err := e.store.Put(ctx, migratePath(node2, 230), b, cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	var uri string
	waitUntil(t, "the target listens", func() bool {
		r, _ := readRequest(t, e, 230)
		uri = r.URI
		return r.State == "listening"
	})
	if _, err := e.svc.qmpRun(ctx, 230, qmpCmd{Execute: "migrate", Arguments: map[string]string{"uri": uri}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.waitMigrated(ctx, 230, node2, &testLog{}); err != nil {
		t.Fatal(err)
	}
	if st, err := e.svc.QueryStatus(ctx, 230); err != nil || st != "postmigrate" {
		t.Fatalf("source QEMU after the transfer: %q %v", st, err)
	}
	sourceUp.Store(false) // the source's daemon dies before it commits
	waitUntil(t, "the target gives VM 230 up", func() bool {
		r, _ := readRequest(t, e, 230)
		return r.State == "failed" && peer.Running(230) == nil
	})
	sourceUp.Store(true)
	restarted := New(e.svc.cfg)
	go restarted.RunIncoming(ctx)
	waitUntil(t, "VM 230 running on the source again", func() bool {
		st, err := restarted.Status(ctx, 230)
		return err == nil && st.QMPStatus == "running"
	})
	if _, err := e.store.Get(ctx, migratePath(node2, 230)); !errors.Is(err, cfs.ErrNotFound) {
		t.Errorf("migration request left: %v", err)
	}
	if _, err := peer.Load(ctx, 230); !errors.Is(err, ErrNoVM) {
		t.Errorf("config of VM 230 on the target: %v", err)
	}
}

func readRequest(t *testing.T, e *env, vmid int) (migrateRequest, int64) {
	t.Helper()
	var r migrateRequest
	en, err := e.store.Get(context.Background(), migratePath(node2, vmid))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(en.Data, &r); err != nil {
		t.Fatal(err)
	}
	return r, en.Version
}

// waitUntil polls cond for up to 30 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
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
