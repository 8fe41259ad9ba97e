package boot

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// maxCmdline is the x86 kernel's COMMAND_LINE_SIZE less its final NUL.
const maxCmdline = 2047

var optionKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) })

// CmdlineError is a command line that cannot be written; Option is the
// offending option ("" when the line as a whole is wrong).
type CmdlineError struct {
	Option string
	Msg    string
}

func (e *CmdlineError) Error() string {
	if e.Option == "" {
		return e.Msg
	}
	return fmt.Sprintf("option '%s': %s", e.Option, e.Msg)
}

// ParseCmdline splits a kernel command line into its options the way the
// kernel does (spaces separate, double quotes group) and checks each: a
// name of letters, digits, '_', '-' and '.', then an optional =value. The
// line must be one line of printable characters; single quotes, backquotes,
// backslashes and '$' are refused because the kernel does not know them and
// /etc/default/grub is read by a shell.
func ParseCmdline(line string) ([]string, error) {
	if len(line) > maxCmdline {
		return nil, &CmdlineError{Msg: fmt.Sprintf("command line too long (%d > %d bytes)", len(line), maxCmdline)}
	}
	for _, c := range line {
		switch {
		case c == '\n' || c == '\r':
			return nil, &CmdlineError{Msg: "the command line must be a single line (newline found)"}
		case c < 0x20 || c == 0x7f:
			return nil, &CmdlineError{Msg: fmt.Sprintf("control character %q not allowed", c)}
		case c == '\'' || c == '`':
			return nil, &CmdlineError{Msg: fmt.Sprintf("unsupported quote character %q (the kernel only knows double quotes)", c)}
		case c == '\\' || c == '$':
			return nil, &CmdlineError{Msg: fmt.Sprintf("character %q not allowed", c)}
		}
	}
	opts, err := splitOptions(line)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := checkOption(o); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

func splitOptions(line string) ([]string, error) {
	var opts []string
	var cur strings.Builder
	inQuote := false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote = !inQuote
			cur.WriteRune(c)
		case (c == ' ' || c == '\t') && !inQuote:
			if cur.Len() > 0 {
				opts = append(opts, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(c)
		}
	}
	if inQuote {
		return nil, &CmdlineError{Option: cur.String(), Msg: "unbalanced double quote"}
	}
	if cur.Len() > 0 {
		opts = append(opts, cur.String())
	}
	return opts, nil
}

func checkOption(o string) error {
	key, value, hasValue := strings.Cut(o, "=")
	// The kernel allows the whole option to be quoted: "key=value with spaces".
	key = strings.TrimPrefix(key, `"`)
	if !optionKey().MatchString(key) {
		return &CmdlineError{Option: o, Msg: "invalid option name (letters, digits, '_', '-' and '.' only)"}
	}
	if strings.Contains(key, `"`) || (hasValue && strings.Count(value, `"`)%2 != 0 && !strings.HasPrefix(o, `"`)) {
		return &CmdlineError{Option: o, Msg: "misplaced double quote"}
	}
	return nil
}

// JoinCmdline joins options with single spaces.
func JoinCmdline(opts []string) string { return strings.Join(opts, " ") }

// HasOption tells whether a command line names the option (with or
// without a value).
func HasOption(opts []string, name string) bool {
	for _, o := range opts {
		k, _, _ := strings.Cut(strings.TrimPrefix(o, `"`), "=")
		if k == name {
			return true
		}
	}
	return false
}
