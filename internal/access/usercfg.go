package access

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// UserConfig is the content of /etc/pve/user.cfg: users with their API
// token metadata, groups, pools, custom roles and the ACL. Parse and Write
// follow PVE::AccessControl's parse_user_config and write_user_config, so a
// file written by Proxmox round-trips byte for byte. Like Proxmox, the model
// is keyed (not ordered): Write emits Proxmox's canonical order.
type UserConfig struct {
	Users  map[string]*UserEntry
	Groups map[string]*GroupEntry
	Pools  map[string]*PoolEntry
	Roles  map[string]map[string]bool // custom roles: privilege set
	ACL    map[string]*ACLNode        // normalised path → entries
	// Warnings lists the lines Proxmox would also have ignored, with why.
	Warnings []string
}

// UserEntry is one "user:" line plus the "token:" lines of that user.
type UserEntry struct {
	Enable                                    bool
	Expire                                    int64
	Firstname, Lastname, Email, Comment, Keys string
	Groups                                    map[string]bool
	Tokens                                    map[string]*TokenEntry
}

// TokenEntry is the metadata of one API token (its secret is in token.cfg).
type TokenEntry struct {
	Expire  int64
	PrivSep bool
	Comment string
}

// GroupEntry is a "group:" line.
type GroupEntry struct {
	Users   map[string]bool
	Comment string
}

// PoolEntry is a "pool:" line; hostadm keeps pools but does not manage them.
type PoolEntry struct {
	Comment string
	VMs     map[string]bool // decimal VMIDs
	Storage map[string]bool
}

// ACLNode holds the ACL entries of one path: member → role → propagate.
// Members are user ids, group names (without '@') and full token ids.
type ACLNode struct {
	Users, Groups, Tokens map[string]map[string]bool
}

// NewUserConfig returns the configuration Proxmox derives from an empty
// file: root@pam, enabled.
func NewUserConfig() *UserConfig {
	c := &UserConfig{Users: map[string]*UserEntry{}, Groups: map[string]*GroupEntry{},
		Pools: map[string]*PoolEntry{}, Roles: map[string]map[string]bool{}, ACL: map[string]*ACLNode{}}
	c.forceDefaults()
	return c
}

func (c *UserConfig) forceDefaults() {
	if c.Users[RootUser] == nil {
		c.Users[RootUser] = &UserEntry{Enable: true}
	}
}

func (c *UserConfig) warnf(format string, a ...any) {
	c.Warnings = append(c.Warnings, "user config - "+fmt.Sprintf(format, a...))
}

// ParseUserConfig reads user.cfg. Lines Proxmox ignores are ignored here
// too and reported in Warnings; only read errors are returned.
func ParseUserConfig(r io.Reader) (*UserConfig, error) {
	c := &UserConfig{Users: map[string]*UserEntry{}, Groups: map[string]*GroupEntry{},
		Pools: map[string]*PoolEntry{}, Roles: map[string]map[string]bool{}, ACL: map[string]*ACLNode{}}
	c.forceDefaults()
	b := newBuiltin()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := splitFields(line)
		switch f[0] {
		case "user":
			c.parseUser(f)
		case "group":
			c.parseGroup(f)
		case "role":
			c.parseRole(f, b)
		case "acl":
			c.parseACL(f, b)
		case "pool":
			c.parsePool(f)
		case "token":
			c.parseToken(f)
		default:
			c.warnf("ignore config line: %s", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read user.cfg: %w", err)
	}
	c.forceDefaults()
	return c, nil
}

// splitFields is Perl's split(/:/, $line) with each field trimmed: trailing
// empty fields are dropped, and the result always has at least 9 entries
// so that missing fields read as "".
func splitFields(line string) []string {
	f := strings.Split(line, ":")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	for len(f) > 1 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	for len(f) < 9 {
		f = append(f, "")
	}
	return f
}

// perlTrue is Perl's truth of a string: "" and "0" are false.
func perlTrue(s string) bool { return s != "" && s != "0" }

func parseExpire(s string) (int64, bool) {
	if !perlTrue(s) {
		return 0, true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func textIf(s string) string {
	if perlTrue(s) {
		return decodeText(s)
	}
	return ""
}

func (c *UserConfig) parseUser(f []string) {
	id := f[1]
	if _, _, err := SplitUserID(id); err != nil {
		c.warnf("ignore user '%s' - invalid user name", id)
		return
	}
	exp, ok := parseExpire(f[3])
	if !ok {
		c.warnf("ignore user '%s' - (illegal characters in expire '%s')", id, f[3])
		return
	}
	u := &UserEntry{Enable: perlTrue(f[2]), Expire: exp, Firstname: textIf(f[4]),
		Lastname: textIf(f[5]), Email: f[6], Comment: textIf(f[7])}
	if perlTrue(f[8]) {
		u.Keys = f[8]
	}
	c.Users[id] = u // a repeated line replaces the user, dropping its tokens
}

func (c *UserConfig) parseGroup(f []string) {
	g := f[1]
	if !nameRe().MatchString(g) {
		c.warnf("ignore group '%s' - invalid characters in group name", g)
		return
	}
	ge := c.Groups[g]
	if ge == nil {
		ge = &GroupEntry{Users: map[string]bool{}}
		c.Groups[g] = ge
	}
	if perlTrue(f[3]) {
		ge.Comment = decodeText(f[3])
	}
	for _, u := range splitList(f[2]) {
		if _, _, err := SplitUserID(u); err != nil {
			c.warnf("ignore invalid group member '%s'", u)
			continue
		}
		if ue := c.Users[u]; ue != nil {
			ue.addGroup(g)
		} else {
			c.warnf("ignore invalid group member '%s'", u)
		}
		ge.Users[u] = true
	}
}

func (u *UserEntry) addGroup(g string) {
	if u.Groups == nil {
		u.Groups = map[string]bool{}
	}
	u.Groups[g] = true
}

func (c *UserConfig) parseRole(f []string, b *builtin) {
	r := f[1]
	if !nameRe().MatchString(r) {
		c.warnf("ignore role '%s' - invalid characters in role name", r)
		return
	}
	if b.roles[r] != nil {
		return // built-in roles are forced to their fixed privileges
	}
	if c.Roles[r] == nil {
		c.Roles[r] = map[string]bool{}
	}
	for _, p := range splitList(f[2]) {
		if b.privs[p] {
			c.Roles[r][p] = true
		} else {
			c.warnf("ignore invalid privilege '%s'", p)
		}
	}
}

func (c *UserConfig) parsePool(f []string) {
	name := f[1]
	if !nameRe().MatchString(name) {
		c.warnf("ignore pool '%s' - invalid characters in pool name", name)
		return
	}
	p := c.Pools[name]
	if p == nil {
		p = &PoolEntry{VMs: map[string]bool{}, Storage: map[string]bool{}}
		c.Pools[name] = p
	}
	if perlTrue(f[2]) {
		p.Comment = decodeText(f[2])
	}
	for _, v := range splitList(f[3]) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || strings.ContainsAny(v, "+-") {
			c.warnf("ignore invalid vmid '%s' in pool '%s'", v, name)
			continue
		}
		id := strconv.FormatInt(n, 10)
		if c.poolOf(id) != "" {
			c.warnf("ignore duplicate vmid '%s' in pool '%s'", id, name)
			continue
		}
		p.VMs[id] = true
	}
	for _, s := range splitList(f[4]) {
		if !storageIDRe().MatchString(s) {
			c.warnf("ignore invalid storage '%s' in pool '%s'", s, name)
			continue
		}
		p.Storage[s] = true
	}
}

func (c *UserConfig) poolOf(vmid string) string {
	for name, p := range c.Pools {
		if p.VMs[vmid] {
			return name
		}
	}
	return ""
}

func (c *UserConfig) parseToken(f []string) {
	full := f[1]
	user, tok, err := SplitTokenID(full)
	if err != nil {
		c.warnf("ignore invalid tokenid '%s'", full)
		return
	}
	exp, ok := parseExpire(f[2])
	if !ok {
		c.warnf("ignore token '%s' - (illegal characters in expire '%s')", full, f[2])
		return
	}
	u := c.Users[user]
	if u == nil {
		c.warnf("ignore token '%s' - user does not exist", full)
		return
	}
	if u.Tokens == nil {
		u.Tokens = map[string]*TokenEntry{}
	}
	u.Tokens[tok] = &TokenEntry{Expire: exp, PrivSep: perlTrue(f[3]), Comment: textIf(f[4])}
}
