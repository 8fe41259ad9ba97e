package ifaces

import "strings"

// The line and name matchers below stand for regular expressions Proxmox's
// parser uses (quoted in each doc comment). They are written out by hand
// because the regexp engine was most of the parser's time; the fuzz target
// FuzzMatchers holds each one to its expression. White space is the \s of
// Go's regexp syntax: tab, newline, form feed, carriage return and space.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimSpaceRight(s string) string {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return s[:i]
}

// word returns the leading run of non-space bytes of s and the rest.
func word(s string) (string, string) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// keyword tells whether s starts with kw followed by white space.
func keyword(s, kw string) bool {
	return len(s) > len(kw) && s[:len(kw)] == kw && isSpace(s[len(kw)])
}

// allDigits is `^\d+$`.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

// matchAuto is `^\s*(?:allow-auto|auto|allow-ovs|allow-hotplug)\s+(.*)$`
// and returns the list after the keyword.
func matchAuto(line string) (string, bool) {
	s := skipSpace(line)
	for _, kw := range [...]string{"allow-auto", "auto", "allow-ovs", "allow-hotplug"} {
		if keyword(s, kw) {
			rest := skipSpace(s[len(kw):])
			return rest, !strings.Contains(rest, "\n")
		}
	}
	return "", false
}

// matchIface is `^\s*iface\s+(\S+)(?:\s+(inet6?)\s+(\S+))?\s*$`.
func matchIface(line string) (name, fam, method string, ok bool) {
	s := skipSpace(line)
	if !keyword(s, "iface") {
		return "", "", "", false
	}
	var f [3]string
	n := 0
	rest := skipSpace(s[len("iface"):])
	for rest != "" {
		if n == len(f) {
			return "", "", "", false
		}
		f[n], rest = word(rest)
		n++
		rest = skipSpace(rest)
	}
	switch {
	case n == 1:
		return f[0], "", "", true
	case n == 3 && (f[1] == Inet || f[1] == Inet6):
		return f[0], f[1], f[2], true
	}
	return "", "", "", false
}

// matchStanzaEnd is `^\s*(?:(?:iface|mapping|auto|source|source-directory)\s|allow-)`.
func matchStanzaEnd(line string) bool {
	s := skipSpace(line)
	if s == "" {
		return false
	}
	switch s[0] { // every keyword starts with one of these
	case 'a', 'i', 'm', 's':
	default:
		return false
	}
	if strings.HasPrefix(s, "allow-") {
		return true
	}
	for _, kw := range [...]string{"iface", "mapping", "auto", "source", "source-directory"} {
		if keyword(s, kw) {
			return true
		}
	}
	return false
}

// matchComment is `^\s*#(.*?)\s*$` and returns the text after '#'.
func matchComment(line string) (string, bool) {
	s := skipSpace(line)
	if s == "" || s[0] != '#' {
		return "", false
	}
	body := trimSpaceRight(s[1:])
	return body, !strings.Contains(body, "\n")
}

// matchOption is `^\s*((\S+)\s+(.+))$`: the line without its indent, the
// key and the value.
func matchOption(line string) (all, key, value string, ok bool) {
	all = skipSpace(line)
	key, rest := word(all)
	if key == "" || rest == "" {
		return "", "", "", false
	}
	value = skipSpace(rest)
	if value == "" {
		// the run of white space gives its last byte back to (.+)
		if len(rest) < 2 {
			return "", "", "", false
		}
		value = rest[len(rest)-1:]
	}
	if strings.Contains(value, "\n") {
		return "", "", "", false
	}
	return all, key, value, true
}

// matchWord is `\w`: the line holds a letter, digit or underscore.
func matchWord(line string) bool {
	for i := 0; i < len(line); i++ {
		c := line[i]
		if isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			return true
		}
	}
	return false
}

// cutNumbered is `^(\S+)SEP(\d+)$`: a name and the number after the last sep.
func cutNumbered(name string, sep byte) (string, string, bool) {
	i := strings.LastIndexByte(name, sep)
	if i <= 0 || !allDigits(name[i+1:]) || hasSpace(name[:i]) {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

// cutVLANName is `^(\S+)\.(\d+)$` (PARENT.ID).
func cutVLANName(name string) (string, string, bool) { return cutNumbered(name, '.') }

// cutAliasName is `^(\S+):\d+$` (NAME:N) and returns the base name.
func cutAliasName(name string) (string, bool) {
	base, _, ok := cutNumbered(name, ':')
	return base, ok
}

// cutPrefixDigits is `^PREFIX(\d+)$`.
func cutPrefixDigits(name, prefix string) (string, bool) {
	if !strings.HasPrefix(name, prefix) || !allDigits(name[len(prefix):]) {
		return "", false
	}
	return name[len(prefix):], true
}

// cutCIDR is `^(.+)/(\d+)$`.
func cutCIDR(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 || !allDigits(s[i+1:]) || strings.Contains(s[:i], "\n") {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// hasSlashBits is `/\d+$`.
func hasSlashBits(s string) bool {
	i := strings.LastIndexByte(s, '/')
	return i >= 0 && allDigits(s[i+1:])
}

// rootAndDepth is Perl's split(/[.:]/, name) as the writer's order uses
// it: the first field and the number of fields once trailing empty ones
// are dropped (0 when none is left).
func rootAndDepth(name string) (string, int) {
	end := len(name)
	for end > 0 && (name[end-1] == '.' || name[end-1] == ':') {
		end--
	}
	if end == 0 {
		return "", 0
	}
	n := 1
	root := -1
	for i := 0; i < end; i++ {
		if name[i] == '.' || name[i] == ':' {
			if root < 0 {
				root = i
			}
			n++
		}
	}
	if root < 0 {
		root = end
	}
	return name[:root], n
}
