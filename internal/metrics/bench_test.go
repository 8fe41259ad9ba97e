package metrics

import (
	"context"
	"testing"
	"time"

	"hostadm/internal/hostcfg/golden"
)

// BenchmarkStatus measures the cached path (what nearly every request
// takes) and the uncached path (one request per TTL), over real fixtures in
// a temporary root.
func BenchmarkStatus(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration // 0: the default 1 s and a clock that stands still
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			n, _, _ := newTestNode(b, hostFiles(b), bc.ttl)
			ctx := context.Background()
			if _, err := n.Status(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := n.Status(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStatusParallel is the cached path under concurrent callers.
func BenchmarkStatusParallel(b *testing.B) {
	n, _, _ := newTestNode(b, hostFiles(b), 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := n.Status(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSample is one full exporter round.
func BenchmarkSample(b *testing.B) {
	files := hostFiles(b)
	files[pathNetDev] = golden.Read(b, "netdev.vm-amd64")
	files[pathARCStats] = golden.Read(b, "arcstats.zfs")
	files[pathPSIIO] = golden.Read(b, "pressure-io.vm-amd64")
	n, _, _ := newTestNode(b, files, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Sample(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollectRound is what the 10-second loop does before handing a
// round to the exporters: read every file once and build the node object.
func BenchmarkCollectRound(b *testing.B) {
	n := newRoundNode(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := n.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		o := NodeObject("pve1", &s)
		_ = o
	}
}
