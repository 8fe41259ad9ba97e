// Package sysctlconf is the codec of sysctl.d snippets ("key = value"
// lines, comments starting with # or ;): lines are kept as they are and
// only the keys set or deleted change.
package sysctlconf

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/hostcfg/linefile"
)

// File is a sysctl.d snippet, kept line by line.
type File struct {
	linefile.File
}

// what names the file in errors.
const what = "sysctl snippet"

var (
	reKey   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]+([./][a-zA-Z0-9_\-@:+]+)+$`) })
	reValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[ -~]*$`) })
)

// Parse reads a snippet.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, what) }

// Write writes the lines back.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, what) }

// Validate refuses line breaks and NULs inside lines.
func (f *File) Validate() error { return f.File.Validate(what) }

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
	f.Lines, f.NoEOL = linefile.Replace(f.Lines, assigns(key), key+" = "+value), false
	return nil
}

// Delete removes every assignment of a key.
func (f *File) Delete(key string) {
	f.Lines = linefile.Replace(f.Lines, assigns(Normalize(key)))
}

// assigns matches the assignment lines of a normalized key.
func assigns(key string) func(line string) bool {
	return func(line string) bool {
		k, _, ok := entry(line)
		return ok && k == key
	}
}

// CheckKV validates a key and value before they are written.
func CheckKV(key, value string) error {
	if !reKey().MatchString(key) {
		return fmt.Errorf("invalid sysctl key '%s'", key)
	}
	if !reValue().MatchString(value) || strings.TrimSpace(value) != value || value == "" {
		return fmt.Errorf("invalid sysctl value '%s'", value)
	}
	return nil
}
