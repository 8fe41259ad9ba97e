// Package chronyconf is the codec of chrony's configuration files
// (/etc/chrony/chrony.conf and *.sources files): the file is kept line by
// line, and only the time source lines (server, pool, peer) are read and
// replaced; every other line, comment and directive stays as it was.
package chronyconf

import (
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"hostadm/internal/hostcfg/linefile"
)

// File is a chrony configuration file, kept line by line.
type File struct {
	linefile.File
}

// Source is one time source line.
type Source struct {
	Type    string   `json:"type"`    // server, pool or peer
	Address string   `json:"address"` // host name or IP address
	Options []string `json:"options,omitempty"`
}

// what names the file in errors.
const what = "chrony config"

// Parse reads a file.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, what) }

// Write writes the lines back.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, what) }

// Validate checks that no line holds a line break or NUL.
func (f *File) Validate() error { return f.File.Validate(what) }

// fields splits a directive line; comments (#, %, !, ;) and blank lines
// give nothing.
func fields(line string) []string {
	t := strings.TrimSpace(line)
	if t == "" || strings.ContainsRune("#%!;", rune(t[0])) {
		return nil
	}
	return strings.Fields(t)
}

func isSourceType(s string) bool { return s == "server" || s == "pool" || s == "peer" }

// isSourceLine tells whether a line is a time source directive.
func isSourceLine(line string) bool {
	w := fields(line)
	return len(w) >= 2 && isSourceType(w[0])
}

// Sources lists the time source lines in file order.
func (f *File) Sources() []Source {
	var out []Source
	for _, l := range f.Lines {
		w := fields(l)
		if len(w) >= 2 && isSourceType(w[0]) {
			out = append(out, Source{Type: w[0], Address: w[1], Options: w[2:]})
		}
	}
	return out
}

// Includes tells whether a "sourcedir DIR" directive names dir.
func (f *File) Includes(dir string) bool {
	for _, l := range f.Lines {
		w := fields(l)
		if len(w) == 2 && w[0] == "sourcedir" && strings.TrimSuffix(w[1], "/") == strings.TrimSuffix(dir, "/") {
			return true
		}
	}
	return false
}

// SetSources replaces the time source lines: the new lines go where the
// first source line was (at the end when there was none), the other
// source lines are removed, everything else is kept.
func (f *File) SetSources(src []Source) {
	var lines []string
	for _, s := range src {
		lines = append(lines, s.Line())
	}
	f.Lines = linefile.Replace(f.Lines, isSourceLine, lines...)
	f.NoEOL = false
}

// Line renders a source as a directive line.
func (s Source) Line() string {
	return strings.Join(append([]string{s.Type, s.Address}, s.Options...), " ")
}

var reHost = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?\.?$`)
})

var (
	flagOptions  = map[string]bool{"iburst": true, "burst": true, "prefer": true, "noselect": true, "trust": true, "require": true, "nts": true, "xleave": true, "offline": true, "auto_offline": true}
	valueOptions = map[string]bool{"minpoll": true, "maxpoll": true, "port": true, "maxsources": true, "key": true, "polltarget": true}
)

// Check validates a source before it is written: a known type, an address
// that is a host name or an IP address, and options from a fixed set.
func (s Source) Check() error {
	if !isSourceType(s.Type) {
		return fmt.Errorf("invalid source type '%s'", s.Type)
	}
	if a, err := netip.ParseAddr(s.Address); (err != nil || a.Zone() != "") && !reHost().MatchString(s.Address) {
		return fmt.Errorf("value '%s' does not look like a valid host name or IP address", s.Address)
	}
	for i := 0; i < len(s.Options); i++ {
		o := s.Options[i]
		switch {
		case flagOptions[o]:
		case valueOptions[o] && i+1 < len(s.Options):
			if _, err := strconv.Atoi(s.Options[i+1]); err != nil {
				return fmt.Errorf("option '%s' needs a number, got '%s'", o, s.Options[i+1])
			}
			i++
		default:
			return fmt.Errorf("unsupported source option '%s'", o)
		}
	}
	return nil
}
