// Package smartdconf reads and writes smartd's configuration file,
// /etc/smartd.conf, keeping every line it does not change: comments,
// blank lines, continuation lines and entries for other devices come back
// byte for byte. An entry is a device name (a /dev path, DEVICESCAN or
// DEFAULT) followed by directives; '#' starts a comment and a line ending
// in '\' continues on the next. smartd ignores entries after DEVICESCAN, so
// per-disk overrides are placed before it.
package smartdconf

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"hostadm/internal/hostcfg/linefile"
)

// DeviceScan is the entry name that makes smartd scan for devices.
const DeviceScan = "DEVICESCAN"

// debianDefault is the DEVICESCAN line Debian's smartmontools ships.
const debianDefault = "-d removable -n standby -m root -M exec /usr/share/smartmontools/smartd-runner"

// File is a parsed smartd.conf.
type File struct {
	linefile.File
}

// Entry is one logical entry of the file.
type Entry struct {
	Device string   `json:"device"`
	Args   []string `json:"-"`
	// First and Last are the entry's physical line indexes (0-based).
	First, Last int `json:"-"`
}

// Parse reads a smartd.conf.
func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, "smartd.conf") }

// Write writes the file.
func (f *File) Write(w io.Writer) error { return f.File.Write(w, "smartd.conf") }

// Entries returns the logical entries in file order.
func (f *File) Entries() []Entry {
	var out []Entry
	var cur []string
	first := -1
	for i, l := range f.Lines {
		text, _, _ := strings.Cut(l, "#")
		cont := strings.HasSuffix(strings.TrimRight(text, " \t"), `\`)
		if cont {
			text = strings.TrimSuffix(strings.TrimRight(text, " \t"), `\`)
		}
		fields := strings.Fields(text)
		if first < 0 && len(fields) == 0 && !cont {
			continue
		}
		if first < 0 {
			first = i
		}
		cur = append(cur, fields...)
		if cont && i < len(f.Lines)-1 {
			continue
		}
		if len(cur) > 0 {
			out = append(out, Entry{Device: cur[0], Args: cur[1:], First: first, Last: i})
		}
		cur, first = nil, -1
	}
	return out
}

// Find returns the entry for a device, or nil.
func (f *File) Find(device string) *Entry {
	for _, e := range f.Entries() {
		if e.Device == device {
			return &e
		}
	}
	return nil
}

// Flag returns the argument of the first occurrence of a directive that
// takes one ("-s", "-m"), and whether it is there.
func (e *Entry) Flag(flag string) (string, bool) {
	for i, a := range e.Args {
		if a == flag && i+1 < len(e.Args) {
			return e.Args[i+1], true
		}
	}
	return "", false
}

// Change says which directives an edit sets or removes: a nil value
// leaves the directive alone, "" removes it.
type Change struct {
	Schedule *string // -s REGEX: self-test schedule
	Mail     *string // -m ADDRESSES: warning mail
}

// Set applies a change to the device's entry; a device without an entry
// gets one, placed before DEVICESCAN, starting from DEVICESCAN's
// directives (Debian's defaults when the file has no DEVICESCAN line).
func (f *File) Set(device string, c Change) error {
	if err := CheckDevice(device); err != nil {
		return err
	}
	if err := c.Check(); err != nil {
		return err
	}
	e := f.Find(device)
	if e == nil {
		return f.add(device, c)
	}
	args := apply(slices.Clone(e.Args), c)
	line := strings.Join(append([]string{device}, args...), " ")
	f.Lines = slices.Replace(f.Lines, e.First, e.Last+1, line)
	return nil
}

func (f *File) add(device string, c Change) error {
	scan := f.Find(DeviceScan)
	base := strings.Fields(debianDefault)
	if scan != nil {
		base = slices.Clone(scan.Args)
	}
	if device != DeviceScan {
		base = dropFlag(base, "-d") // "removable" and scan types describe the scan, not a disk
		if !slices.Contains(base, "-a") {
			base = append([]string{"-a"}, base...) // a disk of its own is monitored fully
		}
	}
	line := strings.Join(append([]string{device}, apply(base, c)...), " ")
	if scan != nil {
		f.Lines = slices.Insert(f.Lines, scan.First, line)
		return nil
	}
	if n := len(f.Lines); n > 0 && continues(f.Lines[n-1]) {
		f.Lines = append(f.Lines, "") // end the dangling continuation first
	}
	f.Lines = append(f.Lines, line)
	return nil
}

// continues tells whether a line ends in a continuation backslash.
func continues(l string) bool {
	text, _, _ := strings.Cut(l, "#")
	return strings.HasSuffix(strings.TrimRight(text, " \t"), `\`)
}

// Remove deletes a device's entry; it tells whether there was one.
func (f *File) Remove(device string) bool {
	e := f.Find(device)
	if e == nil {
		return false
	}
	f.Lines = slices.Delete(f.Lines, e.First, e.Last+1)
	return true
}

func apply(args []string, c Change) []string {
	for _, d := range []struct {
		flag string
		v    *string
	}{{"-s", c.Schedule}, {"-m", c.Mail}} {
		if d.v == nil {
			continue
		}
		had := slices.Index(args, d.flag)
		args = dropFlag(args, d.flag)
		if *d.v == "" {
			continue
		}
		if had < 0 || had > len(args) {
			had = len(args)
		}
		args = slices.Insert(args, had, d.flag, *d.v)
	}
	return args
}

// dropFlag removes every "flag ARG" pair.
func dropFlag(args []string, flag string) []string {
	out := args[:0:0]
	for i := 0; i < len(args); i++ {
		if args[i] == flag {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

var (
	devicePat   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/dev/[A-Za-z0-9][A-Za-z0-9/_.:+-]*$`) })
	schedulePat = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9/.|()^$\[\]+*?:-]+$`) })
	mailPat     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._%+-]+(@[A-Za-z0-9.-]+)?$`) })
	testTypePat = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[SLCOncr]/`) })
)

// CheckDevice accepts DEVICESCAN or a /dev path.
func CheckDevice(device string) error {
	if device == DeviceScan || devicePat().MatchString(device) && !strings.Contains(device, "..") {
		return nil
	}
	return fmt.Errorf("invalid device '%s': DEVICESCAN or a /dev path", device)
}

// Check validates the values of a change.
func (c Change) Check() error {
	if c.Schedule != nil && *c.Schedule != "" {
		if err := CheckSchedule(*c.Schedule); err != nil {
			return err
		}
	}
	if c.Mail != nil && *c.Mail != "" {
		if err := CheckMail(*c.Mail); err != nil {
			return err
		}
	}
	return nil
}

// CheckSchedule validates a -s value: a regular expression over
// "T/MM/DD/d/HH" (T the test type S, L, C, O, n, c or r), such as
// "(S/../.././02|L/../../6/03)".
func CheckSchedule(s string) error {
	if !schedulePat().MatchString(s) || !testTypePat().MatchString(s) {
		return fmt.Errorf("invalid schedule '%s': a regular expression over T/MM/DD/d/HH such as (S/../.././02|L/../../6/03)", s)
	}
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("invalid schedule '%s': %w", s, err)
	}
	return nil
}

// CheckMail validates a -m value: comma-separated local users or
// addresses, or <nomailer>.
func CheckMail(s string) error {
	if s == "<nomailer>" {
		return nil
	}
	for _, a := range strings.Split(s, ",") {
		if !mailPat().MatchString(a) {
			return fmt.Errorf("invalid mail target '%s': comma-separated users or addresses, or <nomailer>", s)
		}
	}
	return nil
}
