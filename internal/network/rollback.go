package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"sync"
	"time"

	"hostadm/internal/network/ifaces"
)

// ErrNothingToConfirm is returned by Confirm without a pending rollback.
var ErrNothingToConfirm = errors.New("no network change is waiting for confirmation")

// ErrRollbackPending refuses an apply while an earlier one awaits its
// confirmation.
var ErrRollbackPending = errors.New("an applied network change is waiting for confirmation or rollback; confirm it first")

// TaskRunner runs work as a task with its own log; the rollback uses it so
// the restore shows up like any apply.
type TaskRunner func(fn func(ctx context.Context, log io.Writer) error)

type rollback struct {
	mu      sync.Mutex
	timer   *time.Timer
	pending bool
	done    chan struct{}
}

// ApplyWithRollback applies the staged file like Apply and then, unless
// Confirm is called within timeout, restores the file that was live before
// and applies it again, through run. The timer belongs to the service, not
// to the request: a client that lost its connection does not stop it.
func (s *Service) ApplyWithRollback(ctx context.Context, log io.Writer, timeout time.Duration, run TaskRunner) error {
	s.rb.mu.Lock()
	if s.rb.pending {
		s.rb.mu.Unlock()
		return ErrRollbackPending
	}
	s.rb.pending = true
	s.rb.mu.Unlock()
	previous, err := s.cfg.Root.ReadFile(LivePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.clearRollback()
		return err
	}
	if err := s.Apply(ctx, log); err != nil {
		// the half-applied change is rolled back at once
		fmt.Fprintf(log, "apply failed, restoring the previous configuration\n")
		s.restore(ctx, log, previous)
		s.clearRollback()
		return err
	}
	fmt.Fprintf(log, "waiting %s for confirmation (POST /nodes/{node}/network/confirm), else rolling back\n", timeout)
	done := make(chan struct{})
	s.rb.mu.Lock()
	s.rb.done = done
	s.rb.timer = time.AfterFunc(timeout, func() {
		defer close(done)
		s.rb.mu.Lock()
		if !s.rb.pending || s.rb.timer == nil {
			s.rb.mu.Unlock()
			return
		}
		s.rb.timer = nil
		s.rb.mu.Unlock()
		run(func(ctx context.Context, log io.Writer) error {
			defer s.clearRollback()
			fmt.Fprintf(log, "no confirmation within %s: restoring the previous network configuration\n", timeout)
			return s.restore(ctx, log, previous)
		})
	})
	s.rb.mu.Unlock()
	return nil
}

func (s *Service) restore(ctx context.Context, log io.Writer, previous []byte) error {
	if err := s.cfg.Root.WriteFile(StagedPath, previous, 0o644); err != nil {
		return err
	}
	return s.Apply(ctx, log)
}

func (s *Service) clearRollback() {
	s.rb.mu.Lock()
	s.rb.pending, s.rb.timer = false, nil
	s.rb.mu.Unlock()
}

// Confirm keeps the applied change and stops its rollback.
func (s *Service) Confirm() error {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	if !s.rb.pending || s.rb.timer == nil || !s.rb.timer.Stop() {
		return ErrNothingToConfirm
	}
	s.rb.pending, s.rb.timer = false, nil
	close(s.rb.done)
	return nil
}

// WaitRollback blocks until a scheduled rollback has run or was confirmed
// (tests and shutdown).
func (s *Service) WaitRollback() {
	s.rb.mu.Lock()
	done := s.rb.done
	s.rb.mu.Unlock()
	if done != nil {
		<-done
	}
}

// CheckReachable refuses a staged file that no longer carries the address
// a request came in on, or drops the default route the live file has: the
// admin would lock themselves out. local is the server-side address of the
// request (invalid for in-process calls, which skips that check).
func (s *Service) CheckReachable(local netip.Addr) error {
	old, err := s.parseFile(LivePath)
	if err != nil {
		return err
	}
	next, err := s.parseFile(StagedPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if local.IsValid() && !local.IsLoopback() {
		local = local.Unmap()
		found := false
		for _, d := range next.Ifaces {
			for _, p := range wantAddrs(d) {
				if p.Addr() == local {
					found = true
				}
			}
		}
		if !found {
			return fmt.Errorf("the staged configuration drops %s, the address this request came in on; apply with force=1 to do it anyway", local)
		}
	}
	for _, six := range []bool{false, true} {
		if gatewayOf(old, six) != "" && gatewayOf(next, six) == "" {
			what := "IPv4"
			if six {
				what = "IPv6"
			}
			return fmt.Errorf("the staged configuration drops the %s default gateway %s; apply with force=1 to do it anyway", what, gatewayOf(old, six))
		}
	}
	return nil
}

func gatewayOf(cfg *ifaces.Config, six bool) string {
	for _, n := range sortedNames(cfg) {
		d := cfg.Ifaces[n]
		if gw := map[bool]string{false: d.Gateway, true: d.Gateway6}[six]; gw != "" {
			return gw
		}
	}
	return ""
}
