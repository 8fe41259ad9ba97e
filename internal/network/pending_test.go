package network

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRollbackSurvivesRestart applies with a rollback timeout, lets the
// process that armed it go away, and checks that a new one (the restarted
// daemon) rolls back at the deadline, or keeps a change confirmed
// through it, or finishes a restore that was cut short.
func TestRollbackSurvivesRestart(t *testing.T) {
	ns := newNS(t, "eth0")
	svc, root := nsService(t, ns, ApplierNative)
	live := filepath.Join(root, "etc/network/interfaces")
	stage(t, root, mgmtFile)
	if err := svc.Apply(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	good, _ := kernelView(t, ns)
	cut := strings.Replace(strings.Replace(mgmtFile, "\taddress 10.210.0.2/24\n\tgateway 10.210.0.1\n", "", 1), "inet static", "inet manual", 1)
	sync := func(fn func(context.Context, io.Writer) error) error {
		if err := fn(context.Background(), io.Discard); err != nil {
			t.Errorf("rollback: %v", err)
		}
		return nil
	}
	restarted := func() *Service { return New(svc.cfg) }
	noTraces := func() {
		t.Helper()
		for _, p := range []string{pendingPath, runningPath, backupPath} {
			if _, err := os.Stat(filepath.Join(root, p)); !os.IsNotExist(err) {
				t.Errorf("%s left behind", p)
			}
		}
	}

	t.Run("deadline passed while down", func(t *testing.T) {
		stage(t, root, cut)
		if err := svc.ApplyWithRollback(context.Background(), io.Discard, 200*time.Millisecond, sync); err != nil {
			t.Fatal(err)
		}
		svc.StopRollbackTimers() // the daemon is gone
		time.Sleep(300 * time.Millisecond)
		if b, _ := os.ReadFile(live); string(b) != cut {
			t.Fatal("rolled back without a daemon")
		}
		next := restarted()
		if _, ok := next.PendingRollback(); !ok {
			t.Fatal("pending rollback not on disk")
		}
		next.Resume(sync)
		next.WaitRollback()
		if now, _ := kernelView(t, ns); !cmp.Equal(good, now) {
			t.Errorf("kernel not restored:\n%s", cmp.Diff(good, now))
		}
		if b, _ := os.ReadFile(live); string(b) != mgmtFile {
			t.Errorf("live file not restored:\n%s", b)
		}
		noTraces()
	})

	t.Run("confirmed after restart", func(t *testing.T) {
		first := restarted()
		stage(t, root, cut)
		if err := first.ApplyWithRollback(context.Background(), io.Discard, 2*time.Second, sync); err != nil {
			t.Fatal(err)
		}
		first.StopRollbackTimers()
		next := restarted()
		next.Resume(sync)
		if err := next.ApplyWithRollback(context.Background(), io.Discard, time.Second, sync); err != ErrRollbackPending {
			t.Errorf("second apply while pending: %v", err)
		}
		if err := next.Confirm(); err != nil {
			t.Fatal(err)
		}
		next.WaitRollback()
		if b, _ := os.ReadFile(live); string(b) != cut {
			t.Errorf("confirmed change was rolled back:\n%s", b)
		}
		noTraces()
	})

	t.Run("restore cut short", func(t *testing.T) {
		// a crash after the claim: the deadline file was renamed, the
		// previous file is still there
		os.WriteFile(filepath.Join(root, backupPath), []byte(mgmtFile), 0o600)
		os.WriteFile(filepath.Join(root, runningPath), []byte(`{"id":"x","deadline":"2020-01-01T00:00:00Z","timeout":5}`+"\n"), 0o600)
		next := restarted()
		next.Resume(sync)
		next.WaitRollback()
		if b, _ := os.ReadFile(live); string(b) != mgmtFile {
			t.Errorf("live file not restored:\n%s", b)
		}
		if now, _ := kernelView(t, ns); !cmp.Equal(good, now) {
			t.Errorf("kernel not restored:\n%s", cmp.Diff(good, now))
		}
		noTraces()
	})
}
