package access

import (
	"context"
	"maps"
	"slices"
	"sort"

	"hostadm/internal/schema"
)

// Roles lists the built-in roles (Special 1) and the custom ones.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	out := BuiltinRoles()
	for _, r := range slices.Sorted(maps.Keys(st.users.Roles)) {
		out = append(out, Role{RoleID: r, Privs: slices.Sorted(maps.Keys(st.users.Roles[r]))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoleID < out[j].RoleID })
	return out, nil
}

// ACL lists every grant, ordered by path, type, member and role.
func (s *Service) ACL(ctx context.Context) ([]ACLEntry, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []ACLEntry
	for _, p := range sortedACLPaths(st.users.ACL) {
		n := st.users.ACL[p]
		for _, kind := range []struct {
			typ string
			m   map[string]map[string]bool
		}{{"group", n.Groups}, {"token", n.Tokens}, {"user", n.Users}} {
			for _, ug := range slices.Sorted(maps.Keys(kind.m)) {
				for _, r := range slices.Sorted(maps.Keys(kind.m[ug])) {
					out = append(out, ACLEntry{Path: p, Type: kind.typ, UGID: ug, RoleID: r, Propagate: schema.Flag(kind.m[ug][r])})
				}
			}
		}
	}
	return out, nil
}

// ModifyACL adds (or, with del, removes) the given roles on path for the
// given users, groups and tokens on behalf of caller, checking like
// API2/ACL.pm that the path is valid and that roles, users, groups and
// tokens exist, and that the change leaves an Administrator on "/"
// besides root@pam (see guardAdminsLeft).
func (s *Service) ModifyACL(ctx context.Context, caller Identity, path string, roles, users, groups, tokens []string, propagate bool, del bool) error {
	np := NormalizePath(path)
	if np == "" || (!del && !ValidACLPath(np)) {
		return invalidf("invalid ACL path '%s'", path)
	}
	return s.modify(ctx, "ACL update failed", func(t *txn) error {
		c := t.users
		now := s.now()
		admins := c.otherAdmins(now)
		for _, r := range roles {
			if s.builtin.roles[r] == nil && c.Roles[r] == nil {
				return errorf(ErrNoSuchRole, "role '%s' does not exist", r)
			}
		}
		for _, g := range groups {
			if c.Groups[g] == nil {
				return errorf(ErrNoSuchGroup, "group '%s' does not exist", g)
			}
		}
		for _, u := range users {
			if c.Users[u] == nil {
				return errorf(ErrNoSuchUser, "user '%s' does not exist", u)
			}
		}
		for _, tk := range tokens {
			uid, tid, err := SplitTokenID(tk)
			if err != nil {
				return err
			}
			if _, err := t.token(uid, tid); err != nil {
				return err
			}
		}
		n := c.aclNode(np)
		for _, r := range roles {
			for _, kind := range []struct {
				m   *map[string]map[string]bool
				ids []string
			}{{&n.Groups, groups}, {&n.Users, users}, {&n.Tokens, tokens}} {
				for _, id := range kind.ids {
					if del {
						if (*kind.m)[id] != nil {
							delete((*kind.m)[id], r)
							if len((*kind.m)[id]) == 0 {
								delete(*kind.m, id)
							}
						}
						continue
					}
					n.set(kind.m, id, r, propagate)
				}
			}
		}
		if len(n.Users)+len(n.Groups)+len(n.Tokens) == 0 {
			delete(c.ACL, np)
		}
		if err := t.guardAdminsLeft(caller, admins, now); err != nil {
			return err
		}
		t.dirty(PathUserCfg)
		return nil
	})
}
