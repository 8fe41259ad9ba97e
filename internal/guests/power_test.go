package guests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hostadm/internal/guests/gueststest"
)

type testLog struct{ lines []string }

func (l *testLog) Printf(f string, a ...any) { l.lines = append(l.lines, fmt.Sprintf(f, a...)) }
func (l *testLog) Warn(f string, a ...any)   { l.lines = append(l.lines, "WARN: "+fmt.Sprintf(f, a...)) }

// TestPowerActions drives one real QEMU VM through every action.
func TestPowerActions(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	ctx := context.Background()
	e.create(110, "memory", "32", "cores", "1")
	log := &testLog{}
	if err := e.svc.Stop(ctx, 110, 1, log); !errors.Is(err, ErrNotRunning) {
		t.Errorf("stop of a stopped VM: %v", err)
	}
	if err := e.svc.Start(ctx, 110, log); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Start(ctx, 110, log); err == nil || err.Error() != "VM 110 already running" {
		t.Errorf("second start: %v", err)
	}
	expect := func(want string) {
		t.Helper()
		if got, err := e.svc.QueryStatus(ctx, 110); err != nil || got != want {
			t.Errorf("qmp status %q %v, want %q", got, err, want)
		}
	}
	expect("running")
	if err := e.svc.Suspend(ctx, 110); err != nil {
		t.Fatal(err)
	}
	expect("paused")
	if err := e.svc.Shutdown(ctx, 110, 1, false, log); err == nil || err.Error() != "VM is paused - cannot shutdown" {
		t.Errorf("shutdown of a paused VM: %v", err)
	}
	if err := e.svc.Resume(ctx, 110); err != nil {
		t.Fatal(err)
	}
	expect("running")
	pid := e.svc.Running(110).PID
	if err := e.svc.Reset(ctx, 110); err != nil {
		t.Fatal(err)
	}
	expect("running")
	// The firmware ignores ACPI: without force the shutdown fails, the VM stays.
	if err := e.svc.Shutdown(ctx, 110, 1, false, log); err == nil || err.Error() != "VM quit/powerdown failed - got timeout" {
		t.Errorf("shutdown without force: %v", err)
	}
	if p := e.svc.Running(110); p == nil || p.PID != pid {
		t.Fatal("VM gone after a failed shutdown")
	}
	st, err := e.svc.Status(ctx, 110)
	if err != nil || st.Status != "running" || st.Uptime < 1 || st.Mem <= 0 || st.QEMUVersion == "" {
		t.Errorf("status %+v %v", st, err)
	}
	// Stop (QMP quit) ends the process at once.
	start := time.Now()
	if err := e.svc.Stop(ctx, 110, 5, log); err != nil {
		t.Fatal(err)
	}
	if e.svc.Running(110) != nil || time.Since(start) > 4*time.Second {
		t.Errorf("stop took %v", time.Since(start))
	}
	if st, _ := e.svc.Status(ctx, 110); st.Status != "stopped" || st.PID != 0 {
		t.Errorf("status after stop %+v", st)
	}
	if strings.Contains(strings.Join(log.lines, "\n"), "SIGKILL") {
		t.Errorf("log %v", log.lines)
	}
}
