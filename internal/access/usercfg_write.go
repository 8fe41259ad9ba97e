package access

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"hostadm/internal/schema"
)

var storageIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`) })

// splitList is PVE::Tools::split_list: items separated by commas,
// semicolons, whitespace or NUL; empty items dropped.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == 0 || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
	})
}

// encodeText is PVE::Tools::encode_text: every byte outside 0x20-0x7e and
// the colon become %XX. Unlike Proxmox, leading and trailing spaces are
// escaped too: the parser trims fields, so they would otherwise be lost
// (Proxmox decodes the escapes all the same).
func encodeText(s string) string {
	var b strings.Builder
	lead := len(s) - len(strings.TrimLeft(s, " "))
	trail := len(strings.TrimRight(s, " "))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == ':' || (c == ' ' && (i < lead || i >= trail)) {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeText is PVE::Tools::decode_text: %XX sequences become bytes; a
// '%' not followed by two hex digits stays.
func decodeText(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	return string(schema.Unescape(s))
}

func textOut(s string) string {
	if perlTrue(s) {
		return encodeText(s)
	}
	return ""
}

func strOut(s string) string {
	if perlTrue(s) {
		return s
	}
	return ""
}

func (c *UserConfig) parseACL(f []string, b *builtin) {
	propagate := perlTrue(f[1])
	path := NormalizePath(f[2])
	if path == "" {
		c.warnf("ignore invalid path in acl '%s'", f[2])
		return
	}
	for _, role := range splitList(f[4]) {
		if !nameRe().MatchString(role) {
			c.warnf("ignore invalid role name '%s' in acl", role)
			continue
		}
		if b.roles[role] == nil && c.Roles[role] == nil {
			c.warnf("ignore invalid acl role '%s'", role)
			continue
		}
		for _, ug := range splitList(f[3]) {
			c.addACLMember(path, ug, role, propagate)
		}
	}
}

func (c *UserConfig) addACLMember(path, ug, role string, propagate bool) {
	if g, ok := strings.CutPrefix(ug, "@"); ok && g != "" && nameRe().MatchString(g) {
		if c.Groups[g] == nil {
			c.warnf("ignore invalid acl group '%s'", g)
		}
		n := c.aclNode(path)
		n.set(&n.Groups, g, role, propagate)
		return
	}
	if _, _, err := SplitUserID(ug); err == nil {
		if c.Users[ug] == nil {
			c.warnf("ignore invalid acl member '%s'", ug)
		}
		n := c.aclNode(path)
		n.set(&n.Users, ug, role, propagate)
		return
	}
	if user, tok, err := SplitTokenID(ug); err == nil {
		if u := c.Users[user]; u != nil && u.Tokens[tok] != nil {
			n := c.aclNode(path)
			n.set(&n.Tokens, ug, role, propagate)
		} else {
			c.warnf("ignore invalid acl token '%s'", ug)
		}
		return
	}
	c.warnf("invalid user/group '%s' in acl", ug)
}

func (c *UserConfig) aclNode(path string) *ACLNode {
	n := c.ACL[path]
	if n == nil {
		n = &ACLNode{}
		c.ACL[path] = n
	}
	return n
}

func (n *ACLNode) set(m *map[string]map[string]bool, member, role string, propagate bool) {
	if *m == nil {
		*m = map[string]map[string]bool{}
	}
	if (*m)[member] == nil {
		(*m)[member] = map[string]bool{}
	}
	(*m)[member][role] = propagate
}

// Write emits the configuration in Proxmox's canonical layout: users (each
// followed by its tokens), groups, pools, custom roles and the ACL, the
// sections separated by one empty line, everything sorted.
func (c *UserConfig) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, id := range slices.Sorted(maps.Keys(c.Users)) {
		u := c.Users[id]
		fmt.Fprintf(bw, "user:%s:%d:%d:%s:%s:%s:%s:%s:\n", id, schema.Flag(u.Enable), u.Expire,
			textOut(u.Firstname), textOut(u.Lastname), strOut(u.Email), textOut(u.Comment), strOut(u.Keys))
		for _, t := range slices.Sorted(maps.Keys(u.Tokens)) {
			te := u.Tokens[t]
			fmt.Fprintf(bw, "token:%s!%s:%d:%d:%s:\n", id, t, te.Expire, schema.Flag(te.PrivSep), textOut(te.Comment))
		}
	}
	bw.WriteString("\n")
	for _, g := range slices.Sorted(maps.Keys(c.Groups)) {
		ge := c.Groups[g]
		fmt.Fprintf(bw, "group:%s:%s:%s:\n", g, strings.Join(slices.Sorted(maps.Keys(ge.Users)), ","), textOut(ge.Comment))
	}
	bw.WriteString("\n")
	for _, name := range slices.Sorted(maps.Keys(c.Pools)) {
		p := c.Pools[name]
		fmt.Fprintf(bw, "pool:%s:%s:%s:%s:\n", name, textOut(p.Comment),
			strings.Join(slices.Sorted(maps.Keys(p.VMs)), ","), strings.Join(slices.Sorted(maps.Keys(p.Storage)), ","))
	}
	bw.WriteString("\n")
	for _, r := range slices.Sorted(maps.Keys(c.Roles)) {
		fmt.Fprintf(bw, "role:%s:%s:\n", r, strings.Join(slices.Sorted(maps.Keys(c.Roles[r])), ","))
	}
	bw.WriteString("\n")
	for _, path := range sortedACLPaths(c.ACL) {
		writeACLNode(bw, path, c.ACL[path])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write user.cfg: %w", err)
	}
	return nil
}

// sortedACLPaths orders paths the way a sorted walk of Proxmox's ACL tree
// visits them: a parent before its children, siblings by name.
func sortedACLPaths(acl map[string]*ACLNode) []string {
	paths := slices.Sorted(maps.Keys(acl))
	sort.Slice(paths, func(i, j int) bool {
		a, b := strings.Split(strings.Trim(paths[i], "/"), "/"), strings.Split(strings.Trim(paths[j], "/"), "/")
		if paths[i] == "/" || paths[j] == "/" {
			return paths[i] == "/" && paths[j] != "/"
		}
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	return paths
}

// writeACLNode groups the members of one path by (propagate, role list),
// as write_user_config does; root@pam is never written.
func writeACLNode(w *bufio.Writer, path string, n *ACLNode) {
	lines := [2]map[string][]string{{}, {}}
	collect := func(m map[string]map[string]bool, prefix, exclude string) {
		for member, roles := range m {
			if member == exclude {
				continue
			}
			var l [2][]string
			for _, r := range slices.Sorted(maps.Keys(roles)) {
				l[schema.Flag(roles[r])] = append(l[schema.Flag(roles[r])], r)
			}
			for p := range 2 {
				if len(l[p]) > 0 {
					key := strings.Join(l[p], ",")
					lines[p][key] = append(lines[p][key], prefix+member)
				}
			}
		}
	}
	collect(n.Groups, "@", "")
	collect(n.Users, "", RootUser)
	collect(n.Tokens, "", "")
	for p := range 2 {
		for _, roles := range slices.Sorted(maps.Keys(lines[p])) {
			members := lines[p][roles]
			sort.Strings(members)
			fmt.Fprintf(w, "acl:%d:%s:%s:%s:\n", p, path, strings.Join(members, ","), roles)
		}
	}
}
