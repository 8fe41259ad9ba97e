package guests

import (
	"context"
	"net"
	"testing"
	"time"

	"hostadm/internal/guests/gueststest"
)

// TestListAsksVMsAtOnce holds the monitor of three running VMs, as a busy
// or still-starting QEMU does: each status query then waits its whole
// qmpTimeout. The list must cost one timeout, not one per VM, and still
// report the VMs as running (the process is there; only QEMU's own run
// state is left out).
func TestListAsksVMsAtOnce(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	ctx := context.Background()
	log := &testLog{}
	vmids := []int{121, 122, 123}
	for _, id := range vmids {
		e.create(id, "memory", "32")
		if err := e.svc.Start(ctx, id, log); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range vmids {
		// QEMU's monitor serves one client; this one never speaks.
		c, err := net.Dial("unix", e.svc.qmpPath(id))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	start := time.Now()
	list, err := e.svc.List(ctx)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took > qmpTimeout*3/2 {
		t.Errorf("the list took %v with every monitor held; one qmp timeout is %v", took, qmpTimeout)
	}
	if len(list) != len(vmids) {
		t.Fatalf("listed %d VMs, want %d", len(list), len(vmids))
	}
	for i, st := range list {
		if st.VMID != vmids[i] || st.Status != "running" || st.PID == 0 || st.QMPStatus != "" {
			t.Errorf("entry %d: %+v", i, st)
		}
	}
}
