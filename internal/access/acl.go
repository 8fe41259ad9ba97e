package access

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/schema"
)

// roles is PVE::AccessControl::roles: the roles of a user or token on a
// path, role → propagate. Walking from "/" down, at each level the
// member's own entries (tokens, then users) replace what was inherited,
// else the entries of its groups do; an entry applies at its own path and,
// with propagate, below. A NoAccess role wins alone.
func (c *UserConfig) roles(authid, path string) map[string]bool {
	comps := []string{""}
	if path != "/" {
		comps = strings.Split(path, "/")
	}
	roles := map[string]bool{}
	cur := ""
	for i, comp := range comps {
		final := i == len(comps)-1
		if comp != "" {
			cur += "/" + comp
		}
		key := cur
		if key == "" {
			key = "/"
		}
		n := c.ACL[key]
		if n == nil {
			continue
		}
		if nr := applicable(n.Tokens[authid], final); nr != nil {
			roles = nr
			continue
		}
		if nr := applicable(n.Users[authid], final); nr != nil {
			roles = nr
			continue
		}
		var gr map[string]bool
		for g, ri := range n.Groups {
			if ge := c.Groups[g]; ge == nil || !ge.Users[authid] {
				continue
			}
			for r, p := range applicable(ri, final) {
				if gr == nil {
					gr = map[string]bool{}
				}
				gr[r] = p
			}
		}
		if gr != nil {
			roles = gr
		}
	}
	if p, ok := roles["NoAccess"]; ok {
		return map[string]bool{"NoAccess": p}
	}
	return roles
}

func applicable(ri map[string]bool, final bool) map[string]bool {
	var out map[string]bool
	for r, p := range ri {
		if final || p {
			if out == nil {
				out = map[string]bool{}
			}
			out[r] = p
		}
	}
	return out
}

// privs compiles the privileges of authid (a user id or a privilege
// separated token) on path: priv → propagate, including roles granted on
// pools that contain the VM or storage.
func (s *Service) privs(c *UserConfig, authid, path string) map[string]bool {
	roles := c.roles(authid, path)
	if _, ok := roles["NoAccess"]; !ok {
		pool := map[string]bool{}
		for name, p := range c.Pools {
			var member bool
			if id, ok := strings.CutPrefix(path, "/vms/"); ok {
				member = p.VMs[id]
			} else if id, ok := strings.CutPrefix(path, "/storage/"); ok {
				member = p.Storage[id]
			}
			if member {
				for r := range c.roles(authid, "/pool/"+name) {
					pool[r] = true
				}
			}
		}
		if pool["NoAccess"] {
			roles = map[string]bool{"NoAccess": false}
		} else {
			for r := range pool {
				if _, ok := roles[r]; !ok {
					roles[r] = false
				}
			}
		}
	}
	out := map[string]bool{}
	for r, prop := range roles {
		set := s.builtin.roles[r]
		if set == nil {
			set = c.Roles[r]
		}
		for p := range set {
			out[p] = out[p] || prop
		}
	}
	return out
}

// permissions is RPCEnvironment::permissions for an identity.
func (s *Service) permissions(c *UserConfig, id Identity, path string) map[string]bool {
	if id.TokenID == "" {
		if id.User == RootUser {
			return s.allPrivs()
		}
		if _, _, err := SplitUserID(id.User); err != nil {
			return map[string]bool{}
		}
		return s.privs(c, id.User, path)
	}
	u := c.Users[id.User]
	if u == nil || u.Tokens[id.TokenID] == nil {
		return map[string]bool{}
	}
	userPrivs := s.permissions(c, Identity{User: id.User}, path)
	if !u.Tokens[id.TokenID].PrivSep {
		return userPrivs
	}
	tok := s.privs(c, id.AuthID(), path)
	if id.User == RootUser {
		return tok // Proxmox does not intersect with root@pam's privileges
	}
	out := map[string]bool{}
	for p, prop := range tok {
		if up, ok := userPrivs[p]; ok {
			out[p] = prop && up
		}
	}
	return out
}

func (s *Service) allPrivs() map[string]bool {
	out := make(map[string]bool, len(s.builtin.privs))
	for p := range s.builtin.privs {
		out[p] = true
	}
	return out
}

// Privileges returns the privileges id holds on path, each mapped to its
// propagate flag (presence means granted).
func (s *Service) Privileges(ctx context.Context, id Identity, path string) (map[string]bool, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	np := NormalizePath(path)
	if u, ok := strings.CutPrefix(path, "/access/users/"); ok && np == "" {
		// Proxmox checks User.Modify on /access/users/{userid}; no ACL can
		// name such a path, so it inherits from /access and "/".
		if _, _, err := SplitUserID(u); err == nil {
			np = path
		}
	}
	if np == "" {
		return nil, invalidf("invalid ACL path '%s'", path)
	}
	return s.permissions(st.users, id, np), nil
}

// HasPrivs tells whether id holds all (or, with any, at least one) of
// privs on path. root@pam passes every check; unknown privilege names are
// an error ("invalid privilege '<name>'").
func (s *Service) HasPrivs(ctx context.Context, id Identity, path string, privs []string, any bool) (bool, error) {
	for _, p := range privs {
		if !s.builtin.privs[p] {
			return false, invalidf("invalid privilege '%s'", p)
		}
	}
	if id.User == RootUser && id.TokenID == "" {
		return true, nil
	}
	have, err := s.Privileges(ctx, id, path)
	if err != nil {
		return false, err
	}
	for _, p := range privs {
		_, ok := have[p]
		if any && ok {
			return true, nil
		}
		if !any && !ok {
			return false, nil
		}
	}
	return !any, nil
}

// capRe is compute_api_permission's map from a top-level path to the
// privileges the web UI wants to know about.
var capRe = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"vms":     regexp.MustCompile(`^(VM\.|Permissions\.Modify)`),
		"access":  regexp.MustCompile(`^((User|Group)\.|Permissions\.Modify)`),
		"storage": regexp.MustCompile(`^(Datastore\.|Permissions\.Modify)`),
		"nodes":   regexp.MustCompile(`^(Sys\.|Permissions\.Modify)`),
		"sdn":     regexp.MustCompile(`^(SDN\.|Permissions\.Modify)`),
		"dc":      regexp.MustCompile(`^(Sys\.Audit|Sys\.Modify|SDN\.)`),
		"mapping": regexp.MustCompile(`^(Mapping\.|Permissions.Modify)`),
	}
})

var topRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/(\w+)`) })

// Cap computes the "cap" object of the login reply: for each area (vms,
// access, storage, nodes, sdn, dc, mapping) the privileges id holds on
// its top path or on any ACL path in it, each mapped to 1.
func (s *Service) Cap(ctx context.Context, id Identity) (map[string]map[string]int, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	res := map[string]map[string]int{}
	for k := range capRe() {
		res[k] = map[string]int{}
	}
	paths := []string{"/", "/nodes", "/access/groups", "/vms", "/storage", "/sdn", "/mapping"}
	paths = append(paths, aclTreePaths(st.users)...)
	seen := map[string]bool{}
	for _, path := range paths {
		if seen[path] {
			continue
		}
		seen[path] = true
		top := "dc"
		if m := topRe().FindStringSubmatch(path); m != nil {
			top = m[1]
		}
		perms := s.permissions(st.users, id, path)
		if top == "pool" {
			for p := range perms {
				switch {
				case strings.HasPrefix(p, "VM."):
					res["vms"][p] = 1
				case strings.HasPrefix(p, "Datastore."):
					res["storage"][p] = 1
				case p == "Permissions.Modify":
					res["storage"][p], res["vms"][p] = 1, 1
				}
			}
			continue
		}
		re := capRe()[top]
		if re == nil {
			continue
		}
		for p := range perms {
			if re.MatchString(p) {
				res[top][p] = 1
			}
		}
	}
	return res, nil
}

// aclTreePaths lists the ACL paths and their ancestors, the nodes of
// Proxmox's ACL tree.
func aclTreePaths(c *UserConfig) []string {
	seen := map[string]bool{}
	for p := range c.ACL {
		for q := p; q != ""; {
			seen[q] = true
			if q == "/" {
				break
			}
			q = q[:strings.LastIndexByte(q, '/')]
			if q == "" {
				q = "/"
			}
		}
	}
	return sortedACLPaths(boolToNodes(seen))
}

func boolToNodes(m map[string]bool) map[string]*ACLNode {
	out := make(map[string]*ACLNode, len(m))
	for k := range m {
		out[k] = nil
	}
	return out
}

// Permissions is GET /access/permissions: with a path, that path's
// privileges (possibly none); without, every path of interest where id
// has any privilege. Values are the propagate flags (1/0).
func (s *Service) Permissions(ctx context.Context, id Identity, path string) (map[string]map[string]int, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	res := map[string]map[string]int{}
	toInt := func(m map[string]bool) map[string]int {
		out := make(map[string]int, len(m))
		for p, v := range m {
			out[p] = schema.Flag(v)
		}
		return out
	}
	if path != "" {
		np := NormalizePath(path)
		if np == "" {
			return nil, invalidf("invalid ACL path '%s'", path)
		}
		res[path] = toInt(s.permissions(st.users, id, np))
		return res, nil
	}
	paths := map[string]bool{"/": true, "/access": true, "/access/groups": true, "/nodes": true,
		"/pool": true, "/sdn": true, "/storage": true, "/vms": true}
	for _, p := range aclTreePaths(st.users) {
		paths[p] = true
	}
	for _, p := range st.users.Pools {
		for vm := range p.VMs {
			paths["/vms/"+vm] = true
		}
		for sid := range p.Storage {
			paths["/storage/"+sid] = true
		}
	}
	for p := range paths {
		if perms := s.permissions(st.users, id, p); len(perms) > 0 {
			res[p] = toInt(perms)
		}
	}
	return res, nil
}
