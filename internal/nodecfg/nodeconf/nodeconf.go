// Package nodeconf is the codec of Proxmox VE's node configuration file,
// /etc/pve/nodes/NODE/config: the description as percent-encoded comment
// lines at the top, then "key: value" lines sorted by key. It is pure:
// bytes in, model out, model in, bytes out.
package nodeconf

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"hostadm/internal/schema"
)

// Config is a parsed node configuration.
type Config struct {
	// Description is the decoded description, each line ending in "\n"
	// as Proxmox returns it; "" when there is none.
	Description string
	// Values holds every other key, known or not, with its raw value.
	Values map[string]string
	// Warnings are lines or values the parser ignored.
	Warnings []string
}

// Parse reads a node configuration the way Proxmox's parse_config does:
// lines are trimmed, blank lines skipped, "#" lines collected into the
// description, "key: value" lines into Values; anything else is a warning.
func Parse(r io.Reader) (*Config, error) {
	// the store's bytes.Reader writes itself into the builder in one
	// piece: one allocation, and String does not copy it again
	var sb strings.Builder
	if _, err := io.Copy(&sb, r); err != nil {
		return nil, fmt.Errorf("read node config: %w", err)
	}
	b := sb.String()
	c := &Config{Values: map[string]string{}}
	var comments strings.Builder
	for line := range strings.Lines(b) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "#"); ok {
			if comments.Len() == 0 {
				comments.Grow(len(b)) // the description is most of a node config
			}
			comments.WriteString(rest)
			comments.WriteByte('\n')
			continue
		}
		key, value, ok := splitKV(line)
		if !ok {
			c.Warnings = append(c.Warnings, fmt.Sprintf("ignore config line: %s", line))
			continue
		}
		c.Values[key] = value
	}
	if comments.Len() > 0 {
		c.Description = DecodeText(comments.String())
		delete(c.Values, "description")
	} else if d, ok := c.Values["description"]; ok {
		c.Description = d
		delete(c.Values, "description")
	}
	return c, nil
}

// splitKV matches `^(\S+?):\s*(.*)$`.
func splitKV(line string) (string, string, bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 || strings.ContainsAny(line[:i], " \t\r\f\v") {
		return "", "", false
	}
	return line[:i], strings.TrimLeft(line[i+1:], " \t\r\f\v"), true
}

// Write renders the configuration like Proxmox's write_node_config: the
// description as encoded comment lines, then the keys in sorted order.
func (c *Config) Write(w io.Writer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var b strings.Builder
	for _, line := range descriptionLines(c.Description) {
		b.WriteString("#" + encodeEdges(EncodeText(line)) + "\n")
	}
	keys := slices.Sorted(maps.Keys(c.Values))
	for _, k := range keys {
		b.WriteString(k + ": " + c.Values[k] + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Validate refuses what cannot be written: values holding a line break
// and keys that would not read back.
func (c *Config) Validate() error {
	for k, v := range c.Values {
		if strings.ContainsAny(v, "\n") {
			return fmt.Errorf("detected invalid newline inside property '%s'", k)
		}
		if k == "" || strings.ContainsAny(k, ": \t\r\n#") || k == "description" || k == "digest" {
			return fmt.Errorf("invalid node config key '%s'", k)
		}
	}
	return nil
}

// descriptionLines splits like Perl's split(/\n/): trailing empty fields
// are dropped, inner ones kept.
func descriptionLines(d string) []string {
	lines := strings.Split(d, "\n")
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// EncodeText percent-encodes the UTF-8 bytes of s that may not appear in a
// comment line: control characters, DEL, bytes >= 0x80, '%' and ':'.
// Bytes that are no valid UTF-8 are first replaced by U+FFFD, which is
// what DecodeText (like Perl's UTF-8 decode) reads them back as anyway:
// the text written is the text read, and a rewrite changes nothing.
func EncodeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '%' || c == ':' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// encodeEdges percent-encodes the spaces at the end of an encoded line,
// which Parse trims off: "# " would read back as an empty line, and an
// empty last line is dropped on the next write.
func encodeEdges(s string) string {
	trimmed := strings.TrimRight(s, " ")
	return trimmed + strings.Repeat("%20", len(s)-len(trimmed))
}

// DecodeText undoes EncodeText like Perl's uri_unescape followed by a UTF-8
// decode: "%XX" becomes the byte, other text stays, invalid UTF-8 becomes
// the replacement character.
func DecodeText(s string) string {
	b := schema.Unescape(s)
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
