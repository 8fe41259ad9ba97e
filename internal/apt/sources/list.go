package sources

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseList reads a one-line format file (sources.list, *.list).
//
// A line starting with '#' that parses as an entry is a disabled entry;
// other comments, including the text after a '#' inside an entry's line,
// attach to the next entry. Blank lines are dropped. The first malformed
// line fails the whole file, as in Proxmox.
func ParseList(r io.Reader) (*File, error) {
	f := &File{Type: List}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var comment strings.Builder
	for n := 1; sc.Scan(); n++ {
		repo, note, err := parseListLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("malformed entry on line %d - %w", n, err)
		}
		comment.WriteString(note)
		if repo != nil {
			repo.Comment = comment.String()
			comment.Reset()
			f.Repos = append(f.Repos, repo)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("input error - %w", err)
	}
	f.Trailing = comment.String()
	return f, nil
}

// parseListLine parses one line: an entry (maybe disabled), and the comment
// text it contributes ("" or text ending in a newline).
func parseListLine(line string) (*Repository, string, error) {
	line = trimSpace(line)
	if rest, ok := strings.CutPrefix(line, "#"); ok {
		// A commented-out entry is a disabled repository; anything else
		// on a '#' line is a comment. Trying has no side effects.
		if repo, note, err := parseListLine(rest); err == nil && repo != nil {
			repo.Enabled = false
			return repo, note, nil
		}
	}
	note := ""
	if i := strings.IndexByte(line, '#'); i >= 0 {
		note = line[i+1:] + "\n"
		line = line[:i]
	}
	typ, rest, ok := cutSpace(line)
	if !ok {
		return nil, note, nil // empty line, or a lone word APT ignores too
	}
	if typ != "deb" && typ != "deb-src" {
		return nil, note, fmt.Errorf("invalid package type '%s'", typ)
	}
	repo := &Repository{Types: []string{typ}, FileType: List, Enabled: true}
	rest = trimLeftSpace(rest)
	words := &quoteWords{s: rest}
	if after, ok := strings.CutPrefix(rest, "["); ok {
		words.s = after
		opts, err := parseListOptions(words)
		if err != nil {
			return nil, note, err
		}
		repo.Options = opts
	}
	uri, err := words.next()
	if err != nil {
		return nil, note, err
	} else if uri == nil {
		return nil, note, errors.New("missing URI")
	}
	suite, err := words.next()
	if err != nil {
		return nil, note, err
	} else if suite == nil {
		return nil, note, errors.New("missing suite")
	}
	repo.URIs, repo.Suites = []string{*uri}, []string{*suite}
	for {
		w, err := words.next()
		if err != nil {
			return nil, note, err
		}
		if w == nil {
			break
		}
		repo.Components = append(repo.Components, *w)
	}
	return repo, note, nil
}

// parseListOptions reads `key=v1,v2 ... ]` after the opening bracket.
func parseListOptions(words *quoteWords) ([]Option, error) {
	var opts []Option
	for {
		w, err := words.next()
		if err != nil {
			return nil, err
		}
		if w == nil {
			return nil, errors.New("options not closed by ']'")
		}
		opt, finished := *w, false
		if s, ok := strings.CutSuffix(opt, "]"); ok {
			if s == "" {
				return opts, nil
			}
			opt, finished = s, true
		}
		if key, val, ok := strings.Cut(opt, "="); ok {
			if key == "" {
				return nil, fmt.Errorf("option has no key: '%s'", opt)
			}
			if val == "" {
				return nil, fmt.Errorf("option has no value: '%s'", opt)
			}
			opts = append(opts, Option{Key: key, Values: strings.Split(val, ",")})
		} else if opt != "" {
			return nil, fmt.Errorf("got invalid option - '%s'", opt)
		}
		if finished {
			return opts, nil
		}
	}
}

// quoteWords splits like APT's ParseQuoteWord: whitespace inside "" or []
// does not split, and double quotes are removed from the words.
type quoteWords struct{ s string }

func (q *quoteWords) next() (*string, error) {
	s := q.s
	start, wait := -1, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if wait != 0 {
			if c == wait {
				wait = 0
			}
			continue
		}
		if isSpace(c) {
			if start >= 0 {
				q.s = s[i+1:]
				w := strings.ReplaceAll(s[start:i], `"`, "")
				return &w, nil
			}
			continue
		}
		if start < 0 {
			start = i
		}
		switch c {
		case '"':
			wait = '"'
		case '[':
			wait = ']'
		}
	}
	q.s = ""
	if wait != 0 {
		return nil, fmt.Errorf("missing terminating '%c'", wait)
	}
	if start < 0 {
		return nil, nil
	}
	w := strings.ReplaceAll(s[start:], `"`, "")
	return &w, nil
}

// writeLine writes one entry in one-line format (Proxmox's layout).
func writeLine(b *bytes.Buffer, r *Repository) {
	if !r.Enabled {
		b.WriteString("# ")
	}
	b.WriteString(r.Types[0] + " ")
	if len(r.Options) > 0 {
		b.WriteString("[ ")
		for _, o := range r.Options {
			b.WriteString(quoteOneLine(o.Key+"="+strings.Join(o.Values, ",")) + " ")
		}
		b.WriteString("] ")
	}
	b.WriteString(quoteOneLine(r.URIs[0]) + " ")
	b.WriteString(quoteOneLine(r.Suites[0]) + " ")
	for i, c := range r.Components {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteOneLine(c))
	}
	b.WriteByte('\n')
}

// quoteOneLine drops double quotes and quotes the whole word when it holds
// whitespace outside brackets or an unclosed bracket.
func quoteOneLine(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	inBracket := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inBracket:
			inBracket = c != ']'
		case isSpace(c):
			return `"` + s + `"`
		case c == '[':
			inBracket = true
		}
	}
	if inBracket {
		// An unclosed bracket would swallow the rest of the line on
		// reading; quoting keeps the word whole (Proxmox misses this).
		return `"` + s + `"`
	}
	return s
}

// isSpace is Rust's is_ascii_whitespace, which Proxmox's parser uses.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func trimSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}

func trimLeftSpace(s string) string {
	return strings.TrimLeftFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}

// cutSpace splits at the first whitespace byte.
func cutSpace(s string) (before, after string, ok bool) {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
