package metrics

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"hostadm/internal/hostcfg/golden"
)

func TestStatusCache(t *testing.T) {
	n, clock, root := newTestNode(t, hostFiles(t), time.Second)
	ctx := context.Background()
	first, err := n.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 50 ticks of user and 50 of idle later: half busy.
	next := []byte("cpu  5785 0 2434 54442 200 0 37 21 0 0\ncpu0 1\ncpu1 1\n")
	if err := os.WriteFile(root.Path(pathStat), next, 0o644); err != nil {
		t.Fatal(err)
	}
	clock.Add(999 * time.Millisecond)
	if st, _ := n.Status(ctx); st.CPU != first.CPU {
		t.Errorf("within TTL: cpu %v, want cached %v", st.CPU, first.CPU)
	}
	clock.Add(time.Millisecond)
	st, err := n.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.CPU != 0.5 || st.Wait != 0 {
		t.Errorf("after TTL: cpu %v wait %v, want 0.5 0", st.CPU, st.Wait)
	}
}

func TestStatusNoCache(t *testing.T) {
	n, _, root := newTestNode(t, hostFiles(t), -1)
	if _, err := n.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root.Path(pathLoadavg), []byte("9.99 0.22 0.09 1/88 6833\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Loadavg[0] != "9.99" {
		t.Errorf("loadavg %v: the cache was used", st.Loadavg)
	}
}

// TestStatusMissingSources: a missing or unreadable source used to fail
// the whole status (GET /nodes answered 500); now the status names it in
// Missing and carries everything else.
func TestStatusMissingSources(t *testing.T) {
	tests := []struct {
		name   string
		change func(map[string][]byte)
		want   string
	}{
		{"missing stat", func(f map[string][]byte) { delete(f, pathStat) }, "cpu"},
		{"missing cpuinfo", func(f map[string][]byte) { delete(f, pathCPUInfo) }, "cpuinfo"},
		{"malformed meminfo", func(f map[string][]byte) { f[pathMeminfo] = []byte("MemTotal: lots\n") }, "memory"},
		{"malformed loadavg", func(f map[string][]byte) { f[pathLoadavg] = []byte("\x00\xff") }, "loadavg"},
		{"malformed uptime", func(f map[string][]byte) { f[pathUptime] = nil }, "uptime"},
		{"malformed ksm", func(f map[string][]byte) { f[pathKSMSharing] = []byte("many\n") }, "ksm"},
		{"malformed cpuinfo", func(f map[string][]byte) { f[pathCPUInfo] = []byte("processor : zero\n") }, "cpuinfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := hostFiles(t)
			tt.change(files)
			n, _, _ := newTestNode(t, files, 0)
			st, err := n.Status(context.Background())
			if err != nil || !slices.Contains(st.Missing, tt.want) {
				t.Errorf("Status: missing %v, %v; want %q missing and no error", st.Missing, err, tt.want)
			}
			if tt.want != "uptime" && st.Uptime == 0 {
				t.Error("the readable uptime was dropped too")
			}
		})
	}
}

func TestStatusStatfsError(t *testing.T) {
	n, _, _ := newTestNode(t, hostFiles(t), 0)
	n.cfg.Statfs = func(string) (uint64, uint64, uint64, error) { return 0, 0, 0, errors.New("boom") }
	st, err := n.Status(context.Background())
	if err != nil || !slices.Contains(st.Missing, "rootfs") || st.Memory.Total == 0 {
		t.Errorf("Status: missing %v, %v; want rootfs missing, the rest read", st.Missing, err)
	}
}

func TestStatusCanceled(t *testing.T) {
	n, _, _ := newTestNode(t, hostFiles(t), 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := n.Status(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSample(t *testing.T) {
	files := hostFiles(t)
	files[pathKSMSharing] = []byte("3\n")
	files[pathNetDev] = golden.Read(t, "netdev.vm-amd64")
	files[pathARCStats] = golden.Read(t, "arcstats.zfs")
	files[pathPSICPU] = golden.Read(t, "pressure-cpu.vm-amd64")
	files[pathPSIIO] = golden.Read(t, "pressure-io.vm-amd64")
	n, _, _ := newTestNode(t, files, 0)
	if _, ok := n.LastSample(); ok {
		t.Error("LastSample before any Sample")
	}
	s, err := n.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Time != 1795715500 || s.KSMShared != 3*4096 || len(s.NetDevs) != 4 ||
		!s.HaveARC || s.ARC.Size != 3871251320 || s.Stat.CPUs != 2 || s.RootFS.Total != 1000<<20 {
		t.Errorf("sample = %+v", s)
	}
	if s.Pressure.CPU == nil || s.Pressure.IO == nil || s.Pressure.Memory != nil {
		t.Errorf("pressure = %+v, want cpu and io only", s.Pressure)
	}
	if s.Pressure.IO.Full.Total != 1258258 {
		t.Errorf("io pressure = %+v", *s.Pressure.IO)
	}
	if s.CPU <= 0 || s.CPU >= 1 {
		t.Errorf("cpu since boot = %v", s.CPU)
	}
	last, ok := n.LastSample()
	if !ok || last.Uptime != s.Uptime {
		t.Errorf("LastSample = %+v, %v", last, ok)
	}
}

func TestSampleOptionalFilesMissing(t *testing.T) {
	n, _, _ := newTestNode(t, hostFiles(t), 0)
	s, err := n.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.KSMShared != 0 || s.HaveARC || s.NetDevs != nil || s.Pressure != (PressureSet{}) {
		t.Errorf("sample = %+v, want optional parts empty", s)
	}
}

func TestSampleMalformedOptional(t *testing.T) {
	for _, p := range []string{pathARCStats, pathNetDev, pathPSIMemory} {
		t.Run(p, func(t *testing.T) {
			files := hostFiles(t)
			files[p] = []byte("garbage\ngarbage\ngarbage line\n")
			n, _, _ := newTestNode(t, files, 0)
			if _, err := n.Sample(context.Background()); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestStatusConcurrent is meant for -race: many readers, one sampler.
func TestStatusConcurrent(t *testing.T) {
	n, clock, _ := newTestNode(t, hostFiles(t), time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if _, err := n.Status(context.Background()); err != nil {
					t.Error(err)
					return
				}
				clock.Add(10 * time.Millisecond)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := n.Sample(context.Background()); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
}
