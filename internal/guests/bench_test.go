package guests

import (
	"context"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"hostadm/internal/guests/gueststest"
	"hostadm/internal/tasks"
)

// BenchmarkStartAll20 starts 20 VMs (32 MiB, TCG) with startup orders but
// up=0, once one by one (the sum of single starts) and once by startall;
// it reports both wall times, and the service's heap and the process RSS
// with the 20 VMs running (the daemon's memory; QEMU's is its own).
func BenchmarkStartAll20(b *testing.B) {
	if testing.Short() {
		b.Skip("starts 20 QEMU processes")
	}
	for range b.N {
		e := newEnv(b)
		ctx := context.Background()
		for i := range 20 {
			e.create(300+i, "memory", "32", "onboot", "1", "startup", "order="+strconv.Itoa(20-i)+",up=0")
		}
		var sum time.Duration
		for i := range 20 {
			st := time.Now()
			if err := e.svc.Start(ctx, 300+i, nil); err != nil {
				b.Fatal(err)
			}
			sum += time.Since(st)
		}
		for i := range 20 {
			if err := e.svc.Stop(ctx, 300+i, 5, &testLog{}); err != nil {
				b.Fatal(err)
			}
		}
		st := time.Now()
		u, err := e.tasks.Start(ctx, "startall", "", "root@pam", func(ctx context.Context, l *tasks.Log) error {
			return e.svc.StartAll(ctx, "root@pam", BulkOptions{MaxWorkers: 8}, l)
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.tasks.Wait(ctx, u.String()); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(st)
		list, _ := e.svc.List(ctx)
		running := 0
		for _, s := range list {
			if s.Status == "running" {
				running++
			}
		}
		if running != 20 {
			b.Fatalf("%d VMs running after startall", running)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(sum.Seconds(), "sum-single-s")
		b.ReportMetric(wall.Seconds(), "startall-wall-s")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(rssMiB(), "rss-MiB")
		stt := time.Now()
		for range 10 {
			if _, err := e.svc.List(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(stt).Milliseconds())/10, "list20-ms")
		gueststest.KillUnder(e.dir)
	}
}

// BenchmarkMigrateDowntime live-migrates an idle 64 MiB VM to a second
// node on loopback and reports QEMU's measured downtime and the total.
func BenchmarkMigrateDowntime(b *testing.B) {
	for range b.N {
		e := newEnv(b)
		peer := twoNodes(b, e, nil)
		ctx := context.Background()
		e.create(400, "memory", "64")
		if err := e.svc.Start(ctx, 400, nil); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		log := &testLog{}
		st := time.Now()
		if err := e.svc.Migrate(ctx, 400, MigrateOptions{Target: node2, Online: true}, log); err != nil {
			b.Fatalf("%v: %v", err, log.lines)
		}
		total := time.Since(st)
		m := regexp.MustCompile(`migration downtime: (\d+) ms`).FindStringSubmatch(strings.Join(log.lines, "\n"))
		if m == nil || peer.Running(400) == nil {
			b.Fatalf("no downtime in %v", log.lines)
		}
		d, _ := strconv.Atoi(m[1])
		b.ReportMetric(float64(d), "downtime-ms")
		b.ReportMetric(float64(total.Milliseconds()), "total-ms")
	}
}

func rssMiB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(n) / 1024
		}
	}
	return 0
}
