package tasks

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadUPID is returned for a string that is not a Proxmox VE UPID. Its
// text is the exact message the API reports for the upid parameter.
var ErrBadUPID = errors.New("unable to parse worker upid")

// UPID is a decoded unique process (task) id:
// UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:
type UPID struct {
	Node      string
	PID       uint32
	PStart    uint64
	StartTime int64
	Type      string
	ID        string
	User      string
}

// ParseUPID decodes s. It accepts exactly what Proxmox's regular expression
// accepts (FORMATS §2.1): hex digits in either case, an 8 or 9 digit pstart,
// and the trailing colon. Any other input yields ErrBadUPID.
func ParseUPID(s string) (UPID, error) {
	u, _, ok := parseUPID(s)
	if !ok {
		return UPID{}, ErrBadUPID
	}
	return u, nil
}

// String encodes u the way Proxmox writes it: uppercase, zero-padded hex and
// a trailing colon.
func (u UPID) String() string {
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:",
		u.Node, u.PID, u.PStart, u.StartTime, u.Type, u.ID, u.User)
}

// LogPath is the task log's path relative to the task directory:
// "<X>/<UPID>", X being the last hex digit of the encoded start time.
func (u UPID) LogPath() string {
	s := u.String()
	_, sub, _ := parseUPID(s)
	return string(sub) + "/" + s
}

// UserOnly is the user part of the task's auth id ("root@pam" for both
// "root@pam" and "root@pam!mytoken").
func (u UPID) UserOnly() string {
	user, _ := SplitAuthID(u.User)
	return user
}

// TokenID is the API token name of the task's auth id, or "" when the task
// was started by a user rather than a token.
func (u UPID) TokenID() string {
	_, token := SplitAuthID(u.User)
	return token
}

// SplitAuthID splits "user@realm!token" into "user@realm" and "token". An id
// that is not a well-formed token id is returned whole with an empty token,
// as Proxmox's pve_verify_tokenid/split_tokenid do.
func SplitAuthID(authid string) (user, token string) {
	i := strings.LastIndexByte(authid, '!')
	if i < 0 || !strings.Contains(authid[:i], "@") || !validTokenName(authid[i+1:]) {
		return authid, ""
	}
	return authid[:i], authid[i+1:]
}

// validTokenName reports whether s matches [A-Za-z][A-Za-z0-9.\-_]+.
func validTokenName(s string) bool {
	if len(s) < 2 || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// parseUPID is the hand-written equivalent of the UPID regular expression;
// List calls it for every index line, where a regexp would cost ten times
// more. It also returns the log subdirectory: the last character of the
// start time field as written. The fuzz test checks it against the regexp.
func parseUPID(s string) (u UPID, sub byte, ok bool) {
	if !strings.HasPrefix(s, "UPID:") {
		return UPID{}, 0, false
	}
	c := cursor{s: s, i: len("UPID:")}
	node, ok1 := c.word()
	pid, _, ok2 := c.hex(8, 8)
	pstart, _, ok3 := c.hex(8, 9)
	start, startText, ok4 := c.hex(8, 8)
	typ, ok5 := c.word()
	id, ok6 := c.word()
	user, ok7 := c.word()
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || c.i != len(s) ||
		!validNode(node) || typ == "" || user == "" {
		return UPID{}, 0, false
	}
	u = UPID{Node: node, PID: uint32(pid), PStart: pstart, StartTime: int64(start),
		Type: typ, ID: id, User: user}
	return u, startText[len(startText)-1], true
}

// cursor reads the colon-terminated fields of a UPID in one pass.
type cursor struct {
	s string
	i int
}

// word reads a field matching [^:\s/]* and its terminating colon.
func (c *cursor) word() (string, bool) {
	for j := c.i; j < len(c.s); j++ {
		switch c.s[j] {
		case ':':
			w := c.s[c.i:j]
			c.i = j + 1
			return w, true
		case '/', '\t', '\n', '\f', '\r', ' ':
			return "", false
		}
	}
	return "", false
}

// hex reads a field of min to max hex digits and its terminating colon.
func (c *cursor) hex(minLen, maxLen int) (uint64, string, bool) {
	var v uint64
	for j := c.i; j < len(c.s) && j-c.i <= maxLen; j++ {
		if c.s[j] == ':' {
			if j-c.i < minLen {
				return 0, "", false
			}
			text := c.s[c.i:j]
			c.i = j + 1
			return v, text, true
		}
		d, ok := hexDigit(c.s[j])
		if !ok {
			return 0, "", false
		}
		v = v<<4 | uint64(d)
	}
	return 0, "", false
}

// validNode reports whether s matches [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?.
func validNode(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// validWord reports whether s matches [^:\s/]*, \s being RE2's and Perl's
// ASCII class [\t\n\f\r ].
func validWord(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':', '/', '\t', '\n', '\f', '\r', ' ':
			return false
		}
	}
	return true
}

// hexPrefix decodes the leading hex digits of s, like Perl's hex(), which
// stops at the first character that is not one.
func hexPrefix(s string) int64 {
	var v int64
	for i := 0; i < len(s); i++ {
		d, ok := hexDigit(s[i])
		if !ok {
			break
		}
		v = v<<4 | int64(d)
	}
	return v
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validField reports whether a type, id or user value fits into a UPID.
func validField(s string, mayBeEmpty bool) bool {
	return (mayBeEmpty || s != "") && validWord(s)
}
