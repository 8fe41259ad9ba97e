// Package vmconf is the codec of Proxmox VE's VM configuration files,
// /etc/pve/qemu-server/VMID.conf (nodes/NODE/qemu-server/VMID.conf in the
// cluster store): the description as percent-encoded comment lines at the
// top, "key: value" lines, then one section per snapshot ("[name]") and the
// special sections "[PENDING]" and "[special:cloudinit]". It is pure and
// keeps every line it does not change, so an untouched file round-trips
// byte for byte, unknown keys and snapshot sections included.
package vmconf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"hostadm/internal/nodecfg/nodeconf"
)

// Line is one line of a section: a comment, a "key: value" pair, or any
// other text (blank lines, lines the parser did not understand) kept raw.
type Line struct {
	Key     string // set for "key: value" lines
	Value   string
	Comment bool   // a "#..." line; Raw holds it whole
	Blank   bool   // an empty (or all white space) line
	Raw     string // the line as read, without its newline; "" for new lines
}

// Section is the main part of the file (Name "") or one "[name]" section.
type Section struct {
	Name   string
	Header string // the "[name]" line as read
	Lines  []Line
}

// Config is a parsed VM configuration.
type Config struct {
	Main     Section
	Sections []Section // snapshots, PENDING, special:cloudinit, in file order
	// Warnings name lines the parser kept but did not understand.
	Warnings []string
}

var (
	reSection = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\[([a-zA-Z0-9_\-:]+)\]\s*$`) })
	reKV      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z][a-z_\-]*\d*):\s*(.*?)\s*$`) })
	reKey     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z_\-]*\d*$`) })
)

// Parse reads a VM configuration. It fails only on read errors: lines it
// does not understand are kept and named in Warnings.
func Parse(r io.Reader) (*Config, error) {
	c := &Config{}
	cur := &c.Main
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		raw := sc.Text()
		if m := reSection().FindStringSubmatch(raw); m != nil {
			c.Sections = append(c.Sections, Section{Name: m[1], Header: raw})
			cur = &c.Sections[len(c.Sections)-1]
			continue
		}
		cur.Lines = append(cur.Lines, parseLine(raw, cur.Name, &c.Warnings))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read vm config: %w", err)
	}
	return c, nil
}

func parseLine(raw, section string, warnings *[]string) Line {
	t := strings.TrimSpace(raw)
	switch {
	case t == "":
		return Line{Raw: raw, Blank: true}
	case strings.HasPrefix(t, "#"):
		return Line{Comment: true, Raw: raw}
	}
	if m := reKV().FindStringSubmatch(t); m != nil {
		return Line{Key: m[1], Value: m[2], Raw: raw}
	}
	where := "main section"
	if section != "" {
		where = "section [" + section + "]"
	}
	*warnings = append(*warnings, fmt.Sprintf("%s: unable to parse line: %s", where, t))
	return Line{Raw: raw}
}

// Write writes the configuration; lines read by Parse come back unchanged.
func (c *Config) Write(w io.Writer) error {
	var b bytes.Buffer
	writeLines(&b, c.Main.Lines)
	for _, s := range c.Sections {
		h := s.Header
		if h == "" {
			h = "[" + s.Name + "]"
		}
		b.WriteString(h + "\n")
		writeLines(&b, s.Lines)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeLines(b *bytes.Buffer, lines []Line) {
	for _, l := range lines {
		switch {
		case l.Raw != "":
			b.WriteString(l.Raw)
		case l.Key != "":
			b.WriteString(l.Key + ": " + l.Value)
		}
		b.WriteString("\n")
	}
}

// Bytes is Write into a new slice.
func (c *Config) Bytes() []byte {
	var b bytes.Buffer
	_ = c.Write(&b)
	return b.Bytes()
}

// Validate checks what Write needs to produce a file Proxmox reads back:
// keys in Proxmox's key syntax, values without line breaks, no duplicates.
func (c *Config) Validate() error {
	seen := map[string]bool{}
	for _, l := range c.Main.Lines {
		if l.Key == "" {
			continue
		}
		if !reKey().MatchString(l.Key) {
			return fmt.Errorf("invalid key %q", l.Key)
		}
		if strings.ContainsAny(l.Value, "\r\n") {
			return fmt.Errorf("key %s: value contains a line break", l.Key)
		}
		if seen[l.Key] {
			return fmt.Errorf("key %s: set twice", l.Key)
		}
		seen[l.Key] = true
	}
	return nil
}

// Get returns the value of a key of the main section. Like Proxmox's
// parser, the last of duplicated keys wins.
func (c *Config) Get(key string) (string, bool) {
	v, ok := "", false
	for _, l := range c.Main.Lines {
		if l.Key == key {
			v, ok = l.Value, true
		}
	}
	return v, ok
}

// Keys lists the keys of the main section in file order, without duplicates.
func (c *Config) Keys() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range c.Main.Lines {
		if l.Key != "" && !seen[l.Key] {
			seen[l.Key] = true
			out = append(out, l.Key)
		}
	}
	return out
}

// Set changes a key of the main section in place, or adds it where
// Proxmox's writer (which sorts keys) would put it.
func (c *Config) Set(key, value string) {
	lines := c.Main.Lines
	found := false
	for i := range lines {
		if lines[i].Key == key {
			if !found {
				lines[i] = Line{Key: key, Value: value}
				found = true
				continue
			}
			lines[i] = Line{} // a later duplicate: dropped below
		}
	}
	if found {
		c.Main.Lines = compact(lines)
		return
	}
	at := c.insertAt(key)
	c.Main.Lines = append(lines[:at], append([]Line{{Key: key, Value: value}}, lines[at:]...)...)
}

// insertAt is the index before the first key sorting after key, else
// after the last key or comment.
func (c *Config) insertAt(key string) int {
	last := 0
	for i, l := range c.Main.Lines {
		if l.Key != "" && l.Key > key {
			return i
		}
		if !l.Blank {
			last = i + 1
		}
	}
	return last
}

// Delete removes a key of the main section; it tells whether it was there.
func (c *Config) Delete(key string) bool {
	n := len(c.Main.Lines)
	c.Main.Lines = compact(deleteKey(c.Main.Lines, key))
	return len(c.Main.Lines) != n
}

func deleteKey(lines []Line, key string) []Line {
	for i := range lines {
		if lines[i].Key == key {
			lines[i] = Line{}
		}
	}
	return lines
}

// compact drops zero Lines (deleted entries), keeping raw blank lines.
func compact(lines []Line) []Line {
	out := lines[:0]
	for _, l := range lines {
		if l == (Line{}) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// Description is the decoded description (the top comment lines joined,
// each ending in "\n", as Proxmox returns it), or a description key.
func (c *Config) Description() string {
	var b strings.Builder
	for _, l := range c.Main.Lines {
		if l.Comment {
			b.WriteString(strings.TrimPrefix(strings.TrimSpace(l.Raw), "#") + "\n")
		}
	}
	if b.Len() > 0 {
		return nodeconf.DecodeText(b.String())
	}
	d, _ := c.Get("description")
	return d
}

// SetDescription replaces the description; "" removes it. It is written
// as encoded comment lines at the top, as Proxmox's writer does.
func (c *Config) SetDescription(d string) {
	var rest []Line
	for _, l := range c.Main.Lines {
		if !l.Comment && l.Key != "description" {
			rest = append(rest, l)
		}
	}
	var head []Line
	d = strings.TrimRight(d, "\n")
	if d != "" {
		for _, line := range strings.Split(d, "\n") {
			head = append(head, Line{Comment: true, Raw: "#" + nodeconf.EncodeText(line)})
		}
	}
	c.Main.Lines = append(head, rest...)
}

// Snapshot returns the section of that name, or nil.
func (c *Config) Snapshot(name string) *Section {
	for i := range c.Sections {
		if c.Sections[i].Name == name {
			return &c.Sections[i]
		}
	}
	return nil
}

// SnapshotNames lists the snapshot sections (not PENDING or special ones).
func (c *Config) SnapshotNames() []string {
	var out []string
	for _, s := range c.Sections {
		if s.Name != "PENDING" && !strings.HasPrefix(s.Name, "special:") {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Values returns the key/value pairs of a section (the last duplicate wins).
func (s *Section) Values() map[string]string {
	m := map[string]string{}
	for _, l := range s.Lines {
		if l.Key != "" {
			m[l.Key] = l.Value
		}
	}
	return m
}
