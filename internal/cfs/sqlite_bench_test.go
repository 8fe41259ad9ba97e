package cfs

import (
	"context"
	"testing"
)

func BenchmarkRevision(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, "")
	s.Put(ctx, "a", []byte("x"), NoVersion)
	for b.Loop() {
		if _, err := s.Revision(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRevisionChanging measures the slow path: a write between every
// two reads, so the cached revision is never valid.
func BenchmarkRevisionChanging(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, "")
	for b.Loop() {
		b.StopTimer()
		s.Put(ctx, "a", nil, AnyVersion)
		b.StartTimer()
		if _, err := s.Revision(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, "")
	s.Put(ctx, "nodes/pve1/config", make([]byte, 4096), NoVersion)
	for b.Loop() {
		if _, err := s.Get(ctx, "nodes/pve1/config"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, "")
	data := make([]byte, 4096)
	for b.Loop() {
		if _, err := s.Put(ctx, "nodes/pve1/config", data, AnyVersion); err != nil {
			b.Fatal(err)
		}
	}
}
