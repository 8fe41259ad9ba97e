// Package hostsfile is the codec of /etc/hosts as Proxmox VE's hosts API
// handles it: the file is kept as text, byte for byte, and validated line
// by line (first word an IP address, the others host names).
package hostsfile

import (
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"
	"sync"
)

// File is an /etc/hosts file.
type File struct {
	Text    string
	Entries []Entry // the non-comment, non-blank lines
}

// Entry is one address line.
type Entry struct {
	Line  int // 1-based
	IP    string
	Names []string
}

// LineError is a validation failure with Proxmox's message, reported on
// the API's `data` parameter.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return e.Msg }

var (
	reComment = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*#`) })
	reBlank   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*$`) })
	reName    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[.\-a-zA-Z0-9]+$`) })
	reSpace   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+`) })
)

// Parse reads a hosts file; it never fails on content (Validate judges it).
func Parse(r io.Reader) (*File, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read hosts: %w", err)
	}
	f := &File{Text: string(b)}
	for i, line := range strings.Split(f.Text, "\n") {
		if reComment().MatchString(line) || reBlank().MatchString(line) {
			continue
		}
		words := reSpace().Split(line, -1)
		f.Entries = append(f.Entries, Entry{Line: i + 1, IP: words[0], Names: words[1:]})
	}
	return f, nil
}

// Write writes the text unchanged.
func (f *File) Write(w io.Writer) error {
	_, err := io.WriteString(w, f.Text)
	return err
}

// Validate applies Proxmox's write_etc_hosts checks: the first word of an
// address line must be an IPv4 or IPv6 address ("Invalid IP 'x'"), every
// further word match ^[.\-a-zA-Z0-9]+$ ("Invalid Hostname 'x'"). As in
// Proxmox, a line starting with white space has an empty first word and a
// trailing comment is a bad host name. A NUL byte is refused as well.
func (f *File) Validate() error {
	if i := strings.IndexByte(f.Text, 0); i >= 0 {
		return &LineError{Line: strings.Count(f.Text[:i], "\n") + 1, Msg: "Invalid NUL byte"}
	}
	for _, e := range f.Entries {
		if !isIP(e.IP) {
			return &LineError{Line: e.Line, Msg: fmt.Sprintf("Invalid IP '%s'", e.IP)}
		}
		for _, n := range e.Names {
			if n == "" {
				continue // split leaves an empty last word after trailing blanks
			}
			if !reName().MatchString(n) {
				return &LineError{Line: e.Line, Msg: fmt.Sprintf("Invalid Hostname '%s'", n)}
			}
		}
	}
	return nil
}

func isIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}
