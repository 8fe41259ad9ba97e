package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Where a pending rollback lives: the deadline in a small JSON file and
// the file that was live before beside it. While the restore runs the
// JSON file is renamed to runningPath, so a restore cut short by a crash
// is done again on the next start.
const (
	pendingPath = "/etc/network/.hostadm-rollback.json"
	runningPath = "/etc/network/.hostadm-rollback.running"
	backupPath  = "/etc/network/interfaces.hostadm-rollback"
)

// pending is a rollback waiting for its deadline.
type pending struct {
	ID         string    `json:"id"`
	Deadline   time.Time `json:"deadline"`
	Timeout    int       `json:"timeout"` // seconds, for the log
	NoPrevious bool      `json:"no-previous,omitempty"`
}

// PendingRollback tells whether an applied change awaits confirmation,
// and until when.
func (s *Service) PendingRollback() (time.Time, bool) {
	p, err := s.loadPending(pendingPath)
	if err != nil {
		return time.Time{}, false
	}
	return p.Deadline, true
}

func (s *Service) pendingOnDisk() bool {
	return s.cfg.Root.Exists(pendingPath) || s.cfg.Root.Exists(runningPath)
}

// savePending writes the backup, then the deadline: a deadline on disk
// always has its backup.
func (s *Service) savePending(p pending, previous []byte) error {
	if err := s.cfg.Root.WriteFile(backupPath, previous, 0o600); err != nil {
		return fmt.Errorf("save the previous network configuration: %w", err)
	}
	return s.saveFile(pendingPath, p)
}

func (s *Service) saveFile(path string, p pending) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := s.cfg.Root.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the network rollback deadline: %w", err)
	}
	return nil
}

func (s *Service) loadPending(path string) (pending, error) {
	var p pending
	b, err := s.cfg.Root.ReadFile(path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("read %s: %w", path, err)
	}
	return p, nil
}

// claim takes the rollback with this id for restoring (false: confirmed
// or taken by another process) and returns the previous file.
func (s *Service) claim(id string) ([]byte, bool) {
	s.rb.mu.Lock()
	defer s.rb.mu.Unlock()
	p, err := s.loadPending(pendingPath)
	if err != nil || p.ID != id {
		return nil, false
	}
	previous, err := s.cfg.Root.ReadFile(backupPath)
	if err != nil && !p.NoPrevious {
		s.cfg.Logger.Error("network rollback: the saved configuration is missing", "err", err)
		return nil, false
	}
	if err := os.Rename(s.cfg.Root.Path(pendingPath), s.cfg.Root.Path(runningPath)); err != nil {
		return nil, false
	}
	return previous, true
}

// dropPending removes every trace of a rollback.
func (s *Service) dropPending() error {
	var errs []error
	for _, p := range []string{pendingPath, runningPath, backupPath} {
		if err := os.Remove(s.cfg.Root.Path(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
