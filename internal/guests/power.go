package guests

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// TaskLog is where power actions write their task log lines.
type TaskLog interface {
	Printf(format string, args ...any)
	Warn(format string, args ...any)
}

// DefaultShutdownTimeout is Proxmox's wait for an ACPI shutdown or a quit.
const DefaultShutdownTimeout = 60

// pollEvery is how often a stop waits for the process to go.
const pollEvery = 100 * time.Millisecond

// Start starts a stopped VM of the local node: QEMU comes up paused, then
// runs ("cont") once its QMP socket answers.
func (s *Service) Start(ctx context.Context, vmid int, log TaskLog) error {
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	l, err := s.Load(ctx, vmid)
	if err != nil {
		return err
	}
	st := SettingsOf(l.Config)
	if len(st.Unsupported) > 0 {
		return fmt.Errorf("VM %d: %s", vmid, NotSupported(st.Unsupported[0]))
	}
	if s.Running(vmid) != nil {
		return fmt.Errorf("VM %d already running", vmid)
	}
	if _, err := s.launch(ctx, vmid, st, ""); err != nil {
		return err
	}
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "cont"}); err != nil {
		s.kill(vmid)
		return err
	}
	s.cfg.Logger.Info("VM started", "vmid", vmid, "accel", s.accel())
	return nil
}

// Stop stops a VM hard: QEMU is told to quit, and killed when it does not
// within timeout seconds (< 0: the default).
func (s *Service) Stop(ctx context.Context, vmid, timeout int, log TaskLog) error {
	return s.stop(ctx, vmid, false, timeout, true, log)
}

// Shutdown asks the guest to power off (ACPI) and waits timeout seconds
// (< 0: the default); then, with force, it stops the VM hard, else fails.
func (s *Service) Shutdown(ctx context.Context, vmid, timeout int, force bool, log TaskLog) error {
	return s.stop(ctx, vmid, true, timeout, force, log)
}

func (s *Service) stop(ctx context.Context, vmid int, acpi bool, timeout int, force bool, log TaskLog) error {
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	p := s.Running(vmid)
	if p == nil {
		return fmt.Errorf("VM %d %w", vmid, ErrNotRunning)
	}
	if timeout < 0 {
		timeout = DefaultShutdownTimeout
	}
	cmd := "quit"
	if acpi {
		cmd = "system_powerdown"
		if st, err := s.QueryStatus(ctx, vmid); err == nil && st == "paused" {
			if !force {
				return fmt.Errorf("VM is paused - cannot shutdown")
			}
			log.Warn("VM is paused - stop instead of shutdown")
			cmd = "quit"
		}
	}
	_, qerr := s.qmpRun(ctx, vmid, qmpCmd{Execute: cmd})
	if qerr == nil && s.waitGone(ctx, vmid, time.Duration(timeout)*time.Second) {
		s.cleanupRuntime(vmid)
		return nil
	}
	switch {
	case qerr != nil && s.Running(vmid) == nil:
		log.Warn("Unexpected: VM shutdown command failed, but VM not running anymore..")
		s.cleanupRuntime(vmid)
		return nil
	case !force && qerr != nil:
		return fmt.Errorf("VM quit/powerdown failed")
	case !force:
		return fmt.Errorf("VM quit/powerdown failed - got timeout")
	case qerr != nil:
		log.Warn("VM quit/powerdown failed - terminating now with SIGTERM")
	default:
		log.Warn("VM still running - terminating now with SIGTERM")
	}
	if err := signal(p.PID, syscall.SIGTERM); err != nil {
		return err
	}
	if !s.waitGone(ctx, vmid, 10*time.Second) {
		log.Warn("VM still running - terminating now with SIGKILL")
		s.kill(vmid)
	}
	s.cleanupRuntime(vmid)
	return nil
}

// waitGone waits up to d for the VM's process to end.
func (s *Service) waitGone(ctx context.Context, vmid int, d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		if s.Running(vmid) == nil {
			return true
		}
		if time.Now().After(end) || ctx.Err() != nil {
			return false
		}
		time.Sleep(pollEvery)
	}
}

// kill sends SIGKILL and waits briefly for the process to go.
func (s *Service) kill(vmid int) {
	if p := s.Running(vmid); p != nil {
		_ = signal(p.PID, syscall.SIGKILL)
		s.waitGone(context.Background(), vmid, 5*time.Second)
	}
}

// Reboot shuts the VM down (ACPI, no force) and starts it again, as
// Proxmox's reboot does; a guest that ignores ACPI makes it fail.
func (s *Service) Reboot(ctx context.Context, vmid, timeout int, log TaskLog) error {
	if err := s.Shutdown(ctx, vmid, timeout, false, log); err != nil {
		return err
	}
	return s.Start(ctx, vmid, log)
}

// Reset resets the VM like the reset button.
func (s *Service) Reset(ctx context.Context, vmid int) error {
	return s.simple(ctx, vmid, "system_reset")
}

// Suspend pauses the VM's CPUs (QEMU "stop"); its RAM stays in place.
func (s *Service) Suspend(ctx context.Context, vmid int) error {
	return s.simple(ctx, vmid, "stop")
}

// Resume continues a paused VM.
func (s *Service) Resume(ctx context.Context, vmid int) error {
	return s.simple(ctx, vmid, "cont")
}

func (s *Service) simple(ctx context.Context, vmid int, cmd string) error {
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	if s.Running(vmid) == nil {
		return fmt.Errorf("VM %d %w", vmid, ErrNotRunning)
	}
	_, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: cmd})
	return err
}
