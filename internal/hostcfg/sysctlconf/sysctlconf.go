// Package sysctlconf is the codec of sysctl.d snippets ("key = value"
// lines, comments starting with # or ;): lines are kept as they are and
// only the keys set or deleted change.
package sysctlconf

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// File is a sysctl.d snippet.
type File struct {
	Lines []string
	NoEOL bool
}

var (
	reKey   = regexp.MustCompile(`^[a-z0-9_]+([./][a-zA-Z0-9_\-@:+]+)+$`)
	reValue = regexp.MustCompile(`^[ -~]*$`)
)

// Parse reads a snippet.
func Parse(r io.Reader) (*File, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read sysctl snippet: %w", err)
	}
	f := &File{}
	if s := string(b); s != "" {
		f.NoEOL = !strings.HasSuffix(s, "\n")
		f.Lines = strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	}
	return f, nil
}

// Write writes the lines back.
func (f *File) Write(w io.Writer) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s := strings.Join(f.Lines, "\n")
	if len(f.Lines) > 0 && !f.NoEOL {
		s += "\n"
	}
	_, err := io.WriteString(w, s)
	return err
}

// Validate refuses line breaks and NULs inside lines.
func (f *File) Validate() error {
	for i, l := range f.Lines {
		if strings.ContainsAny(l, "\n\x00") {
			return fmt.Errorf("sysctl snippet line %d: line break or NUL inside a line", i+1)
		}
	}
	return nil
}

// Normalize writes a key with dots ("net/ipv4/ip_forward" and
// "net.ipv4.ip_forward" are the same setting).
func Normalize(key string) string { return strings.ReplaceAll(key, "/", ".") }

// entry splits an assignment line into its key (normalized, without the
// "-" that tells sysctl to ignore failures) and value.
func entry(line string) (string, string, bool) {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == ';' {
		return "", "", false
	}
	k, v, ok := strings.Cut(t, "=")
	if !ok {
		return "", "", false
	}
	k = strings.TrimPrefix(strings.TrimSpace(k), "-")
	return Normalize(k), strings.TrimSpace(v), true
}

// Get returns a key's value; the last assignment wins, as for sysctl.
func (f *File) Get(key string) (string, bool) {
	key = Normalize(key)
	val, found := "", false
	for _, l := range f.Lines {
		if k, v, ok := entry(l); ok && k == key {
			val, found = v, true
		}
	}
	return val, found
}

// Set assigns a key: the first line for it is replaced, later ones
// removed; a new key is appended.
func (f *File) Set(key, value string) error {
	if err := CheckKV(key, value); err != nil {
		return err
	}
	key = Normalize(key)
	line := key + " = " + value
	var lines []string
	done := false
	for _, l := range f.Lines {
		if k, _, ok := entry(l); ok && k == key {
			if !done {
				lines = append(lines, line)
				done = true
			}
			continue
		}
		lines = append(lines, l)
	}
	if !done {
		lines = append(lines, line)
	}
	f.Lines, f.NoEOL = lines, false
	return nil
}

// Delete removes every assignment of a key.
func (f *File) Delete(key string) {
	key = Normalize(key)
	var lines []string
	for _, l := range f.Lines {
		if k, _, ok := entry(l); ok && k == key {
			continue
		}
		lines = append(lines, l)
	}
	f.Lines = lines
}

// CheckKV validates a key and value before they are written.
func CheckKV(key, value string) error {
	if !reKey.MatchString(key) {
		return fmt.Errorf("invalid sysctl key '%s'", key)
	}
	if !reValue.MatchString(value) || strings.TrimSpace(value) != value || value == "" {
		return fmt.Errorf("invalid sysctl value '%s'", value)
	}
	return nil
}
