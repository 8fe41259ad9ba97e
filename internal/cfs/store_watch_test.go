package cfs

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestTwoHandles opens the same file twice, as the daemon and the CLI do:
// one watches, the other writes.
func TestTwoHandles(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		daemon, cli := bk.pair(t)
		if _, err := daemon.Put(ctx, "nodes/n1/gone", []byte("x"), NoVersion); err != nil {
			t.Fatal(err)
		}
		events, err := daemon.Watch(ctx, "nodes/n1/")
		if err != nil {
			t.Fatal(err)
		}
		v1, _ := cli.Put(ctx, "nodes/n1/config", []byte("a"), NoVersion)
		cli.Put(ctx, "nodes/n2/config", []byte("other node"), NoVersion)
		v2, _ := cli.Put(ctx, "nodes/n1/config", []byte("b"), v1)
		if err := cli.Delete(ctx, "nodes/n1/gone", AnyVersion); err != nil {
			t.Fatal(err)
		}
		want := []Event{
			{Path: "nodes/n1/config", Version: v1},
			{Path: "nodes/n1/config", Version: v2},
			{Path: "nodes/n1/gone", Deleted: true},
		}
		for i, w := range want {
			select {
			case got := <-events:
				if got != w {
					t.Errorf("event %d = %+v, want %+v", i, got, w)
				}
			case <-ctx.Done():
				t.Fatalf("no event %d (%+v)", i, w)
			}
		}
		e, err := daemon.Get(ctx, "nodes/n1/config")
		if err != nil || string(e.Data) != "b" {
			t.Errorf("daemon sees %+v, %v; want b", e, err)
		}
		if r, _ := daemon.Revision(ctx); r != v2+1 {
			t.Errorf("daemon revision = %d, want %d", r, v2+1)
		}
	})
}

func TestWatchClosesChannel(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx, cancel := context.WithCancel(context.Background())
		s := bk.open(t)
		events, err := s.Watch(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		select {
		case _, ok := <-events:
			if ok {
				t.Fatal("got an event, want a closed channel")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("channel not closed after cancel")
		}
	})
}

// TestWatchAfterPrunedLog lets a watcher fall behind a tiny change log: it
// must still report the final state, deletions included.
func TestWatchAfterPrunedLog(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "config.db")
	reader := openTest(t, path, WithPollInterval(time.Hour))
	writer := openTest(t, path, WithChangeLogSize(2))
	writer.Put(ctx, "d/old", nil, NoVersion)
	events, err := reader.Watch(ctx, "d/")
	if err != nil {
		t.Fatal(err)
	}
	writer.Delete(ctx, "d/old", AnyVersion)
	var last int64
	for i := range 5 {
		last, _ = writer.Put(ctx, "d/new", []byte{byte(i)}, AnyVersion)
	}
	reader.Put(ctx, "elsewhere", nil, NoVersion) // wakes the reader's watcher
	got := map[Event]bool{}
	for len(got) < 2 {
		select {
		case ev := <-events:
			got[ev] = true
		case <-ctx.Done():
			t.Fatalf("events so far %v", got)
		}
	}
	for _, w := range []Event{{Path: "d/old", Deleted: true}, {Path: "d/new", Version: last}} {
		if !got[w] {
			t.Errorf("missing %+v in %v", w, got)
		}
	}
}
