package access

import (
	"errors"
	"slices"
	"time"
)

// ErrForbidden marks a change the caller may not make whatever its ACLs
// say: it would hand out privileges the caller lacks or lock the
// administrators out. The API answers it with 403.
var ErrForbidden = errors.New("permission denied")

// isRoot tells whether id is root@pam itself (not one of its tokens).
func isRoot(id Identity) bool { return id.User == RootUser && id.TokenID == "" }

// guardAccount refuses a change to target's account (update, delete) by
// anyone but root@pam when target is root@pam or the last enabled account
// (besides root@pam) holding the Administrator role on "/": losing either
// locks the administrators out, and getting them back needs local root.
// Proxmox only protects root@pam's enable flag; hostadm goes further.
func (t *txn) guardAccount(caller Identity, target string, now time.Time) error {
	if isRoot(caller) {
		return nil
	}
	if target == RootUser {
		return errorf(ErrForbidden, "only root@pam may modify or delete root@pam")
	}
	if t.users.lastAdmin(target, now) {
		return errorf(ErrForbidden, "'%s' is the last Administrator on '/': only root@pam may modify or delete it", target)
	}
	return nil
}

// guardAdminsLeft refuses, for anyone but root@pam, a change that leaves
// no enabled account besides root@pam holding the Administrator role on
// "/" when before (otherAdmins before the change) had one: removing the
// role from the last of them (an ACL entry of the user or of its group
// taken away, a NoAccess put over it) locks the administrators out as
// surely as deleting the account, which guardAccount refuses. root@pam
// always counts as an Administrator but logs in with the host's root
// password, which many hosts lock; it may make the change itself.
func (t *txn) guardAdminsLeft(caller Identity, before []string, now time.Time) error {
	if isRoot(caller) || len(before) == 0 || len(t.users.otherAdmins(now)) > 0 {
		return nil
	}
	if len(before) == 1 {
		return errorf(ErrForbidden, "'%s' is the last Administrator on '/': only root@pam may take the role away", before[0])
	}
	return errorf(ErrForbidden, "no Administrator on '/' besides root@pam would be left: only root@pam may make this change")
}

// otherAdmins are the enabled accounts besides root@pam holding the
// Administrator role on "/", sorted.
func (c *UserConfig) otherAdmins(now time.Time) []string {
	var out []string
	for u := range c.Users {
		if u != RootUser && c.enabledAdmin(u, now) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// lastAdmin tells whether userid is an enabled Administrator on "/" and no
// other enabled account besides root@pam is one.
func (c *UserConfig) lastAdmin(userid string, now time.Time) bool {
	if !c.enabledAdmin(userid, now) {
		return false
	}
	for other := range c.Users {
		if other != userid && other != RootUser && c.enabledAdmin(other, now) {
			return false
		}
	}
	return true
}

func (c *UserConfig) enabledAdmin(userid string, now time.Time) bool {
	u := c.Users[userid]
	if u == nil || !u.Enable || (u.Expire > 0 && u.Expire < now.Unix()) {
		return false
	}
	_, ok := c.roles(userid, "/")["Administrator"]
	return ok
}

// guardPrivileges refuses to let caller create a token for target, widen
// one (privsep off) or set target's password, unless caller is root@pam or target itself, or
// caller holds every privilege target holds, on every path where target
// holds any, with at least the same propagation. A token (privilege
// separated or not) can never do more than its user, and a password lets
// the caller log in as target, so this stops a user administrator from
// making itself a more privileged identity. Only root@pam manages
// root@pam's tokens.
func (s *Service) guardPrivileges(t *txn, caller Identity, target string) error {
	if isRoot(caller) {
		return nil
	}
	if target == RootUser {
		return errorf(ErrForbidden, "only root@pam may manage root@pam's API tokens")
	}
	if caller.TokenID == "" && caller.User == target {
		return nil
	}
	for _, path := range interestingPaths(t.users) {
		want := s.permissions(t.users, Identity{User: target}, path)
		if len(want) == 0 {
			continue
		}
		have := s.permissions(t.users, caller, path)
		for p, prop := range want {
			hp, ok := have[p]
			if !ok || (prop && !hp) {
				return errorf(ErrForbidden, "'%s' holds '%s' on '%s', which you do not: only a caller holding all of its privileges may give it a token or a password", target, p, path)
			}
		}
	}
	return nil
}

// interestingPaths are the paths where privileges can differ: the top
// levels, every ACL path with its ancestors, and pool members.
func interestingPaths(c *UserConfig) []string {
	seen := map[string]bool{"/": true, "/access": true, "/access/groups": true, "/access/realm": true,
		"/nodes": true, "/pool": true, "/sdn": true, "/storage": true, "/vms": true, "/mapping": true}
	for _, p := range aclTreePaths(c) {
		seen[p] = true
	}
	for _, p := range c.Pools {
		for vm := range p.VMs {
			seen["/vms/"+vm] = true
		}
		for sid := range p.Storage {
			seen["/storage/"+sid] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	return out
}
