package tasks

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"hostadm/internal/host"
)

// activeEntry is one line of the active file (FORMATS §2.3).
type activeEntry struct {
	upid    string
	u       UPID
	saved   bool
	endTime int64 // 0 while running
	status  string
}

// parseActive decodes the active file. Lines that do not match Proxmox's
// pattern `^(\S+)\s(0|1)(\s([0-9A-Za-z]{8})(\s(\s*\S.*))?)?$` or whose UPID
// does not decode are dropped, as Proxmox drops them.
func parseActive(data []byte) []activeEntry {
	var out []activeEntry
	for _, line := range strings.Split(string(data), "\n") {
		if e, ok := parseActiveLine(line); ok {
			out = append(out, e)
		}
	}
	return out
}

func parseActiveLine(line string) (activeEntry, bool) {
	upid, rest, ok := cutSpace(line)
	if !ok || upid == "" || len(rest) < 1 || (rest[0] != '0' && rest[0] != '1') {
		return activeEntry{}, false
	}
	e := activeEntry{upid: upid, saved: rest[0] == '1'}
	if rest = rest[1:]; rest != "" {
		end, status, ok := parseEndStatus(rest, true)
		if !ok {
			return activeEntry{}, false
		}
		e.endTime, e.status = end, status
	}
	u, _, ok := parseUPID(upid)
	e.u = u
	return e, ok
}

// formatActive encodes entries the way Proxmox's write_active_workers does.
func formatActive(entries []activeEntry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		saved := 0
		if e.saved {
			saved = 1
		}
		switch {
		case e.endTime != 0 && e.status != "":
			fmt.Fprintf(&b, "%s %d %08X %s\n", e.upid, saved, e.endTime, e.status)
		case e.endTime != 0:
			fmt.Fprintf(&b, "%s %d %08X\n", e.upid, saved, e.endTime)
		default:
			fmt.Fprintf(&b, "%s %d\n", e.upid, saved)
		}
	}
	return b.Bytes()
}

// maintainActive ends entries whose task no longer runs (end time now,
// status from the log), returns the finished entries not yet in the index
// (now marked saved, oldest first) and trims the list to all running tasks
// plus the newest finished ones, maxActive entries in total.
func maintainActive(entries []activeEntry, alive func(activeEntry) bool, now int64,
	status func(upid string) string) (keep, archive []activeEntry) {
	seen := map[string]bool{}
	var running, finished []activeEntry
	for _, e := range entries {
		if seen[e.upid] {
			continue
		}
		seen[e.upid] = true
		if e.endTime == 0 && alive(e) {
			running = append(running, e)
			continue
		}
		if e.endTime == 0 {
			e.endTime, e.status = now, status(e.upid)
		}
		if !e.saved {
			e.saved = true
			archive = append(archive, e)
		}
		finished = append(finished, e)
	}
	slices.SortStableFunc(finished, func(a, b activeEntry) int { return cmp.Compare(b.u.StartTime, a.u.StartTime) })
	slices.SortStableFunc(archive, func(a, b activeEntry) int {
		return cmp.Or(cmp.Compare(a.endTime, b.endTime), cmp.Compare(a.u.StartTime, b.u.StartTime))
	})
	keep = running
	if n := maxActive - len(running); n > 0 {
		keep = append(keep, finished[:min(n, len(finished))]...)
	}
	return keep, archive
}

// updateActive reads the active file under .active.lock, lets change edit
// the entries, runs the maintenance of maintainActive, appends finished
// tasks to the index and writes the active file back when it changed.
func (m *Manager) updateActive(ctx context.Context, change func([]activeEntry) []activeEntry) error {
	// Goroutines of this process queue on a mutex first: the flock helper
	// polls, and a crowd of pollers would starve each other for seconds.
	m.activeMu.Lock()
	defer m.activeMu.Unlock()
	unlock, err := host.LockFile(ctx, filepath.Join(m.cfg.Dir, ".active.lock"), lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	path := filepath.Join(m.cfg.Dir, "active")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	entries := parseActive(old)
	if change != nil {
		entries = change(entries)
	}
	m.mu.Lock()
	keep, archive := maintainActive(entries, func(e activeEntry) bool { return m.taskAlive(e.u) },
		m.now(), func(upid string) string {
			p, _ := m.logPath(upid)
			return readStatus(p)
		})
	m.mu.Unlock()
	if err := m.appendIndex(archive); err != nil {
		return err
	}
	data := formatActive(keep)
	if bytes.Equal(data, old) {
		return nil
	}
	return replaceFile(path, data)
}

// replaceFile writes data to a temporary file and renames it over path, so
// readers see the old or the new content. Unlike host.WriteFileAtomic it
// does not fsync, as Proxmox's file_set_contents does not: the active file
// is rewritten twice per task, and after a crash NewManager rebuilds what
// matters from the log files' last lines anyway.
func replaceFile(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.tmp.%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// cutSpace splits s at its first whitespace character (RE2's \s).
func cutSpace(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
