// Package resolvconf is the codec of /etc/resolv.conf as Proxmox VE's DNS
// API reads and writes it: the last search/domain line gives the search
// domain, the first three nameserver lines dns1..dns3, and a write puts a
// new search line and nameserver lines first and keeps every other line.
package resolvconf

import (
	"io"
	"net/netip"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/hostcfg/linefile"
)

// File is a resolv.conf, kept line by line.
type File struct {
	linefile.File
}

// what names the file in errors.
const what = "resolv.conf"

var (
	reSearch = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(search|domain)\s+(\S+)`) })
	reNS     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*nameserver\s+(\S+)`) })
	reOwned  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(search|domain|nameserver)\s+`) })
)

// Parse reads a resolv.conf.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, what) }

// Write writes the lines back.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, what) }

// Validate refuses lines that would not read back as lines.
func (f *File) Validate() error { return f.File.Validate(what) }

// Search is the first word of the last search or domain line.
func (f *File) Search() string {
	s := ""
	for _, l := range f.Lines {
		if m := reSearch().FindStringSubmatch(l); m != nil {
			s = m[2]
		}
	}
	return s
}

// Nameservers are the addresses of the first three nameserver lines.
func (f *File) Nameservers() []string {
	var out []string
	for _, l := range f.Lines {
		m := reNS().FindStringSubmatch(l)
		if m == nil {
			continue
		}
		addr, _, _ := strings.Cut(m[1], "%")
		if _, err := netip.ParseAddr(addr); err != nil {
			continue
		}
		out = append(out, addr)
		if len(out) == 3 {
			break
		}
	}
	return out
}

// Set replaces the search domain and the name servers like Proxmox's
// update_etc_resolv_conf: "search X" (when X is not empty), one line per
// name server (empty, 0.0.0.0 and repeated ones skipped), then every
// original line that is not a search, domain or nameserver line.
func (f *File) Set(search string, servers []string) {
	var lines []string
	if search != "" {
		lines = append(lines, "search "+search)
	}
	done := map[string]bool{}
	for _, ns := range servers {
		if ns == "" || ns == "0.0.0.0" || done[ns] {
			continue
		}
		done[ns] = true
		lines = append(lines, "nameserver "+ns)
	}
	for _, l := range f.Lines {
		if !reOwned().MatchString(l) {
			lines = append(lines, l)
		}
	}
	f.Lines = lines
	f.NoEOL = false
}
