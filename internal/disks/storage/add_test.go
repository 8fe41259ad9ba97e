package storage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hostadm/internal/tasks"
)

// TestAddAround: the entry is reserved disabled before the work, enabled
// after it succeeded, left disabled when it failed; a refused reservation
// returns no work.
func TestAddAround(t *testing.T) {
	s, st := newService(t, "n1")
	ctx := t.Context()
	e := &Entry{ID: "tank", Type: "zfspool", Values: map[string]any{"pool": "tank"}, Verify: []string{"pool"}}
	ran := false
	work, err := s.AddAround(ctx, e, func(context.Context, *tasks.Log) error {
		if !strings.Contains(file(t, st), "zfspool: tank\n\tdisable\n") {
			t.Error("the entry is not reserved disabled while the work runs")
		}
		ran = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := work(ctx, nil); err != nil || !ran {
		t.Fatalf("work: %v (ran %v)", err, ran)
	}
	if strings.Contains(file(t, st), "disable") {
		t.Errorf("not enabled after the work:\n%s", file(t, st))
	}
	if w, err := s.AddAround(ctx, e, nil); err == nil || w != nil {
		t.Errorf("second reservation: %v, work %v", err, w != nil)
	}
	boom := errors.New("boom")
	e2 := &Entry{ID: "tank2", Type: "zfspool", Values: map[string]any{"pool": "tank2"}}
	work, err = s.AddAround(ctx, e2, func(context.Context, *tasks.Log) error { return boom })
	if err != nil {
		t.Fatal(err)
	}
	if err := work(ctx, nil); !errors.Is(err, boom) {
		t.Errorf("failed work: %v", err)
	}
	if !strings.Contains(file(t, st), "zfspool: tank2\n\tdisable\n") {
		t.Errorf("a failed work's entry is not left disabled:\n%s", file(t, st))
	}
	if w, err := s.AddAround(ctx, nil, func(context.Context, *tasks.Log) error { return boom }); err != nil || w(ctx, nil) != boom {
		t.Errorf("nil entry: %v", err)
	}
}

// TestAddAroundRelease: with Release a failed work takes the reservation
// back, a new entry removed and an entry of other nodes left as it was.
func TestAddAroundRelease(t *testing.T) {
	s, st := newService(t, "n1")
	ctx := t.Context()
	boom := errors.New("boom")
	fail := func(context.Context, *tasks.Log) error { return boom }
	if err := s.Create(ctx, "dir", "shared", map[string]any{"path": "/mnt/pve/shared", "nodes": "n2"}); err != nil {
		t.Fatal(err)
	}
	before := file(t, st)
	work, err := s.AddAround(ctx, &Entry{ID: "vz", Type: "dir", Values: map[string]any{"path": "/mnt/pve/vz"}, Release: true}, fail)
	if err != nil {
		t.Fatal(err)
	}
	if err := work(ctx, nil); !errors.Is(err, boom) {
		t.Errorf("failed work: %v", err)
	}
	if got := file(t, st); got != before {
		t.Errorf("new entry not released:\n%s", got)
	}
	e := &Entry{ID: "shared", Type: "dir", Values: map[string]any{"path": "/mnt/pve/shared"}, Verify: []string{"path"}, Release: true}
	if work, err = s.AddAround(ctx, e, fail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(file(t, st), "nodes n1,n2") {
		t.Errorf("node not added:\n%s", file(t, st))
	}
	if err := work(ctx, nil); !errors.Is(err, boom) {
		t.Errorf("failed work: %v", err)
	}
	if got := file(t, st); got != before {
		t.Errorf("other nodes' entry changed:\n%s\nwant\n%s", got, before)
	}
}
