package tasks

import (
	"context"
	"errors"
	"fmt"
	"hostadm/internal/host"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
)

// maxCreateTries bounds the retries when a log file name is already taken
// (an earlier daemon with the same PID started a task in the same tick).
const maxCreateTries = 16

// Start runs fn as a new task of type typ for object id on behalf of user
// (an auth id, user@realm or user@realm!token) and returns its UPID at once.
// fn runs in its own goroutine with a context derived from the Manager, not
// from ctx, which only bounds the wait for the active file's lock. The log
// ends with "TASK OK", "TASK WARNINGS: <n>" or "TASK ERROR: <message>"; a
// panic in fn, or a Stop, ends the task with an error.
func (m *Manager) Start(ctx context.Context, typ, id, user string,
	fn func(ctx context.Context, l *Log) error) (UPID, error) {
	if !validField(typ, false) || !validField(id, true) || !validField(user, false) {
		return UPID{}, fmt.Errorf("start task %q/%q for %q: %w", typ, id, user, errInvalidField)
	}
	t, l, err := m.register(typ, id, user)
	if err != nil {
		return UPID{}, err
	}
	upid := t.upid.String()
	// The task's changes are the caller's: the change history names the
	// user, the endpoint and this task.
	actor := host.ActorFrom(ctx)
	actor.UPID = upid
	if actor.User == "" {
		actor.User = user
	}
	t.ctx = host.WithActor(t.ctx, actor)
	err = m.updateActive(ctx, func(es []activeEntry) []activeEntry {
		return append(es, activeEntry{upid: upid, u: t.upid})
	})
	if err != nil {
		m.unregister(t)
		l.f.Close()
		os.Remove(filepath.Join(m.cfg.Dir, t.upid.LogPath()))
		return UPID{}, fmt.Errorf("start task %s: %w", upid, err)
	}
	m.cfg.Logger.Info("task started", "upid", upid)
	go m.run(t, l, fn)
	return t.upid, nil
}

// register picks a unique UPID, creates its log file exclusively and adds
// the task to the running map.
func (m *Manager) register(typ, id, user string) (*task, *Log, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, nil, ErrShutdown
	}
	start := m.now()
	for try := 0; ; try++ {
		u := UPID{Node: m.cfg.Node, PID: m.cfg.PID, PStart: m.nextPStart(),
			StartTime: start, Type: typ, ID: id, User: user}
		f, err := createLog(filepath.Join(m.cfg.Dir, u.LogPath()))
		if errors.Is(err, fs.ErrExist) && try < maxCreateTries {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		ctx, cancel := context.WithCancelCause(m.ctx)
		t := &task{upid: u, cancel: cancel, done: make(chan struct{})}
		t.ctx = ctx
		m.running[u.String()] = t
		m.wg.Add(1)
		return t, &Log{f: f}, nil
	}
}

// createLog creates a task log exclusively with mode 0640.
func createLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create task log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create task log: %w", err)
	}
	// The umask may have narrowed the mode; the API daemon's group needs it.
	if err := f.Chmod(0o640); err != nil {
		f.Close()
		return nil, fmt.Errorf("create task log: %w", err)
	}
	return f, nil
}

func (m *Manager) unregister(t *task) {
	m.mu.Lock()
	delete(m.running, t.upid.String())
	m.mu.Unlock()
	t.cancel(nil)
	close(t.done)
	m.wg.Done()
}

// run executes fn and records its end: status line, index, active file.
func (m *Manager) run(t *task, l *Log, fn func(context.Context, *Log) error) {
	defer m.unregister(t)
	err := m.call(t, l, fn)
	if errors.Is(context.Cause(t.ctx), errInterrupted) {
		err = errInterrupted
	}
	status := endStatus(err, l.Warnings())
	upid := t.upid.String()
	if werr := l.finish(status); werr != nil {
		m.cfg.Logger.Error("task log write failed", "upid", upid, "err", werr)
	}
	end := m.now()
	// The manager's context may be canceled (shutdown); the final
	// bookkeeping must still happen, bounded by the lock timeout.
	uerr := m.updateActive(context.Background(), func(es []activeEntry) []activeEntry {
		i := slices.IndexFunc(es, func(e activeEntry) bool { return e.upid == upid })
		if i < 0 {
			es, i = append(es, activeEntry{upid: upid, u: t.upid}), len(es)
		}
		es[i].endTime, es[i].status, es[i].saved = end, indexStatus(status), false
		return es
	})
	if uerr != nil {
		m.cfg.Logger.Error("task end not recorded", "upid", upid, "err", uerr)
	}
	m.cfg.Logger.Info("task finished", "upid", upid, "status", status)
	if m.cfg.OnFinish != nil {
		e := Entry{EndTime: end, Status: indexStatus(status)}
		e.fill(upid, t.upid)
		m.cfg.OnFinish(e)
	}
}

// call runs fn, turning a panic into an error.
func (m *Manager) call(t *task, l *Log, fn func(context.Context, *Log) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			m.cfg.Logger.Error("task panicked", "upid", t.upid.String(), "panic", r,
				"stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(t.ctx, l)
}
