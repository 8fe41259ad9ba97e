package btrfs

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Fstab is /etc/fstab as lines: entries are understood, everything else
// (comments, blank lines, odd lines) is kept as it was, so an untouched
// file writes back byte for byte.
type Fstab struct {
	Lines []FstabLine
}

// FstabLine is one line; Entry is nil for comments and blank lines.
type FstabLine struct {
	Raw   string
	Entry *FstabEntry
}

// FstabEntry is a mount line: spec, mount point, type, options, dump and
// pass fields.
type FstabEntry struct {
	Spec, File, VFSType, Options string
	Freq, Pass                   string
}

// String renders an entry the way the Proxmox VE documentation shows
// fstab lines: fields separated by one space.
func (e *FstabEntry) String() string {
	return strings.Join([]string{e.Spec, e.File, e.VFSType, e.Options, e.Freq, e.Pass}, " ")
}

// ParseFstab reads an fstab file.
func ParseFstab(r io.Reader) (*Fstab, error) {
	f := &Fstab{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		fl := FstabLine{Raw: line}
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			if fs := strings.Fields(t); len(fs) >= 2 {
				e := &FstabEntry{Spec: fs[0], File: fs[1], VFSType: "auto", Options: "defaults", Freq: "0", Pass: "0"}
				for i, p := range []*string{&e.VFSType, &e.Options, &e.Freq, &e.Pass} {
					if len(fs) > i+2 {
						*p = fs[i+2]
					}
				}
				fl.Entry = e
			}
		}
		f.Lines = append(f.Lines, fl)
	}
	return f, sc.Err()
}

// Write writes the file: kept lines as read, changed ones rendered.
func (f *Fstab) Write(w io.Writer) error {
	var b bytes.Buffer
	for _, l := range f.Lines {
		b.WriteString(l.Raw + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Find returns the entry mounted on file, or nil.
func (f *Fstab) Find(file string) *FstabEntry {
	for _, l := range f.Lines {
		if l.Entry != nil && l.Entry.File == file {
			return l.Entry
		}
	}
	return nil
}

// Set adds e, or replaces the line of the entry with the same mount point.
func (f *Fstab) Set(e FstabEntry) {
	for i, l := range f.Lines {
		if l.Entry != nil && l.Entry.File == e.File {
			f.Lines[i] = FstabLine{Raw: e.String(), Entry: &e}
			return
		}
	}
	f.Lines = append(f.Lines, FstabLine{Raw: e.String(), Entry: &e})
}

// Remove drops the entry mounted on file and tells whether there was one.
func (f *Fstab) Remove(file string) bool {
	for i, l := range f.Lines {
		if l.Entry != nil && l.Entry.File == file {
			f.Lines = append(f.Lines[:i], f.Lines[i+1:]...)
			return true
		}
	}
	return false
}

// Option returns the value of a mount option ("compress" in
// "defaults,compress=zstd") and whether it is set.
func (e *FstabEntry) Option(name string) (string, bool) {
	for _, o := range strings.Split(e.Options, ",") {
		k, v, _ := strings.Cut(o, "=")
		if k == name {
			return v, true
		}
	}
	return "", false
}

// SetOption sets (value != "") or removes a mount option, keeping the
// others in order; an empty list becomes "defaults".
func (e *FstabEntry) SetOption(name, value string) {
	var out []string
	for _, o := range strings.Split(e.Options, ",") {
		if k, _, _ := strings.Cut(o, "="); k != name && o != "" {
			out = append(out, o)
		}
	}
	if value != "" {
		out = append(out, name+"="+value)
	}
	if len(out) == 0 {
		out = []string{"defaults"}
	}
	e.Options = strings.Join(out, ",")
}
