package hostcfg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"hostadm/internal/host"
)

// LogLine is one numbered line of the system log.
type LogLine struct {
	N int    `json:"n"`
	T string `json:"t"`
}

// SyslogQuery selects lines of GET /nodes/{node}/syslog.
type SyslogQuery struct {
	Start, Limit       int
	Since, Until, Unit string
}

// Syslog bounds: a page has at most maxSyslogLimit lines and maxLogBytes
// of text; each line is cut at host.DefaultMaxLine.
const (
	maxSyslogLimit = 50000
	maxLogBytes    = 16 << 20
)

// Syslog runs `journalctl -o short --no-pager` with the filters and pages
// its lines like Proxmox's dump_journal: n counts from 1, limit 0 means
// 50, an empty result is one "no content" line. The output is streamed:
// journalctl is stopped one line past the page, so memory and time do not
// grow with the journal. The total is the lines read, which is one more
// than start+limit when more follow (Proxmox reads on to the end to count
// them).
func (s *Service) Syslog(ctx context.Context, q SyslogQuery) ([]LogLine, int, error) {
	argv := []string{"journalctl", "-o", "short", "--no-pager"}
	if q.Unit != "" {
		unit := q.Unit
		if unit == "postfix" {
			unit = "postfix@-"
		}
		argv = append(argv, "--unit", unit)
	}
	if q.Since != "" {
		argv = append(argv, "--since", q.Since)
	}
	if q.Until != "" {
		argv = append(argv, "--until", q.Until)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, maxSyslogLimit)
	lines, count, size := []LogLine{}, 0, 0
	_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: time.Minute, Lines: func(l []byte) bool {
		count++
		if count > q.Start+limit || size > maxLogBytes {
			return false
		}
		if count > q.Start {
			lines = append(lines, LogLine{N: count, T: string(l)})
			size += len(l)
		}
		return true
	}})
	if err != nil {
		return nil, 0, fmt.Errorf("read system log: %w", err)
	}
	if count == 0 {
		return []LogLine{{N: 1, T: "no content"}}, 1, nil
	}
	return lines, count, nil
}

// JournalQuery selects entries of GET /nodes/{node}/journal.
type JournalQuery struct {
	LastEntries  int
	Since, Until int64 // epoch seconds, 0 = unset
	StartCursor  string
	EndCursor    string
}

// Journal bounds: without a range or lastentries the newest
// defaultJournalEntries are read; no answer has more than
// maxJournalEntries entries or maxLogBytes of text.
const (
	defaultJournalEntries = 500
	maxJournalEntries     = 50000
)

// Journal reads the journal through `journalctl -o json` and answers like
// mini-journalreader: the first entry's cursor, one short-format line per
// entry ("-- Reboot --" between boots), the last entry's cursor. The
// output is streamed entry by entry; lastentries and the start cursor go
// to journalctl (-n, --after-cursor), reading stops at the end cursor or
// at the bounds above.
func (s *Service) Journal(ctx context.Context, q JournalQuery) ([]string, error) {
	argv := []string{"journalctl", "--no-pager", "-o", "json"}
	n := q.LastEntries
	if n <= 0 && q.Since == 0 && q.Until == 0 && q.StartCursor == "" && q.EndCursor == "" {
		n = defaultJournalEntries
	}
	if n > 0 {
		argv = append(argv, "-n", strconv.Itoa(min(n, maxJournalEntries)))
	}
	if q.Since > 0 {
		argv = append(argv, "--since", "@"+strconv.FormatInt(q.Since, 10))
	}
	if q.Until > 0 {
		argv = append(argv, "--until", "@"+strconv.FormatInt(q.Until, 10))
	}
	if q.StartCursor != "" {
		argv = append(argv, "--after-cursor", q.StartCursor)
	}
	f := journalFormatter{endCursor: q.EndCursor, loc: s.location(s.localZone(ctx))}
	_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: time.Minute, Lines: f.add})
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return f.result(), nil
}

func (s *Service) localZone(ctx context.Context) string {
	tz, err := s.timezone(ctx)
	if err != nil {
		return "UTC"
	}
	return tz
}

// journalEntry holds the fields of `journalctl -o json` the short format uses.
type journalEntry struct {
	Cursor     string          `json:"__CURSOR"`
	Realtime   string          `json:"__REALTIME_TIMESTAMP"`
	Boot       string          `json:"_BOOT_ID"`
	Hostname   string          `json:"_HOSTNAME"`
	Identifier string          `json:"SYSLOG_IDENTIFIER"`
	Comm       string          `json:"_COMM"`
	PID        string          `json:"_PID"`
	Message    json.RawMessage `json:"MESSAGE"`
}

// journalFormatter renders journal JSON lines one at a time, stopping
// before endCursor or at the bounds.
type journalFormatter struct {
	endCursor         string
	loc               *time.Location
	out               []string
	first, last, boot string
	size              int
}

// add takes one JSON line; false means stop reading.
func (f *journalFormatter) add(line []byte) bool {
	var e journalEntry
	if json.Unmarshal(line, &e) != nil {
		return true
	}
	if f.endCursor != "" && e.Cursor == f.endCursor {
		return false
	}
	if f.first == "" {
		f.first = e.Cursor
	} else if e.Boot != f.boot {
		f.out = append(f.out, "-- Reboot --")
	}
	f.boot, f.last = e.Boot, e.Cursor
	l := shortLine(e, f.loc)
	f.out = append(f.out, l)
	f.size += len(l)
	return len(f.out) < maxJournalEntries && f.size < maxLogBytes
}

// result is the answer: first cursor, lines, last cursor ([] when empty).
func (f *journalFormatter) result() []string {
	if f.first == "" {
		return []string{}
	}
	return append(append([]string{f.first}, f.out...), f.last)
}

// shortLine is journalctl's short format: "Mon DD HH:MM:SS host ident[pid]: msg".
func shortLine(e journalEntry, loc *time.Location) string {
	us, _ := strconv.ParseInt(e.Realtime, 10, 64)
	ts := time.UnixMicro(us).In(loc).Format("Jan 02 15:04:05")
	ident := e.Identifier
	if ident == "" {
		ident = e.Comm
	}
	if e.PID != "" {
		ident += "[" + e.PID + "]"
	}
	return fmt.Sprintf("%s %s %s: %s", ts, e.Hostname, ident, message(e.Message))
}

// message decodes MESSAGE, which journalctl prints as a string or, for
// non-UTF-8 data, as an array of byte values.
func message(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var bs []byte
	var ints []int
	if json.Unmarshal(raw, &ints) == nil {
		for _, i := range ints {
			bs = append(bs, byte(i))
		}
		return string(bytes.ToValidUTF8(bs, []byte("\uFFFD")))
	}
	return ""
}
