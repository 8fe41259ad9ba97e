package guests

import (
	"context"
	"fmt"
	"strconv"

	"hostadm/internal/tasks"
)

// Action is a power action run as a task, with Proxmox's task type.
type Action struct {
	Type    string // qmstart, qmstop, qmshutdown, qmreboot, qmreset, qmsuspend, qmresume
	Timeout int    // seconds; < 0 means the default
	Force   bool   // shutdown: stop hard after the timeout
}

// Spawn runs an action on a VM of the local node as a task of user and
// returns its UPID. The VM must exist; running state is checked by the
// action itself, inside the task, as Proxmox does.
func (s *Service) Spawn(ctx context.Context, user string, vmid int, a Action) (string, error) {
	if s.cfg.Tasks == nil {
		return "", fmt.Errorf("no task manager")
	}
	if _, err := s.Load(ctx, vmid); err != nil {
		return "", err
	}
	run, err := s.actionFunc(vmid, a)
	if err != nil {
		return "", err
	}
	u, err := s.cfg.Tasks.Start(ctx, a.Type, strconv.Itoa(vmid), user, func(ctx context.Context, l *tasks.Log) error {
		return run(ctx, l)
	})
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (s *Service) actionFunc(vmid int, a Action) (func(context.Context, TaskLog) error, error) {
	switch a.Type {
	case "qmstart":
		return func(ctx context.Context, l TaskLog) error { return s.Start(ctx, vmid, l) }, nil
	case "qmstop":
		return func(ctx context.Context, l TaskLog) error { return s.Stop(ctx, vmid, a.Timeout, l) }, nil
	case "qmshutdown":
		return func(ctx context.Context, l TaskLog) error { return s.Shutdown(ctx, vmid, a.Timeout, a.Force, l) }, nil
	case "qmreboot":
		return func(ctx context.Context, l TaskLog) error { return s.Reboot(ctx, vmid, a.Timeout, l) }, nil
	case "qmreset":
		return func(ctx context.Context, _ TaskLog) error { return s.Reset(ctx, vmid) }, nil
	case "qmsuspend":
		return func(ctx context.Context, _ TaskLog) error { return s.Suspend(ctx, vmid) }, nil
	case "qmresume":
		return func(ctx context.Context, _ TaskLog) error { return s.Resume(ctx, vmid) }, nil
	}
	return nil, fmt.Errorf("unknown vm action %q", a.Type)
}

// waitTask waits for a subtask and returns its exit status ("OK", ...).
func (s *Service) waitTask(ctx context.Context, upid string) string {
	if err := s.cfg.Tasks.Wait(ctx, upid); err != nil {
		return err.Error()
	}
	st, err := s.cfg.Tasks.Status(upid)
	if err != nil {
		return err.Error()
	}
	return st.ExitStatus
}

// SpawnMigrate runs a migration of a VM of the local node as a qmigrate task.
func (s *Service) SpawnMigrate(ctx context.Context, user string, vmid int, opts MigrateOptions) (string, error) {
	if s.cfg.Tasks == nil {
		return "", fmt.Errorf("no task manager")
	}
	if _, err := s.Load(ctx, vmid); err != nil {
		return "", err
	}
	u, err := s.cfg.Tasks.Start(ctx, "qmigrate", strconv.Itoa(vmid), user, func(ctx context.Context, l *tasks.Log) error {
		return s.Migrate(ctx, vmid, opts, l)
	})
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
