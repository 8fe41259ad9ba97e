// Package timesyncdconf is the codec of /etc/systemd/timesyncd.conf: the
// file is kept line by line and only the NTP= setting of the [Time]
// section is read and replaced.
package timesyncdconf

import (
	"io"
	"strings"

	"hostadm/internal/hostcfg/linefile"
)

// File is a timesyncd.conf, kept line by line.
type File struct {
	linefile.File
}

// what names the file in errors.
const what = "timesyncd.conf"

// Parse reads a file.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, what) }

// Write writes the lines back.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, what) }

// Validate refuses line breaks and NULs inside lines.
func (f *File) Validate() error { return f.File.Validate(what) }

// section returns the section header name of a line, if it is one.
func section(line string) (string, bool) {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		return t[1 : len(t)-1], true
	}
	return "", false
}

// ntpValue returns the value of an active "NTP=" line.
func ntpValue(line string) (string, bool) {
	k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
	if !ok || strings.TrimSpace(k) != "NTP" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// NTP returns the servers of the last NTP= line in [Time] (systemd's rule:
// the last assignment wins, an empty one resets the list).
func (f *File) NTP() []string {
	var out []string
	sec := ""
	for _, l := range f.Lines {
		if s, ok := section(l); ok {
			sec = s
			continue
		}
		if v, ok := ntpValue(l); ok && sec == "Time" {
			out = strings.Fields(v)
		}
	}
	return out
}

// SetNTP writes "NTP=a b c": it replaces the first active NTP= line of
// [Time] and drops the others; without one it goes after a commented
// "#NTP=" line, else right after the [Time] header; without a [Time]
// section one is appended.
func (f *File) SetNTP(servers []string) {
	line := "NTP=" + strings.Join(servers, " ")
	var lines []string
	sec, done, header, comment := "", false, -1, -1
	for _, l := range f.Lines {
		if s, ok := section(l); ok {
			sec = s
			lines = append(lines, l)
			if s == "Time" && header < 0 {
				header = len(lines) - 1
			}
			continue
		}
		if _, ok := ntpValue(l); ok && sec == "Time" {
			if !done {
				lines = append(lines, line)
				done = true
			}
			continue
		}
		if sec == "Time" && comment < 0 && strings.HasPrefix(strings.TrimSpace(l), "#NTP=") {
			comment = len(lines)
		}
		lines = append(lines, l)
	}
	switch {
	case done:
	case comment >= 0:
		lines = insert(lines, comment+1, line)
	case header >= 0:
		lines = insert(lines, header+1, line)
	default:
		lines = append(lines, "[Time]", line)
	}
	f.Lines = lines
	f.NoEOL = false
}

func insert(lines []string, at int, l string) []string {
	lines = append(lines, "")
	copy(lines[at+1:], lines[at:])
	lines[at] = l
	return lines
}
