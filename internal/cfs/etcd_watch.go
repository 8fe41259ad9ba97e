package cfs

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Watch reports changes under prefix, made on any node, until ctx ends or
// the store is closed. It starts from a listing's revision; when etcd has
// compacted past the point the watcher reached (it was cut off for long),
// it compares a fresh listing with what it knew, as the SQLite backend does
// after its change log was pruned.
func (s *Etcd) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	rev, known, err := s.snapshot(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	w := &etcdWatcher{s: s, prefix: prefix, rev: rev, known: known, ch: make(chan Event, 64)}
	go w.run(ctx)
	return w.ch, nil
}

type etcdWatcher struct {
	s      *Etcd
	prefix string
	rev    int64 // reported up to here
	known  map[string]int64
	ch     chan Event
}

func (w *etcdWatcher) run(ctx context.Context) {
	defer close(w.ch)
	for ctx.Err() == nil && w.s.cli.Ctx().Err() == nil {
		if !w.follow(ctx) {
			return
		}
		select { // the stream broke: the member restarts, or was compacted
		case <-ctx.Done():
			return
		case <-w.s.cli.Ctx().Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// follow streams events from w.rev+1 until the stream ends; false when
// the watch is over.
func (w *etcdWatcher) follow(ctx context.Context) bool {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for resp := range w.s.cli.Watch(wctx, w.s.key(w.prefix), clientv3.WithPrefix(), clientv3.WithRev(w.rev+1)) {
		if resp.CompactRevision != 0 {
			return w.resync(ctx)
		}
		if err := resp.Err(); err != nil {
			return true
		}
		for _, ev := range resp.Events {
			if !w.send(ctx, w.event(ev)) {
				return false
			}
		}
		if resp.Header.Revision > w.rev && len(resp.Events) > 0 {
			w.rev = resp.Events[len(resp.Events)-1].Kv.ModRevision
		}
	}
	return ctx.Err() == nil
}

func (w *etcdWatcher) event(ev *clientv3.Event) Event {
	p := string(ev.Kv.Key[len(w.s.prefix):])
	if ev.Type == clientv3.EventTypeDelete {
		delete(w.known, p)
		return Event{Path: p, Deleted: true}
	}
	w.known[p] = ev.Kv.ModRevision
	return Event{Path: p, Version: ev.Kv.ModRevision}
}

func (w *etcdWatcher) send(ctx context.Context, ev Event) bool {
	select {
	case w.ch <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// resync reports the difference between what the watcher knew and a fresh
// listing, and continues from the listing's revision.
func (w *etcdWatcher) resync(ctx context.Context) bool {
	rev, now, err := w.s.snapshot(ctx, w.prefix)
	if err != nil {
		return ctx.Err() == nil
	}
	for p, v := range now {
		if w.known[p] != v && !w.send(ctx, Event{Path: p, Version: v}) {
			return false
		}
	}
	for p := range w.known {
		if _, ok := now[p]; !ok && !w.send(ctx, Event{Path: p, Deleted: true}) {
			return false
		}
	}
	w.known, w.rev = now, rev
	return true
}

// snapshot returns the revision and the version of every file under prefix
// from one read.
func (s *Etcd) snapshot(ctx context.Context, prefix string) (int64, map[string]int64, error) {
	resp, err := s.read(ctx, s.key(prefix), clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return 0, nil, err
	}
	known := make(map[string]int64, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		known[string(kv.Key[len(s.prefix):])] = kv.ModRevision
	}
	return resp.Header.Revision, known, nil
}
