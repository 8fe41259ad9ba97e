package tasks

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"

	"hostadm/internal/host"
)

// Log is a running task's log. It writes through to the log file, so a
// reader opening the file sees everything written so far. It is safe for
// concurrent use.
type Log struct {
	mu        sync.Mutex
	f         *os.File
	warnings  int
	midLine   bool  // the last byte written was not a newline
	err       error // first write error, reported by the task's logger
	closedLog bool
}

// Write appends p to the log file unchanged.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write(p)
}

func (l *Log) write(p []byte) (int, error) {
	if l.closedLog {
		return 0, fs.ErrClosed
	}
	n, err := l.f.Write(p)
	if n > 0 {
		l.midLine = p[n-1] != '\n'
	}
	if err != nil && l.err == nil {
		l.err = err
	}
	return n, err
}

// Printf writes one formatted line; a newline is added when missing.
func (l *Log) Printf(format string, args ...any) {
	l.line(fmt.Sprintf(format, args...))
}

// Warn writes "WARN: <message>" and counts it; a task that ends without an
// error but with warnings ends with "TASK WARNINGS: <n>".
func (l *Log) Warn(format string, args ...any) {
	l.mu.Lock()
	l.warnings++
	l.mu.Unlock()
	l.line("WARN: " + fmt.Sprintf(format, args...))
}

// Warnings is the number of warnings written so far.
func (l *Log) Warnings() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.warnings
}

func (l *Log) line(s string) {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.write([]byte(s))
}

// finish writes the status line "TASK <status>" on a line of its own and
// closes the file. Later writes fail with fs.ErrClosed.
func (l *Log) finish(status string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := "TASK " + status + "\n"
	if l.midLine {
		line = "\n" + line
	}
	l.write([]byte(line))
	l.closedLog = true
	if err := l.f.Close(); err != nil && l.err == nil {
		l.err = err
	}
	return l.err
}

// endStatus is the status text of a finished task as the index stores it:
// "OK", "WARNINGS: <n>", or the error message on one line.
func endStatus(err error, warnings int) string {
	switch {
	case err != nil:
		msg := strings.ReplaceAll(strings.TrimRight(err.Error(), "\n"), "\n", " ")
		if msg == "" {
			msg = "unknown error"
		}
		return "ERROR: " + msg
	case warnings > 0:
		return "WARNINGS: " + strconv.Itoa(warnings)
	}
	return "OK"
}

// indexStatus turns a log status ("ERROR: msg") into the text the index and
// the API show ("msg").
func indexStatus(logStatus string) string {
	if msg, ok := strings.CutPrefix(logStatus, "ERROR: "); ok {
		return msg
	}
	return logStatus
}

// Messages used where a log cannot give a status, as Proxmox words them.
const (
	statusUnexpected = "unexpected status"
	statusNoLastLine = "unable to extract last line"
)

// readStatus returns a finished task's status from the last line of its
// log, like Proxmox's upid_read_status: "OK", "WARNINGS: n", the error
// message, or "unexpected status".
func readStatus(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unable to open file - " + errnoText(err)
	}
	defer f.Close()
	const maxLen = 4096
	buf := make([]byte, maxLen)
	off := int64(0)
	if fi, err := f.Stat(); err == nil && fi.Size() > maxLen {
		off = fi.Size() - maxLen
	}
	n, _ := f.ReadAt(buf, off)
	if n == 0 {
		return statusUnexpected
	}
	return statusFromTail(string(buf[:n]))
}

// statusFromTail decodes the status from the end of a log.
func statusFromTail(tail string) string {
	tail = strings.TrimSuffix(tail, "\n")
	line := tail[strings.LastIndexByte(tail, '\n')+1:]
	if line == "" {
		return statusNoLastLine
	}
	switch {
	case line == "TASK OK":
		return "OK"
	case strings.HasPrefix(line, "TASK ERROR: ") && len(line) > len("TASK ERROR: "):
		return line[len("TASK ERROR: "):]
	case strings.HasPrefix(line, "TASK WARNINGS: ") && isWarnings(line[len("TASK "):]):
		return line[len("TASK "):]
	}
	return statusUnexpected
}

// errnoText is the system's message for err without Go's path prefix,
// capitalised like the C library's strerror that Proxmox's $! shows.
func errnoText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// Line is one line of a task log as the API returns it; N counts from 1.
type Line struct {
	N int    `json:"n"`
	T string `json:"t"`
}

// ReadLog returns lines start+1 … start+limit of the task's log (limit 0:
// all remaining) and the total line count. An unreadable log yields the
// single line "unable to open file - <error>", an empty one "no content",
// each with total 1. Only an unparsable UPID is an error.
func (m *Manager) ReadLog(upid string, start, limit int) ([]Line, int, error) {
	path, err := m.logPath(upid)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return []Line{{N: 1, T: "unable to open file - " + errnoText(err)}}, 1, nil
	}
	defer f.Close()
	lines, total, err := readLines(f, start, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read task log %s: %w", path, err)
	}
	if total == 0 {
		return []Line{{N: 1, T: "no content"}}, 1, nil
	}
	return lines, total, nil
}

// maxLogAnswer bounds the text one ReadLog returns (limit 0 asks for
// everything); lines are cut at host.DefaultMaxLine.
const maxLogAnswer = 16 << 20

// readLines pages through r's lines; a last line without a newline counts.
// Lines past the page, or past maxLogAnswer bytes, are only counted, so a
// huge log or a single huge line costs no more memory than the answer.
func readLines(r io.Reader, start, limit int) ([]Line, int, error) {
	lines := []Line{}
	count, size := 0, 0
	err := host.ForEachLine(r, host.DefaultMaxLine, func(l []byte, _ bool) bool {
		count++
		if count > start && (limit <= 0 || count <= start+limit) && size < maxLogAnswer {
			lines = append(lines, Line{N: count, T: string(l)})
			size += len(l)
		}
		return true
	})
	if err != nil {
		return nil, 0, err
	}
	return lines, count, nil
}
