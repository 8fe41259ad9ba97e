// Package linkfile is the codec for systemd .link files, the files that
// name network interfaces (systemd.link(5)) and that Proxmox VE 9's
// pve-network-interface-pinning writes as
// /usr/local/lib/systemd/network/50-pve-<name>.link:
//
//	[Match]
//	MACAddress=aa:bb:cc:dd:ee:ff
//	Type=ether
//
//	[Link]
//	Name=nic0
//
// Parse keeps every line (comments, blank lines, sections and keys it does
// not know) so Write gives back what it read; Pin builds the file Proxmox
// writes for one NIC. No I/O of its own.
package linkfile

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
)

// File is a parsed .link file: its lines in order.
type File struct {
	Lines []Line
}

// Line is one line of the file. A section header has Section set; a
// setting has Key and Value (and the section it is in); anything else
// (comments, blank lines) is kept in Raw.
type Line struct {
	Section    string // "[Match]" → "Match" on a header line
	In         string // the section a setting belongs to
	Key, Value string
	Raw        string
}

var (
	reSection = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\[([A-Za-z]+)\]$`) })
	reSetting = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$`) })
	// reName is the part of the kernel's interface names (at most 15
	// bytes, no '/', ':' or blanks) that tools handle without quoting.
	reName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$`) })
)

// Parse reads a .link file. A setting before any section, or a line that
// is neither a section, a setting, a comment nor blank, is an error.
func Parse(r io.Reader) (*File, error) {
	f := &File{}
	sc := bufio.NewScanner(r)
	section, n := "", 0
	for sc.Scan() {
		n++
		text := strings.TrimRight(sc.Text(), "\r") // CRLF files read as LF
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			f.Lines = append(f.Lines, Line{Raw: text})
		case reSection().MatchString(trimmed):
			section = reSection().FindStringSubmatch(trimmed)[1]
			f.Lines = append(f.Lines, Line{Section: section})
		case reSetting().MatchString(trimmed):
			if section == "" {
				return nil, fmt.Errorf("line %d: setting before any section: %s", n, trimmed)
			}
			m := reSetting().FindStringSubmatch(trimmed)
			f.Lines = append(f.Lines, Line{In: section, Key: m[1], Value: strings.TrimSpace(m[2])})
		default:
			return nil, fmt.Errorf("line %d: unrecognized line: %s", n, trimmed)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read link file: %w", err)
	}
	return f, nil
}

// Write renders the file: settings as Key=Value, the rest as read.
func (f *File) Write(w io.Writer) error {
	var b strings.Builder
	for _, l := range f.Lines {
		switch {
		case l.Section != "":
			b.WriteString("[" + l.Section + "]\n")
		case l.Key != "":
			b.WriteString(l.Key + "=" + l.Value + "\n")
		default:
			b.WriteString(l.Raw + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Get returns a setting's last value in a section ("" when unset), as
// systemd lets a later assignment win.
func (f *File) Get(section, key string) string {
	v := ""
	for _, l := range f.Lines {
		if l.In == section && l.Key == key {
			v = l.Value
		}
	}
	return v
}

// MAC is the MAC address the file matches on, normalised ("" = none).
func (f *File) MAC() string {
	mac, err := net.ParseMAC(f.Get("Match", "MACAddress"))
	if err != nil {
		return ""
	}
	return mac.String()
}

// Name is the name the file gives the link.
func (f *File) Name() string { return f.Get("Link", "Name") }

// Validate checks what a pinning file needs: one MAC address to match on
// and a valid interface name to give.
func (f *File) Validate() error {
	if m := f.Get("Match", "MACAddress"); m == "" {
		return fmt.Errorf("no [Match] MACAddress")
	} else if mac, err := net.ParseMAC(m); err != nil || len(mac) != 6 {
		return fmt.Errorf("[Match] MACAddress %q is not a MAC address", m)
	}
	if !ValidName(f.Name()) {
		return fmt.Errorf("[Link] Name %q is not a valid interface name", f.Name())
	}
	return nil
}

// ValidName tells whether name can be a pinned interface name.
func ValidName(name string) bool { return reName().MatchString(name) }

// Pin is the file Proxmox writes to pin the NIC with this MAC address to
// name (the MAC lower-case, as the kernel shows it).
func Pin(mac, name string) *File {
	return &File{Lines: []Line{
		{Section: "Match"},
		{In: "Match", Key: "MACAddress", Value: strings.ToLower(mac)},
		{In: "Match", Key: "Type", Value: "ether"},
		{Raw: ""},
		{Section: "Link"},
		{In: "Link", Key: "Name", Value: name},
	}}
}

// FileName is the name Proxmox gives the pinning file for name.
func FileName(name string) string { return "50-pve-" + name + ".link" }

// IsPinFile tells whether a file name is one of Proxmox's pinning files.
func IsPinFile(base string) bool {
	return strings.HasPrefix(base, "50-pve-") && strings.HasSuffix(base, ".link") && len(base) > len("50-pve-.link")
}
