package hostcfg

import (
	"bufio"
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

// Syslog runs `journalctl -o short --no-pager` with the filters and pages
// its lines like Proxmox's dump_journal: n counts from 1, limit 0 means
// 50, the total is every line seen, an empty result is one "no content"
// line.
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
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: time.Minute})
	if err != nil {
		return nil, 0, fmt.Errorf("read system log: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	lines, count := []LogLine{}, 0
	sc := bufio.NewScanner(bytes.NewReader(res.Stdout))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		count++
		if count <= q.Start || len(lines) >= limit {
			continue
		}
		lines = append(lines, LogLine{N: count, T: sc.Text()})
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

// Journal reads the journal through `journalctl -o json` and answers like
// mini-journalreader: the first entry's cursor, one short-format line per
// entry ("-- Reboot --" between boots), the last entry's cursor.
func (s *Service) Journal(ctx context.Context, q JournalQuery) ([]string, error) {
	argv := []string{"journalctl", "--no-pager", "-o", "json"}
	if q.LastEntries > 0 {
		argv = append(argv, "-n", strconv.Itoa(q.LastEntries))
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
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: time.Minute})
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return formatJournal(res.Stdout, q.EndCursor, s.location(s.localZone(ctx))), nil
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

// formatJournal renders journal JSON lines, stopping before endCursor.
func formatJournal(b []byte, endCursor string, loc *time.Location) []string {
	var out []string
	first, last, boot := "", "", ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if endCursor != "" && e.Cursor == endCursor {
			break
		}
		if first == "" {
			first = e.Cursor
		} else if e.Boot != boot {
			out = append(out, "-- Reboot --")
		}
		boot, last = e.Boot, e.Cursor
		out = append(out, shortLine(e, loc))
	}
	if first == "" {
		return []string{}
	}
	return append(append([]string{first}, out...), last)
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
