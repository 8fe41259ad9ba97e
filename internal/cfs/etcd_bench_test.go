package cfs

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// reportLatencies adds the median and the 99th percentile as metrics.
func reportLatencies(b *testing.B, prefix string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, prefix+"-median-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, prefix+"-p99-ms")
}

// BenchmarkClusterWrite is a config write acknowledged by a three-member
// cluster (with fsync, as in production): a digest-checked Put of a
// storage.cfg-sized file.
func BenchmarkClusterWrite(b *testing.B) {
	ms := startTestCluster(b, 3, true)
	s := openTestEtcd(b, ms[0].ClientURL())
	ctx := context.Background()
	data := make([]byte, 2048)
	v, err := s.Put(ctx, "storage.cfg", data, AnyVersion)
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if v, err = s.Put(ctx, "storage.cfg", data, v); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportLatencies(b, "write", lat)
}

// BenchmarkWatchAcrossMembers is the time from a write through member A
// until a watcher on member C sees it.
func BenchmarkWatchAcrossMembers(b *testing.B) {
	ms := startTestCluster(b, 3, true)
	a, c := openTestEtcd(b, ms[0].ClientURL()), openTestEtcd(b, ms[2].ClientURL())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := c.Watch(ctx, "user.cfg")
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		t0 := time.Now()
		if _, err := a.Put(ctx, "user.cfg", fmt.Appendf(nil, "%d", i), AnyVersion); err != nil {
			b.Fatal(err)
		}
		select {
		case <-events:
		case <-time.After(10 * time.Second):
			b.Fatal("no event")
		}
		lat = append(lat, time.Since(t0))
	}
	reportLatencies(b, "watch", lat)
}
