package guests

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOnbootDelay: the first startall of a boot waits the node's
// startall-onboot-delay (logged as pve-startall-delay does); later ones,
// and calls with force or a VM list, do not.
func TestOnbootDelay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.Put(ctx, "nodes/"+testNode+"/config", []byte("startall-onboot-delay: 7\n"), 0); err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	svc := New(Config{Root: e.root, Store: e.store, Node: testNode, Tasks: e.tasks,
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	log := &testLog{}
	if err := svc.StartAll(ctx, "root@pam", BulkOptions{Force: true}, log); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 0 {
		t.Fatalf("forced startall waited %v", slept)
	}
	if err := svc.StartAll(ctx, "root@pam", BulkOptions{}, log); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slept, []time.Duration{7 * time.Second}) || !strings.Contains(strings.Join(log.lines, "\n"), "Delaying on-boot 'startall' command for 7 second(s).") {
		t.Fatalf("first on-boot startall: slept %v, log %v", slept, log.lines)
	}
	if err := svc.StartAll(ctx, "root@pam", BulkOptions{}, log); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 {
		t.Errorf("second startall of the boot waited again: %v", slept)
	}
}
