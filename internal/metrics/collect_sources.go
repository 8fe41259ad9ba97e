package metrics

import (
	"context"
	"sync"
	"time"

	"hostadm/internal/metrics/wire"
)

// sourceTimeout bounds what one round waits for the storage or guest
// source (a hanging vgs or zfs must not stop the 10-second rhythm).
func (s *Service) sourceTimeout() time.Duration { return s.cfg.Interval / 2 }

// sourceState is what the loop keeps of the storage and guest sources: the
// storages of the last round (for Prometheus) and the last error of each
// source, so a persisting failure is logged once, not every round.
type sourceState struct {
	mu       sync.Mutex
	storages []StorageStatus
	storErr  string
	guestErr string
}

// sourceObjects returns the round's guest and storage objects, in
// pvestatd's order (guests, then storages). Only active storages are sent,
// as update_storage_status skips the others. A failing source is logged
// and contributes nothing; the node's data still goes out.
func (s *Service) sourceObjects(ctx context.Context, ctime int64) []wire.Object {
	var out []wire.Object
	if g := s.cfg.Guests; g != nil {
		gctx, cancel := context.WithTimeout(ctx, s.sourceTimeout())
		objs, err := g.GuestObjects(gctx, s.cfg.Node, ctime)
		cancel()
		s.noteSourceErr(&s.src.guestErr, "guest", err)
		out = append(out, objs...)
	}
	if st := s.cfg.Storages; st != nil {
		sctx, cancel := context.WithTimeout(ctx, s.sourceTimeout())
		list, err := st.StorageStatus(sctx)
		cancel()
		s.noteSourceErr(&s.src.storErr, "storage", err)
		s.src.mu.Lock()
		s.src.storages = list
		s.src.mu.Unlock()
		for i := range list {
			if list[i].Active {
				out = append(out, StorageObject(s.cfg.Node, ctime, &list[i]))
			}
		}
		s.shist.add(ctime, list)
	}
	return out
}

// noteSourceErr logs a source's error when it differs from the last one
// and its recovery once.
func (s *Service) noteSourceErr(last *string, source string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.src.mu.Lock()
	changed := msg != *last
	*last = msg
	s.src.mu.Unlock()
	switch {
	case !changed:
	case err != nil:
		s.cfg.Logger.Error("metric collection: "+source+" status", "err", msg)
	default:
		s.cfg.Logger.Info("metric collection: " + source + " status readable again")
	}
}

// lastStorages returns the storages of the last round.
func (s *Service) lastStorages() []StorageStatus {
	s.src.mu.Lock()
	defer s.src.mu.Unlock()
	return s.src.storages
}
