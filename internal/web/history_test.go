package web_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
	"hostadm/internal/metrics"
)

// historyService returns a metrics service whose history holds `rounds`
// one-minute rounds ending now, recorded through the real pipeline: a
// metrics.Node reads /proc files under its own temporary root, the
// service's own collection loop (Run) samples it and writes the round-robin
// file, and rrddata later reads that file. The seams are the existing
// NodeConfig.Clock and ServiceConfig.Interval: the node's clock starts
// `rounds` minutes ago and steps a minute per round while the loop runs on
// a millisecond ticker, and before each round the clock rewrites the /proc
// files along a daily curve (CPU, memory, load, network) so the graphs have
// a shape. The loop is stopped before returning, so the file is closed and
// the service reads it as a snapshot.
func historyService(t *testing.T, store cfs.Store, rounds int) *metrics.Service {
	t.Helper()
	root := t.TempDir()
	daemontest.WriteProc(t, root)
	proc := newProcWriter(t, root)
	start := time.Now().Truncate(time.Minute).Add(-time.Duration(rounds) * time.Minute)
	var mu sync.Mutex
	step := 0
	caughtUp := make(chan struct{})
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		if step == rounds {
			close(caughtUp)
		}
		if step >= rounds {
			step++
			return time.Now()
		}
		proc.write(step)
		at := start.Add(time.Duration(step) * time.Minute)
		step++
		return at
	}
	r, err := host.NewRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	node := metrics.NewNode(metrics.NodeConfig{Root: r, Clock: clock, StatusTTL: -1})
	dir := t.TempDir()
	svc := metrics.NewService(metrics.ServiceConfig{Node: daemontest.Node, NodeStat: node, Store: store,
		HistoryDir: dir, Interval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); svc.Run(ctx) }()
	select {
	case <-caughtUp:
	case <-time.After(60 * time.Second):
		t.Fatalf("the collection loop recorded only %d of %d rounds in a minute", step, rounds)
	}
	cancel()
	<-stopped
	if _, err := os.Stat(filepath.Join(dir, "node-"+daemontest.Node+".rrd")); err != nil {
		t.Fatalf("no history file: %v", err)
	}
	return svc
}

// procWriter rewrites a root's /proc/stat, meminfo, loadavg and net/dev
// for round i: cumulative CPU ticks and interface bytes, and a daily curve
// of busy CPU, used memory and load with a faster ripple on top.
type procWriter struct {
	t                      *testing.T
	root                   string
	meminfo, stat, netdev  string
	user, system, idle, io float64
	rx, tx                 float64
	memTotalKB             float64
}

func newProcWriter(t *testing.T, root string) *procWriter {
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return &procWriter{t: t, root: root, meminfo: read("proc/meminfo"), stat: read("proc/stat"),
		netdev: read("proc/net/dev"), memTotalKB: 24684084, rx: 100845059, tx: 489787}
}

var (
	reCPULines = regexp.MustCompile(`(?m)^cpu.*\n`)
	reMemFree  = regexp.MustCompile(`(?m)^(MemFree|MemAvailable):(\s+)\d+ kB$`)
	reEth0     = regexp.MustCompile(`(?m)^\s*eth0:.*$`)
)

func (p *procWriter) write(i int) {
	day := 2 * math.Pi * float64(i) / 1440
	ripple := 2 * math.Pi * float64(i) / 37
	busy := 0.22 + 0.16*math.Sin(day) + 0.05*math.Sin(ripple)
	wait := 0.02 + 0.015*math.Sin(ripple*1.7)
	const ticks = 2 * 60 * 100 // two CPUs, one minute at USER_HZ 100
	p.user += busy * 0.7 * ticks
	p.system += busy * 0.3 * ticks
	p.io += wait * ticks
	p.idle += (1 - busy - wait) * ticks
	line := func(name string, div float64) string {
		return fmt.Sprintf("%s %d 0 %d %d %d 0 0 0 0 0\n", name, int64(p.user/div), int64(p.system/div), int64(p.idle/div), int64(p.io/div))
	}
	first := true
	stat := reCPULines.ReplaceAllStringFunc(p.stat, func(string) string {
		if first {
			first = false
			return line("cpu ", 1) + line("cpu0", 2) + line("cpu1", 2)
		}
		return ""
	})
	usedKB := p.memTotalKB * (0.35 + 0.12*math.Sin(day+1) + 0.03*math.Sin(ripple))
	mem := reMemFree.ReplaceAllString(p.meminfo, fmt.Sprintf("${1}:${2}%d kB", int64(p.memTotalKB-usedKB)))
	load := 2*busy*1.1 + 0.1
	p.rx += (4e6 + 3e6*math.Sin(day+2) + 1e6*math.Sin(ripple)) * 60
	p.tx += (1e6 + 0.8e6*math.Sin(day+2.5)) * 60
	net := reEth0.ReplaceAllString(p.netdev, fmt.Sprintf("  eth0: %d    6086    0    0    0     0          0         0   %d    4609    0    0    0     0       0          0", int64(p.rx), int64(p.tx)))
	for path, data := range map[string]string{
		"proc/stat": stat, "proc/meminfo": mem, "proc/net/dev": net,
		"proc/loadavg": fmt.Sprintf("%.2f %.2f %.2f 1/88 6833\n", load, load*0.9, load*0.8),
	} {
		if err := os.WriteFile(filepath.Join(p.root, path), []byte(data), 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}
