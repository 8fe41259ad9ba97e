package cfs

import (
	"context"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Lock takes the named lock for the whole cluster. It is an etcd mutex on a
// lease (Proxmox's cfs locks expire too): when the holder's node dies, the
// lease runs out after LockTTL seconds and the lock is free again.
//
// etcd's mutex lets every holder of the same lease in, so two goroutines of
// one process are kept apart by a local lock first.
func (s *Etcd) Lock(ctx context.Context, name string, timeout time.Duration) (func(), error) {
	if !lockName().MatchString(name) {
		return nil, fmt.Errorf("lock %q: invalid lock name", name)
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	release, err := s.locks.acquire(lctx, name)
	if err != nil {
		return nil, fmt.Errorf("cfs lock %s: timeout: %w", name, err)
	}
	sess, err := s.lockSession(lctx)
	if err != nil {
		release()
		return nil, fmt.Errorf("cfs lock %s: %w", name, err)
	}
	m := concurrency.NewMutex(sess.s, s.lockPrefix+name)
	if err := m.Lock(lctx); err != nil {
		release()
		if noQuorum(err) && ctx.Err() == nil {
			return nil, fmt.Errorf("cfs lock %s: timeout: %w", name, ErrNoQuorum)
		}
		return nil, fmt.Errorf("cfs lock %s: timeout: %w", name, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			uctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout)
			m.Unlock(uctx) // on failure the lease expiry frees it
			cancel()
			release()
		})
	}, nil
}

// session is one lease kept alive for this store's locks.
type session struct{ s *concurrency.Session }

func (s *session) close() { s.s.Close() }

// lockSession returns the live session, making a new one when there is
// none or its lease was lost (the member was cut off for longer than the TTL).
func (s *Etcd) lockSession(ctx context.Context) (*session, error) {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	if s.session != nil {
		select {
		case <-s.session.s.Done():
			s.session = nil
		default:
			return s.session, nil
		}
	}
	// The lease is granted under ctx (bounded); the session's keep-alive
	// must outlive it.
	lease, err := s.cli.Grant(clientv3.WithRequireLeader(ctx), int64(s.lockTTL))
	if err != nil {
		return nil, err
	}
	cs, err := concurrency.NewSession(s.cli, concurrency.WithLease(lease.ID), concurrency.WithContext(context.Background()))
	if err != nil {
		return nil, err
	}
	s.session = &session{s: cs}
	return s.session, nil
}

// localLocks are per-name mutexes that a context can give up waiting for.
type localLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when released
}

func (l *localLocks) acquire(ctx context.Context, name string) (func(), error) {
	for {
		l.mu.Lock()
		ch, busy := l.held[name]
		if !busy {
			ch = make(chan struct{})
			l.held[name] = ch
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.held, name)
				l.mu.Unlock()
				close(ch)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
