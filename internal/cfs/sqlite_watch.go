package cfs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Watch reports changes under prefix until ctx ends or the store is closed;
// then the channel is closed. Changes made through this *SQLite are seen at
// once, those of other processes within the poll interval.
//
// Each watcher remembers the revision it has reported up to and reads the
// change log from there. When the log has been pruned past that point (the
// receiver stopped reading for a long time) it compares a fresh listing
// with the versions it last knew, so deletions are still reported.
func (s *SQLite) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	rev, known, err := s.snapshot(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	w := &watcher{s: s, prefix: prefix, rev: rev, known: known, ch: make(chan Event, 64)}
	go w.run(ctx)
	return w.ch, nil
}

type watcher struct {
	s      *SQLite
	prefix string
	rev    int64            // reported up to here
	known  map[string]int64 // path -> version as last reported
	ch     chan Event
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.ch)
	tick := time.NewTicker(w.s.poll)
	defer tick.Stop()
	for {
		wake := w.s.notify.wait()
		select {
		case <-ctx.Done():
			return
		case <-w.s.done:
			return
		case <-tick.C:
		case <-wake:
		}
		if !w.poll(ctx) {
			return
		}
	}
}

// poll reports what changed since w.rev. A failed read is retried at the
// next tick; poll returns false only when the watch is over.
func (w *watcher) poll(ctx context.Context) bool {
	rev, err := w.s.Revision(ctx)
	if err != nil || rev == w.rev {
		return ctx.Err() == nil
	}
	events, ok, err := w.s.changes(ctx, w.rev, rev)
	if err == nil && !ok {
		events, rev, err = w.resync(ctx)
	}
	if err != nil {
		return ctx.Err() == nil
	}
	for _, ev := range events {
		if !strings.HasPrefix(ev.Path, w.prefix) {
			continue
		}
		if ev.Deleted {
			delete(w.known, ev.Path)
		} else {
			w.known[ev.Path] = ev.Version
		}
		select {
		case w.ch <- ev:
		case <-ctx.Done():
			return false
		case <-w.s.done:
			return false
		}
	}
	w.rev = rev
	return true
}

// resync builds the events that turn w.known into the current listing.
func (w *watcher) resync(ctx context.Context) ([]Event, int64, error) {
	rev, now, err := w.s.snapshot(ctx, w.prefix)
	if err != nil {
		return nil, 0, err
	}
	var events []Event
	for p, v := range now {
		if w.known[p] != v {
			events = append(events, Event{Path: p, Version: v})
		}
	}
	for p := range w.known {
		if _, ok := now[p]; !ok {
			events = append(events, Event{Path: p, Deleted: true})
		}
	}
	return events, rev, nil
}

// changes returns the logged changes in (from, to]. ok is false when the
// log no longer holds all of them.
func (s *SQLite) changes(ctx context.Context, from, to int64) (events []Event, ok bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rev, path, version, deleted FROM changes
		WHERE rev > ? AND rev <= ? ORDER BY rev`, from, to)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	next := from + 1
	for rows.Next() {
		var rev int64
		var ev Event
		if err := rows.Scan(&rev, &ev.Path, &ev.Version, &ev.Deleted); err != nil {
			return nil, false, err
		}
		if rev != next {
			return nil, false, rows.Close()
		}
		next++
		events = append(events, ev)
	}
	// Every change bumps the revision by one and logs one row, so a
	// complete range has exactly to-from rows.
	return events, next == to+1, rows.Err()
}

// snapshot returns, consistently, the revision and the version of every
// file under prefix.
func (s *SQLite) snapshot(ctx context.Context, prefix string) (int64, map[string]int64, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // deferred: a read snapshot
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	var rev int64
	if err := tx.QueryRowContext(ctx, `SELECT revision FROM meta WHERE id = 1`).Scan(&rev); err != nil {
		return 0, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT path, version FROM files
		WHERE path >= ? AND path < ?`, prefix, prefixEnd(prefix))
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	known := make(map[string]int64)
	for rows.Next() {
		var p string
		var v int64
		if err := rows.Scan(&p, &v); err != nil {
			return 0, nil, err
		}
		known[p] = v
	}
	return rev, known, rows.Err()
}

// notifier wakes every waiter at once: wait returns a channel that the
// next broadcast closes.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}
