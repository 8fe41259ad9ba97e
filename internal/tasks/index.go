package tasks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// parseEndStatus decodes what follows the UPID (and, in the active file,
// the saved flag) on a line: `\s[0-9A-Za-z]{8}` and an optional
// `\s<status>`. In the index the status must start with a non-space; in the
// active file it may start with spaces. The end time is read like Perl's
// hex(): up to the first non-hex character.
func parseEndStatus(rest string, active bool) (end int64, status string, ok bool) {
	if len(rest) < 9 || !isSpace(rest[0]) {
		return 0, "", false
	}
	hex := rest[1:9]
	for i := 0; i < len(hex); i++ {
		if !isAlpha(hex[i]) && !isDigit(hex[i]) {
			return 0, "", false
		}
	}
	rest = rest[9:]
	if rest == "" {
		return hexPrefix(hex), "", true
	}
	if len(rest) < 2 || !isSpace(rest[0]) || strings.IndexByte(rest, '\n') >= 0 {
		return 0, "", false
	}
	status = rest[1:]
	if !active && isSpace(status[0]) {
		return 0, "", false
	}
	if active && strings.TrimLeft(status, " \t\r\f") == "" {
		return 0, "", false
	}
	return hexPrefix(hex), status, true
}

// parseIndexLine decodes one index line, accepting exactly the lines that
// match `^(\S+)(\s([0-9A-Za-z]{8})(\s(\S.*))?)?$` and carry a valid UPID.
// The returned Entry's strings share line's memory.
func parseIndexLine(line string) (Entry, bool) {
	// A valid UPID holds no whitespace, so when the text before the first
	// space decodes, that space is the first whitespace; otherwise another
	// whitespace character may come first.
	upid := line
	if i := strings.IndexByte(line, ' '); i >= 0 {
		upid = line[:i]
	}
	u, _, ok := parseUPID(upid)
	if !ok {
		if upid, _, _ = cutSpace(line); len(upid) == len(line) || upid == "" {
			return Entry{}, false
		}
		if u, _, ok = parseUPID(upid); !ok {
			return Entry{}, false
		}
	}
	var e Entry
	if len(upid) < len(line) {
		end, status, ok := parseEndStatus(line[len(upid):], false)
		if !ok {
			return Entry{}, false
		}
		e.EndTime, e.Status = end, status
	}
	e.fill(upid, u)
	e.Saved = true
	return e, true
}

// appendIndex appends finished entries to index and rotates it to index.1
// once it exceeds Config.IndexMaxBytes. Callers hold .active.lock.
func (m *Manager) appendIndex(entries []activeEntry) error {
	if len(entries) == 0 {
		return nil
	}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %08X %s\n", e.upid, e.endTime, e.status)
	}
	path := filepath.Join(m.cfg.Dir, "index")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append to task index: %w", err)
	}
	_, werr := f.WriteString(b.String())
	fi, serr := f.Stat()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if err := errors.Join(werr, serr); err != nil {
		return fmt.Errorf("append to task index %s: %w", path, err)
	}
	if fi.Size() > m.cfg.IndexMaxBytes {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("rotate task index: %w", err)
		}
	}
	return nil
}
