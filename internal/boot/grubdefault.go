package boot

import (
	"regexp"
	"strings"
	"sync"
)

var grubCmdlineLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(export\s+)?GRUB_CMDLINE_LINUX(_DEFAULT)?=`) })

// GrubCmdline reads GRUB_CMDLINE_LINUX_DEFAULT (def) and GRUB_CMDLINE_LINUX
// (linux) from /etc/default/grub's text; the last assignment wins as in
// the shell. Values are unquoted the way the shell would.
func GrubCmdline(text string) (def, linux string) {
	for _, line := range strings.Split(text, "\n") {
		m := grubCmdlineLine().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := shellValue(line[len(m[0]):])
		if m[2] != "" {
			def = v
		} else {
			linux = v
		}
	}
	return def, linux
}

// shellValue unquotes a simple shell word: "double" (with \" \\ \$ \`),
// 'single' or bare up to the first blank.
func shellValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte(s[i])
			}
		case c == '\'':
			for i++; i < len(s) && s[i] != '\''; i++ {
				b.WriteByte(s[i])
			}
		case c == ' ' || c == '\t' || c == '#':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SetGrubCmdlineDefault returns /etc/default/grub's text with
// GRUB_CMDLINE_LINUX_DEFAULT set to value: the last assignment is replaced
// in place, every other line kept; without one, a line is appended.
func SetGrubCmdlineDefault(text, value string) string {
	line := `GRUB_CMDLINE_LINUX_DEFAULT="` + strings.ReplaceAll(value, `"`, `\"`) + `"`
	lines := strings.Split(text, "\n")
	last := -1
	for i, l := range lines {
		if m := grubCmdlineLine().FindStringSubmatch(l); m != nil && m[2] != "" {
			last = i
		}
	}
	if last >= 0 {
		lines[last] = line
		return strings.Join(lines, "\n")
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text + line + "\n"
}
