package network

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"
)

// ErrNothingToConfirm is returned by Confirm without a pending rollback.
var ErrNothingToConfirm = errors.New("no network change is waiting for confirmation")

// ErrRollbackPending refuses an apply while an earlier one awaits its
// confirmation.
var ErrRollbackPending = errors.New("an applied network change is waiting for confirmation or rollback; confirm it first")

// TaskRunner runs work as a task with its own log, now or soon; the
// rollback uses it so the restore shows up like any apply. It fails when
// the task cannot start.
type TaskRunner func(fn func(ctx context.Context, log io.Writer) error) error

// rollback holds the timers this process armed, by rollback id. What a
// rollback needs lives on disk (see pending.go), so a rollback armed by a
// process that went away (a restarted daemon, the in-process CLI) is taken
// over by the next one that looks (Resume, Watch).
type rollback struct {
	mu     sync.Mutex
	armed  map[string]*armedRollback
	closed bool
}

type armedRollback struct {
	timer *time.Timer
	done  chan struct{}
	once  sync.Once
}

func (a *armedRollback) finish() { a.once.Do(func() { close(a.done) }) }

// ApplyWithRollback applies the staged file like Apply and then, unless
// Confirm is called within timeout, restores the file that was live before
// and applies it again, through run. The deadline and the previous file
// are written under /etc/network before anything changes, so the timer
// belongs to the node, not to the request or even the process: a client
// that lost its connection does not stop it, and a daemon restarted in
// between rolls back on start when the deadline has passed (Resume).
func (s *Service) ApplyWithRollback(ctx context.Context, log io.Writer, timeout time.Duration, run TaskRunner) error {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	if s.pendingOnDisk() {
		return ErrRollbackPending
	}
	previous, err := s.cfg.Root.ReadFile(LivePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	id := make([]byte, 8)
	rand.Read(id)
	p := pending{ID: hex.EncodeToString(id), Deadline: time.Now().Add(timeout), Timeout: int(timeout.Seconds()),
		NoPrevious: errors.Is(err, fs.ErrNotExist)}
	if err := s.savePending(p, previous); err != nil {
		return err
	}
	if err := s.Apply(ctx, log); err != nil {
		if !s.liveChanged(previous, p.NoPrevious) {
			// refused before the staged file went live (the native
			// applier's checks): nothing to undo, and the staged file
			// stays for the admin to fix
			s.dropPending()
			return err
		}
		// the half-applied change is rolled back at once
		fmt.Fprintf(log, "apply failed, restoring the previous configuration\n")
		s.restore(ctx, log, previous)
		s.dropPending()
		return err
	}
	// the admin gets the whole timeout to confirm, however long apply took
	p.Deadline = time.Now().Add(timeout)
	if err := s.saveFile(pendingPath, p); err != nil {
		return err
	}
	fmt.Fprintf(log, "waiting %s for confirmation (POST /nodes/{node}/network/confirm), else rolling back\n", timeout)
	s.arm(p, run)
	return nil
}

// liveChanged tells whether the live file differs from previous (what it
// held before the apply; noPrevious: it did not exist).
func (s *Service) liveChanged(previous []byte, noPrevious bool) bool {
	now, err := s.cfg.Root.ReadFile(LivePath)
	if errors.Is(err, fs.ErrNotExist) {
		return !noPrevious
	}
	return err != nil || noPrevious || !bytes.Equal(now, previous)
}

// arm starts this process's timer for a pending rollback (s.rb.mu held).
func (s *Service) arm(p pending, run TaskRunner) {
	if s.rb.closed || s.rb.armed[p.ID] != nil {
		return
	}
	if s.rb.armed == nil {
		s.rb.armed = map[string]*armedRollback{}
	}
	a := &armedRollback{done: make(chan struct{})}
	s.rb.armed[p.ID] = a
	a.timer = time.AfterFunc(time.Until(p.Deadline), func() { s.fire(p, a, run) })
}

// fire rolls back unless the change was confirmed meanwhile, by any
// process. The rollback is claimed on disk inside the task, so it runs
// once, and a process whose tasks cannot start any more (the in-process
// CLI after it returned) leaves it to the daemon.
func (s *Service) fire(p pending, a *armedRollback, run TaskRunner) {
	if q, err := s.loadPending(pendingPath); err != nil || q.ID != p.ID {
		a.finish()
		return
	}
	err := run(func(ctx context.Context, log io.Writer) error {
		defer a.finish()
		previous, ok := s.claim(p.ID)
		if !ok {
			fmt.Fprintf(log, "the network change was confirmed or rolled back meanwhile\n")
			return nil
		}
		fmt.Fprintf(log, "no confirmation within %ds: restoring the previous network configuration\n", p.Timeout)
		err := s.restore(ctx, log, previous)
		s.dropPending()
		return err
	})
	if err != nil {
		// The task did not start: forget this timer so the next Resume
		// (Watch calls it every interval) arms the rollback again.
		s.cfg.Logger.Error("network rollback could not start; retrying", "id", p.ID, "err", err)
		s.rb.mu.Lock()
		if s.rb.armed[p.ID] == a {
			delete(s.rb.armed, p.ID)
		}
		s.rb.mu.Unlock()
		a.finish()
	}
}

func (s *Service) restore(ctx context.Context, log io.Writer, previous []byte) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	err = s.cfg.Root.WriteFileContext(ctx, StagedPath, previous, 0o644)
	unlock()
	if err != nil {
		return err
	}
	return s.Apply(ctx, log)
}

// Confirm keeps the applied change and stops its rollback, whichever
// process armed it.
func (s *Service) Confirm() error {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	p, err := s.loadPending(pendingPath)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNothingToConfirm
	}
	if err != nil {
		return err
	}
	if err := s.dropPending(); err != nil {
		return err
	}
	if a := s.rb.armed[p.ID]; a != nil && a.timer.Stop() {
		a.finish()
	}
	return nil
}

// WaitRollback blocks until the rollbacks this process armed have run or
// were confirmed (tests and shutdown).
func (s *Service) WaitRollback() {
	s.rb.mu.Lock()
	var waits []chan struct{}
	for _, a := range s.rb.armed {
		waits = append(waits, a.done)
	}
	s.rb.mu.Unlock()
	for _, w := range waits {
		<-w
	}
}

// StopRollbackTimers forgets this process's timers without rolling back,
// as when the process ends; the pending rollback stays on disk for the
// next Resume. Later Resume and Watch calls in this process do nothing.
func (s *Service) StopRollbackTimers() {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	s.rb.closed = true
	for _, a := range s.rb.armed {
		if a.timer.Stop() {
			a.finish()
		}
	}
}

// Resume takes over a rollback left on disk by a process that went away:
// one whose restore was interrupted runs again now, a pending one fires at
// its deadline (at once when that has passed).
func (s *Service) Resume(run TaskRunner) {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	if s.rb.closed {
		return
	}
	if p, err := s.loadPending(runningPath); err == nil && s.rb.armed[p.ID] == nil {
		s.cfg.Logger.Warn("network rollback was interrupted; restoring the previous configuration again", "id", p.ID)
		if err := s.saveFile(pendingPath, p); err == nil {
			p.Deadline = time.Now()
			s.arm(p, run)
		}
		return
	}
	if p, err := s.loadPending(pendingPath); err == nil && s.rb.armed[p.ID] == nil {
		s.cfg.Logger.Info("resuming a pending network rollback", "id", p.ID, "deadline", p.Deadline)
		s.arm(p, run)
	}
}

// Watch calls Resume now and every interval until ctx ends, so the daemon
// also takes over a rollback the in-process CLI armed; then it stops this
// process's timers.
func (s *Service) Watch(ctx context.Context, interval time.Duration, run TaskRunner) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		s.Resume(run)
		select {
		case <-ctx.Done():
			s.StopRollbackTimers()
			return
		case <-tick.C:
		}
	}
}
