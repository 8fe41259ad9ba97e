package history

import (
	"context"
	"errors"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

// Store wraps a cluster file store so that every Put and Delete is
// recorded with the actor of its context.
func (h *History) Store(s cfs.Store) cfs.Store { return &recordingStore{Store: s, h: h} }

type recordingStore struct {
	cfs.Store
	h *History
}

func (s *recordingStore) Put(ctx context.Context, path string, data []byte, expect int64) (int64, error) {
	var before []byte
	if e, err := s.Store.Get(ctx, path); err == nil {
		before = present(e.Data, true)
	} else if !errors.Is(err, cfs.ErrNotFound) {
		return 0, err
	}
	v, err := s.Store.Put(ctx, path, data, expect)
	if err != nil {
		return v, err
	}
	if before == nil || string(before) != string(data) {
		s.h.record(ctx, KindStore, path, ActionWrite, before, data, 0)
	}
	return v, nil
}

func (s *recordingStore) Delete(ctx context.Context, path string, expect int64) error {
	e, err := s.Store.Get(ctx, path)
	if err != nil {
		return s.Store.Delete(ctx, path, expect)
	}
	if err := s.Store.Delete(ctx, path, expect); err != nil {
		return err
	}
	s.h.record(ctx, KindStore, path, ActionDelete, present(e.Data, true), nil, 0)
	return nil
}

func withOutsideActor(ctx context.Context) context.Context {
	return host.WithActor(ctx, host.Actor{User: "unknown", Endpoint: "changed outside hostadm"})
}
