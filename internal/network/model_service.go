package network

import (
	"context"
	"errors"
	"time"
)

// RunKernelModel keeps a kernel model for the native applier until ctx
// ends: the daemon runs it from start-up, so an apply diffs the file
// against the model instead of dumping every link, address and route
// (drift made behind hostadm's back still shows, through the kernel's
// notifications). With ifupdown2 as the applier it does nothing. When the
// model cannot be started or its reader fails, it is started again after
// a pause; applies dump the kernel meanwhile.
func (s *Service) RunKernelModel(ctx context.Context) {
	if name, err := s.ApplierName(); err != nil || name != ApplierNative {
		return
	}
	for ctx.Err() == nil {
		m, err := StartKernelModel(s.cfg.NetNS, 0)
		if err != nil {
			s.cfg.Logger.Warn("network: kernel model not started", "err", err)
		} else {
			s.model.Store(m)
			select {
			case <-ctx.Done():
			case <-m.stopped:
				s.cfg.Logger.Warn("network: kernel model stopped", "err", m.Sync(ctx))
			}
			s.model.CompareAndSwap(m, nil)
			m.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// UseKernelModel makes the service plan against m (nil: dump the kernel
// on each apply); tests and benchmarks hand in a model of their namespace.
func (s *Service) UseKernelModel(m *KernelModel) { s.model.Store(m) }

// kernelState is what the plan starts from: the model once it caught up
// with the kernel, else a dump (of the interfaces in only, when set).
// Callers run in the service's namespace.
func (s *Service) kernelState(ctx context.Context, only map[string]bool) (*KernelState, error) {
	if m := s.model.Load(); m != nil && m.NetNS() == s.cfg.NetNS {
		err := m.Sync(ctx)
		if err == nil {
			return m.State(), nil
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		s.cfg.Logger.Warn("network: kernel model out of date, reading the kernel", "err", err)
	}
	return readKernelState(only)
}
