package guests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hostadm/internal/guests/gueststest"
)

// TestBalloonRound runs an auto-ballooning round over a real VM: host
// memory (the root's /proc/meminfo) is 95 % used against the node's
// ballooning-target of 70 %, so the VM's balloon is set to its minimum
// over QMP; the figures reach the Prometheus collector, whose names pass
// promlint.
func TestBalloonRound(t *testing.T) {
	gueststest.NeedQEMU(t)
	e := newEnv(t)
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Join(e.dir, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	meminfo := "MemTotal:        8388608 kB\nMemFree:          100000 kB\nMemAvailable:     419430 kB\n"
	if err := os.WriteFile(filepath.Join(e.dir, "proc/meminfo"), []byte(meminfo), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Put(ctx, "nodes/"+testNode+"/config", []byte("ballooning-target: 70\n"), 0); err != nil {
		t.Fatal(err)
	}
	e.create(500, "memory", "64", "balloon", "32", "shares", "2000")
	if err := e.svc.Start(ctx, 500, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.BalloonRound(ctx); err != nil {
		t.Fatal(err)
	}
	f := e.svc.BalloonFigures()
	if f.TargetPercent != 70 || f.HostTotal != 8<<30 || f.Target[500] != 32<<20 || f.Actual[500] != 64<<20 {
		t.Fatalf("figures %+v", f)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.svc.Collector())
	want := `
# HELP hostadm_guest_balloon_target_bytes The balloon size auto-ballooning last asked for.
# TYPE hostadm_guest_balloon_target_bytes gauge
hostadm_guest_balloon_target_bytes{vmid="500"} 3.3554432e+07
# HELP hostadm_guest_ballooning_target_ratio The node's ballooning-target as a fraction of host memory.
# TYPE hostadm_guest_ballooning_target_ratio gauge
hostadm_guest_ballooning_target_ratio 0.7
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hostadm_guest_balloon_target_bytes", "hostadm_guest_ballooning_target_ratio"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "hostadm_guest_up"); err != nil || n != 1 {
		t.Errorf("hostadm_guest_up: %d %v", n, err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
