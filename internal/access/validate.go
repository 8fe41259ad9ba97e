package access

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The identifier formats of Proxmox's PVE::Auth::Plugin and AccessControl.pm.
var (
	userIDRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^\s:/]+)@([A-Za-z][A-Za-z0-9.\-_]+)$`) })
	tokenRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.\-_]+$`) })
	realmRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.\-_]+$`) })
	nameRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.\-_]+$`) }) // groups, roles, pools
	aclPathRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[[:alnum:]._\-/]+$`) })
	// checkPathRe is AccessControl.pm's check_path: the ACL paths that exist.
	checkPathRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(/|/access|/access/groups|/access/groups/[[:alnum:]._\-]+` +
			`|/access/realm|/access/realm/[[:alnum:]._\-]+|/nodes|/nodes/[[:alnum:]._\-]+` +
			`|/pool|/pool/[[:alnum:]._\-]+|/sdn|/sdn/zones|/sdn/zones/[[:alnum:]._\-]+` +
			`|/sdn/zones/[[:alnum:]._\-]+/[[:alnum:]._\-]+|/sdn/zones/[[:alnum:]._\-]+/[[:alnum:]._\-]+/[1-9][0-9]{0,3}` +
			`|/storage|/storage/[[:alnum:]._\-]+|/vms|/vms/[1-9][0-9]{2,}` +
			`|/mapping|/mapping/[[:alnum:]._\-]+|/mapping/[[:alnum:]._\-]+/[[:alnum:]._\-]+)$`)
	})
)

// SplitUserID checks a user id ("name@realm", at most 64 characters) and
// returns its name and realm; the error text is Proxmox's.
func SplitUserID(userid string) (name, realm string, err error) {
	if len(userid) < 3 {
		return "", "", invalidf("user name '%s' is too short", userid)
	}
	if len(userid) > 64 {
		return "", "", invalidf("user name '%s' is too long (%d > 64)", userid, len(userid))
	}
	m := userIDRe().FindStringSubmatch(userid)
	if m == nil {
		return "", "", invalidf("value '%s' does not look like a valid user name", userid)
	}
	return m[1], m[2], nil
}

// SplitTokenID splits a full token id "user@realm!tokenid".
func SplitTokenID(full string) (userid, tokenid string, err error) {
	i := strings.LastIndexByte(full, '!')
	if i < 0 || !tokenRe().MatchString(full[i+1:]) || !userIDRe().MatchString(full[:i]) {
		return "", "", invalidf("'%s' is not a valid token ID - not able to split into user and token parts", full)
	}
	return full[:i], full[i+1:], nil
}

// NormalizePath is AccessControl.pm's normalize_path: duplicate slashes
// collapse, a trailing slash goes, a leading one is added. It returns ""
// for an empty path or one with characters outside [[:alnum:]._-/], and
// also, unlike Proxmox, for "." and ".." components.
func NormalizePath(p string) string {
	if p == "" {
		return ""
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	p = strings.TrimSuffix(p, "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !aclPathRe().MatchString(p) {
		return ""
	}
	for _, c := range strings.Split(p, "/") {
		if c == "." || c == ".." {
			return ""
		}
	}
	return p
}

// ValidACLPath tells whether a normalised path is one Proxmox accepts in
// an ACL (check_path).
func ValidACLPath(p string) bool { return checkPathRe().MatchString(p) }

// Error is an error with a Proxmox-style message that also matches one of
// this package's sentinel errors with errors.Is.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, format string, a ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, a...)}
}

func invalidf(format string, a ...any) error { return errorf(ErrInvalid, format, a...) }

// prefixed puts Proxmox's "<operation> failed: " in front of a message.
func prefixed(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Kind: e.Kind, Msg: op + ": " + e.Msg}
	}
	return fmt.Errorf("%s: %w", op, err)
}
