package sources

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseSources reads a deb822 file (*.sources). Stanzas are separated by
// blank lines; '#' lines are comments for the next stanza; continuation
// lines (starting with a space or tab) fold into the previous field.
func ParseSources(r io.Reader) (*File, error) {
	f := &File{Type: Sources}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	p := &stanzaParser{nr: 1}
	var stanza []string
	flush := func() error {
		repo, err := p.parse(stanza)
		stanza = stanza[:0]
		if err != nil {
			return fmt.Errorf("malformed entry in stanza %d - %w", p.nr, err)
		}
		if repo != nil {
			f.Repos = append(f.Repos, repo)
			p.nr++
		}
		return nil
	}
	for sc.Scan() {
		line := sc.Text()
		if trimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		stanza = append(stanza, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("input error - %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	f.Trailing = p.comment.String()
	return f, nil
}

type stanzaParser struct {
	nr      int
	comment strings.Builder
}

// field is one "Key: value" with its continuation lines.
type field struct {
	line  string   // the first line, trimmed
	conts []string // continuation lines as they were
}

// parse turns a stanza's lines into a repository, or nil when the stanza
// holds only comments (they carry over to the next stanza).
func (p *stanzaParser) parse(lines []string) (*Repository, error) {
	var fields []field
	for _, l := range lines {
		if (l[0] == ' ' || l[0] == '\t') && len(fields) > 0 {
			last := &fields[len(fields)-1]
			last.conts = append(last.conts, strings.TrimRightFunc(l, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }))
			continue
		}
		t := trimSpace(l)
		if c, ok := strings.CutPrefix(t, "#"); ok {
			p.comment.WriteString(c + "\n")
			continue
		}
		fields = append(fields, field{line: t})
	}
	repo := &Repository{FileType: Sources, Enabled: true}
	got := false
	for _, fl := range fields {
		used, err := repo.addField(fl)
		if err != nil {
			return nil, err
		}
		got = got || used
	}
	if !got {
		return nil, nil
	}
	repo.Comment = p.comment.String()
	p.comment.Reset()
	return repo, nil
}

// addField applies one field; it reports false for fields APT ignores.
func (r *Repository) addField(fl field) (bool, error) {
	full := fl.line
	for _, c := range fl.conts {
		full += " " + trimSpace(c)
	}
	key, val, ok := strings.Cut(full, ":")
	if !ok {
		return false, fmt.Errorf("got invalid line - '%s'", strconv.Quote(full))
	}
	key = trimSpace(key)
	switch {
	case key == "":
		return false, fmt.Errorf("option has no key: '%s'", full)
	case val == "", !validKey(key):
		return false, nil // ignored by APT
	}
	values := strings.Fields(val)
	switch strings.ToLower(key) {
	case "types":
		for _, t := range values {
			if t != "deb" && t != "deb-src" {
				return false, fmt.Errorf("invalid package type '%s'", t)
			}
		}
		r.Types = values
	case "uris":
		r.URIs = values
	case "suites":
		r.Suites = values
	case "components":
		r.Components = values
	case "enabled":
		r.SetEnabled(stringToBool(val, true))
	default:
		o := Option{Key: key, Values: values}
		if strings.EqualFold(key, "Signed-By") && len(fl.conts) > 0 {
			o.folded = fl.conts
		}
		r.Options = append(r.Options, o)
	}
	return true, nil
}

// validKey is deb822's field name rule.
func validKey(k string) bool {
	if strings.HasPrefix(k, "-") {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// stringToBool is APT's StringToBool.
func stringToBool(s string, def bool) bool {
	switch strings.ToLower(trimSpace(s)) {
	case "1", "yes", "true", "with", "on", "enable":
		return true
	case "0", "no", "false", "without", "off", "disable":
		return false
	}
	return def
}

// writeStanza writes one entry as a deb822 stanza (Proxmox's layout).
func writeStanza(b *bytes.Buffer, r *Repository) {
	b.WriteString("Types: " + strings.Join(r.Types, " ") + "\n")
	b.WriteString("URIs: " + strings.Join(r.URIs, " ") + "\n")
	b.WriteString("Suites: " + strings.Join(r.Suites, " ") + "\n")
	if len(r.Components) > 0 {
		b.WriteString("Components: " + strings.Join(r.Components, " ") + "\n")
	}
	for _, o := range r.Options {
		if o.folded != nil {
			b.WriteString(o.Key + ":" + firstLineValue(o) + "\n")
			for _, c := range o.folded {
				b.WriteString(c + "\n")
			}
			continue
		}
		b.WriteString(o.Key + ": " + strings.Join(o.Values, " ") + "\n")
	}
}

// firstLineValue is what stood on the key's own line of a folded value:
// the values not contributed by the continuation lines.
func firstLineValue(o Option) string {
	n := 0
	for _, c := range o.folded {
		n += len(strings.Fields(c))
	}
	head := o.Values[:len(o.Values)-n]
	if len(head) == 0 {
		return ""
	}
	return " " + strings.Join(head, " ")
}
