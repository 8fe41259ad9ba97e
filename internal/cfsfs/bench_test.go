package cfsfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"hostadm/internal/cfs"
)

// benchMount is a mount over a store holding 1,000 VM configs.
func benchMount(b *testing.B) (cfs.Store, string) {
	b.Helper()
	if os.Geteuid() != 0 {
		b.Skip("mounting FUSE needs root")
	}
	store, err := cfs.OpenSQLite(filepath.Join(b.TempDir(), "cfs.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	ctx := context.Background()
	store.Put(ctx, "storage.cfg", []byte("dir: local\n\tpath /var/lib/vz\n\tcontent iso\n"), cfs.NoVersion)
	for i := range 1000 {
		node := fmt.Sprintf("n%d", i%3)
		store.Put(ctx, fmt.Sprintf("nodes/%s/qemu-server/%d.conf", node, 100+i), []byte("memory: 512\ncores: 1\nname: vm\n"), cfs.NoVersion)
	}
	dir := filepath.Join(b.TempDir(), "pve")
	srv, err := Mount(ctx, Config{Store: store, Dir: dir, Node: "n0"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Unmount() })
	return store, dir
}

// reportLatency adds the median and 99th percentile of the samples.
func reportLatency(b *testing.B, samples []time.Duration) {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(samples[len(samples)*99/100].Microseconds()), "p99-µs")
}

func BenchmarkCatSmallFile(b *testing.B) {
	_, dir := benchMount(b)
	file := filepath.Join(dir, "storage.cfg")
	samples := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if _, err := os.ReadFile(file); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	reportLatency(b, samples)
}

// BenchmarkListTree is `ls -lR` of the tree: every directory read and
// every entry stat'ed.
func BenchmarkListTree(b *testing.B) {
	_, dir := benchMount(b)
	for b.Loop() {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if _, err := os.Lstat(p); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil || n < 1000 {
			b.Fatalf("walked %d entries: %v", n, err)
		}
	}
}

// BenchmarkWriteRename is an editor's save: a temporary file written and
// renamed over storage.cfg.
func BenchmarkWriteRename(b *testing.B) {
	_, dir := benchMount(b)
	tmp, target := filepath.Join(dir, ".storage.cfg.tmp"), filepath.Join(dir, "storage.cfg")
	data := []byte("dir: local\n\tpath /var/lib/vz\n\tcontent iso,backup\n")
	samples := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if err := os.WriteFile(tmp, data, 0o640); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, target); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	reportLatency(b, samples)
}
