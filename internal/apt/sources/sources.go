// Package sources reads and writes APT source files the way Proxmox VE does:
// the one-line format of sources.list and *.list files, and the deb822
// stanzas of *.sources files. It is a pure codec with no access to the host.
//
// Parsing follows proxmox-apt's rules (comments attach to the entry after
// them, commented-out entries are disabled repositories), and writing emits
// Proxmox's normalised layout, so a file hostadm writes is the file Proxmox
// would write. Two deliberate differences keep user data that Proxmox loses:
// comment lines after the last entry are kept, and a multi-line Signed-By
// value (an embedded key) is written back folded instead of joined.
package sources

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// FileType is the format of a source file.
type FileType string

// The two source file formats.
const (
	List    FileType = "list"    // one-line format
	Sources FileType = "sources" // deb822 format
)

// Option is an additional repository option, like Signed-By or arch.
type Option struct {
	Key    string
	Values []string
	// folded keeps the continuation lines of a multi-line Signed-By value
	// (an embedded public key) exactly, so writing does not break the key.
	folded []string
}

// Repository is one entry of a source file.
type Repository struct {
	Types      []string // "deb" and/or "deb-src"
	URIs       []string
	Suites     []string
	Components []string
	Options    []Option
	// Comment holds the comment lines before the entry, without their
	// leading '#', each ending in a newline.
	Comment  string
	FileType FileType
	Enabled  bool
}

// File is a parsed source file.
type File struct {
	Type  FileType
	Repos []*Repository
	// Trailing holds comment lines after the last entry (same form as
	// Repository.Comment). Proxmox drops them; hostadm keeps them.
	Trailing string
}

// Parse reads a source file of the given type.
func Parse(r io.Reader, t FileType) (*File, error) {
	switch t {
	case List:
		return ParseList(r)
	case Sources:
		return ParseSources(r)
	}
	return nil, fmt.Errorf("invalid file type '%s'", t)
}

// Validate runs Proxmox's basic checks on every repository, as done after
// parsing and before writing.
func (f *File) Validate() error {
	for i, r := range f.Repos {
		if err := r.Check(); err != nil {
			return fmt.Errorf("check for repository %d - %w", i+1, err)
		}
	}
	return nil
}

// Write writes the file in Proxmox's layout: each entry with its comment,
// followed by a blank line. It validates first and writes nothing on error.
func (f *File) Write(w io.Writer) error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Bytes is Write into a byte slice.
func (f *File) Bytes() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, r := range f.Repos {
		writeComment(&b, r.Comment, f.Type)
		if f.Type == Sources {
			writeStanza(&b, r)
		} else {
			writeLine(&b, r)
		}
		b.WriteByte('\n')
	}
	writeComment(&b, f.Trailing, f.Type)
	return b.Bytes(), nil
}

func writeComment(b *bytes.Buffer, c string, t FileType) {
	if c == "" {
		return
	}
	for _, l := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
		if t == List && looksLikeEntry(l) {
			// An inline comment like "deb ..." would come back as a
			// disabled entry; APT ignores comment text, so mark it.
			l = " note:" + l
		}
		b.WriteString("#" + l + "\n")
	}
}

// looksLikeEntry tells whether "#"+line would be read as a disabled entry.
func looksLikeEntry(line string) bool {
	repo, _, err := parseListLine("#" + line)
	return err != nil || repo != nil
}

// Check is Proxmox's basic check of one repository.
func (r *Repository) Check() error {
	switch {
	case len(r.Types) == 0:
		return fmt.Errorf("missing package type(s)")
	case len(r.URIs) == 0:
		return fmt.Errorf("missing URI(s)")
	case len(r.Suites) == 0:
		return fmt.Errorf("missing suite(s)")
	}
	for _, t := range r.Types {
		if t != "deb" && t != "deb-src" {
			return fmt.Errorf("invalid package type '%s'", t)
		}
	}
	for _, u := range r.URIs {
		if !strings.Contains(u, ":") || len(u) < 3 {
			return fmt.Errorf("invalid URI: '%s'", u)
		}
	}
	for _, s := range r.Suites {
		absolute := strings.HasSuffix(s, "/")
		if !absolute && len(r.Components) == 0 {
			return fmt.Errorf("missing component(s)")
		}
		if absolute && len(r.Components) > 0 {
			return fmt.Errorf("absolute suite '%s' does not allow component(s)", s)
		}
	}
	if r.FileType == List {
		switch {
		case len(r.Types) > 1:
			return fmt.Errorf("more than one package type")
		case len(r.URIs) > 1:
			return fmt.Errorf("more than one URI")
		case len(r.Suites) > 1:
			return fmt.Errorf("more than one suite")
		}
	}
	return r.checkText()
}

// checkText refuses values that cannot be written back unchanged: line
// breaks anywhere, and whitespace inside deb822 list values.
func (r *Repository) checkText() error {
	for _, list := range [][]string{r.Types, r.URIs, r.Suites, r.Components} {
		for _, v := range list {
			if v == "" || strings.ContainsAny(v, "\n\r") || (r.FileType == Sources && strings.ContainsAny(v, " \t")) {
				return fmt.Errorf("invalid value '%s'", v)
			}
		}
	}
	for _, o := range r.Options {
		if o.Key == "" || strings.ContainsAny(o.Key, " \t\n\r:=#[]") {
			return fmt.Errorf("invalid option key '%s'", o.Key)
		}
		for _, v := range o.Values {
			if strings.ContainsAny(v, "\n\r") || (r.FileType == List && strings.ContainsAny(v, "[]")) {
				return fmt.Errorf("invalid value '%s' for option '%s'", v, o.Key)
			}
		}
	}
	return nil
}

// SetEnabled enables or disables the repository. For deb822 entries it
// sets the Enabled option too, as Proxmox does.
func (r *Repository) SetEnabled(on bool) {
	r.Enabled = on
	if r.FileType != Sources {
		return
	}
	v := "false"
	if on {
		v = "true"
	}
	for i := range r.Options {
		if r.Options[i].Key == "Enabled" {
			r.Options[i].Values = []string{v}
			r.Options[i].folded = nil
			return
		}
	}
	r.Options = append(r.Options, Option{Key: "Enabled", Values: []string{v}})
}

// Option returns the values of the first option with key (case-insensitive).
func (r *Repository) Option(key string) ([]string, bool) {
	for _, o := range r.Options {
		if strings.EqualFold(o.Key, key) {
			return o.Values, true
		}
	}
	return nil, false
}
