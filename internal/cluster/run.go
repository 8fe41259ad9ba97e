package cluster

import (
	"context"
	"time"
)

// Run does the node's cluster background work until ctx ends:
// defragmenting the member's database now and then (etcd compacts by
// itself, see cfs.MemberConfig).
func (s *Service) Run(ctx context.Context) {
	rt := s.cfg.Runtime
	if rt == nil || rt.Member == nil {
		return
	}
	tick := time.NewTicker(6 * time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			if _, err := rt.Store.Client().Defragment(dctx, rt.Member.ClientURL()); err != nil {
				s.cfg.Logger.Warn("defragment the cluster store", "err", err)
			}
			cancel()
		}
	}
}
