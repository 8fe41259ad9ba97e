package sectioncfg

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/schema"
)

// Perl's \s and \S on byte strings: ASCII white space including \v, which
// Go's \s leaves out.
const (
	ws    = `[\t\n\v\f\r ]`
	nonWS = `[^\t\n\v\f\r ]`
)

var (
	reHeader = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(` + nonWS + `+):` + ws + `*(` + nonWS + `+)` + ws + `*$`)
	})
	reStatusHeader = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(` + nonWS + `+):` + ws + `*(` + nonWS + `+)?` + ws + `*$`)
	})
	reProperty = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^` + ws + `+(` + nonWS + `+)(` + ws + `+(.*` + nonWS + `))?` + ws + `*$`)
	})
	reComment  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + ws + `*#`) })
	reConfigID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9_-]+$`) })
)

// DefaultHeader is SectionConfig.pm's header rule, `^(\S+):\s*(\S+)\s*$`,
// with the id checked against idFormat (a schema format name, or "").
func DefaultHeader(idFormat string) HeaderFunc {
	return func(line string) (string, string, bool, error) {
		m := reHeader().FindStringSubmatch(line)
		if m == nil {
			return "", "", false, nil
		}
		return m[1], m[2], true, checkID(idFormat, m[2])
	}
}

// StatusHeader is status.cfg's lenient header (FORMATS.md §4.1): the type is
// lower-cased, a missing id defaults to the type, and the id must be a
// pve-configid.
func StatusHeader(line string) (string, string, bool, error) {
	m := reStatusHeader().FindStringSubmatch(line)
	if m == nil {
		return "", "", false, nil
	}
	typ := strings.ToLower(m[1])
	id := m[2]
	if id == "" {
		id = typ
	}
	if !reConfigID().MatchString(id) {
		return typ, id, true, fmt.Errorf("invalid configuration ID '%s'", id)
	}
	return typ, id, true, nil
}

// Parse reads a section-config file. Problems PVE tolerates (unknown types
// or keys, bad values, stray lines) become warnings and the offending
// section or line is skipped; only a read error fails.
func Parse(r io.Reader, s *Schema) (*Config, []Warning, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read section config: %w", err)
	}
	sum := sha1.Sum(raw)
	p := &parser{
		s:     s,
		lines: strings.Split(string(raw), "\n"),
		cfg:   &Config{Digest: hex.EncodeToString(sum[:]), schema: s},
		head:  s.ParseHeader,
	}
	if p.head == nil {
		p.head = DefaultHeader(s.IDFormat)
	}
	p.run()
	return p.cfg, p.warns, nil
}

type parser struct {
	s      *Schema
	head   HeaderFunc
	lines  []string
	lineno int // 1-based number of the last line returned by next
	cfg    *Config
	warns  []Warning
}

// next returns the next line that is not a comment.
func (p *parser) next() (string, bool) {
	for p.lineno < len(p.lines) {
		line := p.lines[p.lineno]
		p.lineno++
		if !reComment().MatchString(line) {
			return line, true
		}
	}
	return "", false
}

func (p *parser) warn(line int, format string, args ...any) {
	p.warns = append(p.warns, Warning{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) run() {
	for {
		line, ok := p.next()
		if !ok {
			return
		}
		if line == "" {
			continue
		}
		typ, id, isHeader, err := p.head(line)
		if !isHeader {
			p.warn(p.lineno, "- ignore config line: %s", line)
			continue
		}
		p.section(typ, id, err)
	}
}

// section reads the lines of one section up to the next empty line.
func (p *parser) section(typ, id string, headErr error) {
	start := p.lineno
	opts, known := p.s.Types[typ]
	skip := ""
	switch {
	case headErr != nil:
		skip = strings.TrimRight(headErr.Error(), "\n")
	case !known:
		skip = fmt.Sprintf("unsupported type '%s'", typ)
	}
	if skip != "" {
		p.warn(start, "(skip section '%s'): %s", id, skip)
	}
	sec := &Section{Type: typ, ID: id, Props: map[string]any{}}
	for {
		line, ok := p.next()
		if !ok || line == "" {
			break
		}
		if skip == "" {
			p.property(sec, opts, line)
		}
	}
	if skip != "" {
		return
	}
	if k := missingRequired(opts, sec.Props); k != "" {
		p.warn(start, "(skip section '%s'): missing value for required option '%s'", id, k)
		return
	}
	if i := p.cfg.index(id); i >= 0 {
		// PVE keeps the later section, in the later position.
		p.warn(start, "(section '%s') - duplicate section, the earlier one is dropped", id)
		p.cfg.Sections = append(p.cfg.Sections[:i], p.cfg.Sections[i+1:]...)
	}
	p.cfg.Sections = append(p.cfg.Sections, sec)
}

func (p *parser) property(sec *Section, opts Options, line string) {
	m := reProperty().FindStringSubmatch(line)
	if m == nil {
		p.warn(p.lineno, "(section '%s') - ignore config line: %s", sec.ID, line)
		return
	}
	k, v, hasValue := m[1], m[3], m[2] != ""
	if k == "type" && v == sec.Type {
		return // PVE accepts a redundant `type` line and ignores it
	}
	val, err := p.s.fileValue(opts, k, v, hasValue)
	if err == nil {
		err = addValue(sec, p.s.Properties[k].Type == schema.TArray, k, val)
	}
	if err != nil {
		p.warn(p.lineno, "(section '%s') - unable to parse value of '%s': %s", sec.ID, k, err)
	}
}

// addValue stores a parsed value; array properties may repeat.
func addValue(sec *Section, isArray bool, k string, val any) error {
	old, have := sec.Props[k]
	if !isArray {
		if have {
			return fmt.Errorf("duplicate attribute")
		}
		sec.set(k, val)
		return nil
	}
	list, _ := old.([]string)
	sec.set(k, append(list, val.([]string)...))
	return nil
}

func missingRequired(opts Options, props map[string]any) string {
	for _, k := range sortedKeys(opts) {
		if _, ok := props[k]; !ok && !opts[k].Optional {
			return k
		}
	}
	return ""
}
