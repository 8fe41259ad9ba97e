// Package zedrc reads and writes the ZFS event daemon's settings file,
// /etc/zfs/zed.d/zed.rc: a shell fragment of KEY="value" assignments,
// most shipped commented out. Setting a key changes its active line in
// place, or uncomments its commented-out line, or appends it; removing a
// key comments its line out. Every other line is kept byte for byte.
package zedrc

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/hostcfg/linefile"
)

// File is a parsed zed.rc.
type File struct {
	linefile.File
}

// Parse reads a zed.rc.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, "zed.rc") }

// Write writes the file.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, "zed.rc") }

var (
	keyPat    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ZED_[A-Z0-9_]+$`) })
	assignPat = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(#?)\s*(ZED_[A-Z0-9_]+)=(.*)$`) })
)

// assignment parses a line as an (optionally commented-out) assignment.
func assignment(line string) (key, value string, commented, ok bool) {
	m := assignPat().FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", "", false, false
	}
	return m[2], unquote(m[3]), m[1] == "#", true
}

func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// Get returns the active value of a key.
func (f *File) Get(key string) (string, bool) {
	val, found := "", false
	for _, l := range f.Lines {
		if k, v, c, ok := assignment(l); ok && !c && k == key {
			val, found = v, true // the shell keeps the last assignment
		}
	}
	return val, found
}

// Values returns every active assignment.
func (f *File) Values() map[string]string {
	out := map[string]string{}
	for _, l := range f.Lines {
		if k, v, c, ok := assignment(l); ok && !c {
			out[k] = v
		}
	}
	return out
}

// Set assigns a key. The value is written in double quotes and may not
// contain what a shell would expand or end the quotes with.
func (f *File) Set(key, value string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := CheckValue(value); err != nil {
		return err
	}
	line := fmt.Sprintf(`%s="%s"`, key, value)
	active, commented := -1, -1
	for i, l := range f.Lines {
		k, _, c, ok := assignment(l)
		if !ok || k != key {
			continue
		}
		if !c {
			if active >= 0 {
				f.Lines[active] = "#" + f.Lines[active] // one active assignment
			}
			active = i
		} else if commented < 0 {
			commented = i
		}
	}
	switch {
	case active >= 0:
		f.Lines[active] = line
	case commented >= 0:
		f.Lines[commented] = line
	default:
		f.Lines = append(f.Lines, line)
	}
	return nil
}

// Unset comments out every active assignment of a key.
func (f *File) Unset(key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	for i, l := range f.Lines {
		if k, _, c, ok := assignment(l); ok && !c && k == key {
			f.Lines[i] = "#" + l
		}
	}
	return nil
}

// CheckKey accepts ZED_ names.
func CheckKey(key string) error {
	if !keyPat().MatchString(key) {
		return fmt.Errorf("invalid zed.rc key '%s'", key)
	}
	return nil
}

// CheckValue refuses what the shell sourcing zed.rc would interpret.
func CheckValue(v string) error {
	if strings.ContainsAny(v, "\"\\$`\n\r\x00") {
		return fmt.Errorf("invalid value '%s': no quotes, backslashes, '$', backticks or line breaks", v)
	}
	return nil
}
