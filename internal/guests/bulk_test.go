package guests

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/guests/gueststest"
	"hostadm/internal/tasks"
)

// TestStartAllStopAll runs three real QEMU VMs (TCG, 32-64 MiB, no disks)
// with different startup orders and up delays: startall starts them in
// order, waiting each one's up delay; a restarted service finds them;
// stopall shuts them down in reverse, and since firmware without an OS
// ignores ACPI, each is force-stopped after its timeout.
func TestStartAllStopAll(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	ctx := context.Background()
	e.create(101, "name", "third", "memory", "32", "onboot", "1", "startup", "order=3,up=0,down=1")
	e.create(102, "name", "first", "memory", "64", "balloon", "32", "onboot", "1", "startup", "order=1,up=1")
	e.create(103, "name", "second", "memory", "32", "onboot", "1", "startup", "order=2,up=1")
	e.create(104, "name", "manual", "memory", "32", "startup", "order=0") // no onboot: not started

	plan, err := e.svc.StartPlan(ctx, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := planIDs(plan); !slices.Equal(got, []int{102, 103, 101}) {
		t.Fatalf("start plan %v", got)
	}
	log, status := e.runTask("startall", func(ctx context.Context, l *tasks.Log) error {
		return e.svc.StartAll(ctx, "root@pam", BulkOptions{}, l)
	})
	if status != "OK" {
		t.Fatalf("startall: %s\n%s", status, log)
	}
	for _, want := range []string{"Starting VM 102\nWaiting for 1 seconds (startup delay)\n",
		"Starting VM 103\nWaiting for 1 seconds (startup delay)\n", "Starting VM 101\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("startall log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "VM 104") {
		t.Errorf("VM 104 without onboot was started:\n%s", log)
	}
	// The order as QEMU saw it: when each process started (clock ticks).
	start := map[int]uint64{}
	for _, id := range []int{101, 102, 103} {
		p := e.svc.Running(id)
		if p == nil {
			t.Fatalf("VM %d not running after startall", id)
		}
		start[id] = p.StartTick
	}
	if !(start[102] < start[103] && start[103] < start[101]) {
		t.Errorf("start ticks %v: want 102 < 103 < 101", start)
	}
	if d := start[103] - start[102]; d < 90 { // up=1 s between them (100 ticks, 10 ms slack)
		t.Errorf("VM 103 started %d ticks after 102, want >= 1 s (up delay)", d)
	}
	if e.svc.Running(104) != nil {
		t.Error("VM 104 runs")
	}

	// A restarted daemon finds the VMs through their pid files and QMP.
	e.svc = e.newService()
	for _, id := range []int{101, 102, 103} {
		st, err := e.svc.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "running" || st.QMPStatus != "running" || st.PID == 0 {
			t.Errorf("VM %d after restart: %+v", id, st)
		}
	}
	if st, _ := e.svc.Status(ctx, 102); st.Balloon != 64<<20 || st.MaxMem != 64<<20 {
		t.Errorf("VM 102 balloon %d maxmem %d", st.Balloon, st.MaxMem)
	}

	log, status = e.runTask("stopall", func(ctx context.Context, l *tasks.Log) error {
		return e.svc.StopAll(ctx, "root@pam", BulkOptions{Timeout: 1, ForceStop: true}, l)
	})
	if status != "OK" {
		t.Fatalf("stopall: %s\n%s", status, log)
	}
	re := regexp.MustCompile(`Stopping VM (\d+) \(timeout = (\d+) seconds\)`)
	var order []string
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		order = append(order, m[1]+"/"+m[2])
	}
	if !slices.Equal(order, []string{"101/1", "103/1", "102/1"}) {
		t.Errorf("stop order %v:\n%s", order, log)
	}
	for _, id := range []int{101, 102, 103} {
		if e.svc.Running(id) != nil {
			t.Errorf("VM %d still runs after stopall", id)
		}
	}
	// Each subtask's own log tells that the guest ignored ACPI.
	subs := regexp.MustCompile(`subtask (\S+): WARNINGS: 1`).FindAllStringSubmatch(log, -1)
	if len(subs) != 3 {
		t.Errorf("stopall log lists %d finished subtasks, want 3:\n%s", len(subs), log)
	}
	for _, m := range subs {
		sub, st := e.taskLog(m[1])
		if st != "WARNINGS: 1" || !strings.Contains(sub, "VM still running - terminating now with SIGTERM") {
			t.Errorf("subtask %s (%s):\n%s", m[1], st, sub)
		}
	}
}

func planIDs(p []PlanEntry) []int {
	var out []int
	for _, e := range p {
		out = append(out, e.VMID)
	}
	return out
}
