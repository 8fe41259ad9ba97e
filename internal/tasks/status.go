package tasks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Status is a task's state as the status API reports it.
type Status struct {
	Entry // from the UPID; its EndTime and Status stay empty
	// Status is "running" or "stopped".
	Status string `json:"status"`
	// ExitStatus is set once stopped: "OK", "WARNINGS: <n>", the error
	// message, or "unexpected status".
	ExitStatus string `json:"exitstatus,omitempty"`
}

// Status reports whether the task runs and, once stopped, how it ended.
// Errors: ErrBadUPID, ErrNoSuchTask when the log file does not exist.
func (m *Manager) Status(upid string) (Status, error) {
	u, path, err := m.lookup(upid)
	if err != nil {
		return Status{}, err
	}
	s := Status{Status: "stopped"}
	s.fill(upid, u)
	m.mu.Lock()
	alive := m.taskAlive(u)
	m.mu.Unlock()
	if alive {
		s.Status = "running"
		return s, nil
	}
	s.ExitStatus = readStatus(path)
	return s, nil
}

// Stop interrupts a running task of this Manager; it ends with "TASK
// ERROR: received interrupt". Stopping a finished task does nothing. A task
// running in another process gives ErrForeignTask: it is not signalled,
// because that process may be a daemon running other tasks too.
func (m *Manager) Stop(upid string) error {
	u, _, err := m.lookup(upid)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t := m.running[u.String()]; t != nil {
		t.cancel(errInterrupted)
		return nil
	}
	if m.taskAlive(u) {
		return fmt.Errorf("stop %s: %w (pid %d)", upid, ErrForeignTask, u.PID)
	}
	return nil
}

// lookup decodes upid and checks that its log file exists.
func (m *Manager) lookup(upid string) (UPID, string, error) {
	u, _, ok := parseUPID(upid)
	if !ok {
		return UPID{}, "", ErrBadUPID
	}
	path, _ := m.logPath(upid)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return UPID{}, "", ErrNoSuchTask
		}
		return UPID{}, "", fmt.Errorf("task %s: %w", upid, err)
	}
	return u, path, nil
}

// statusClass is a normalised task status (FORMATS §2.2).
type statusClass uint8

const (
	classOK statusClass = iota
	classWarning
	classError
	classUnknown
	numClasses
)

var classNames = [numClasses]string{"ok", "warning", "error", "unknown"}

func classByName(name string) (statusClass, bool) {
	for c, n := range classNames {
		if n == name {
			return statusClass(c), true
		}
	}
	return 0, false
}

// StatusClass normalises a status text for status filters (FORMATS §2.2):
// "OK" is ok, "WARNINGS: <n>" warning, "" and "unexpected status" unknown,
// anything else error.
func StatusClass(status string) string {
	return classNames[classOf(status)]
}

func classOf(status string) statusClass {
	switch {
	case status == "OK":
		return classOK
	case isWarnings(status):
		return classWarning
	case status == "" || status == statusUnexpected:
		return classUnknown
	}
	return classError
}

// isWarnings reports whether s is "WARNINGS: <digits>".
func isWarnings(s string) bool {
	n, ok := strings.CutPrefix(s, "WARNINGS: ")
	if !ok || n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !isDigit(n[i]) {
			return false
		}
	}
	return true
}
