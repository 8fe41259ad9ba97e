package api_test

import (
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestUserAdminCannotEscalate replays the reproduced escalation: a user
// administrator scoped to /access/groups minted a root@pam token with
// privsep=0 and became Administrator. Token endpoints now need Proxmox's
// User.Modify on /access/users/{userid}, only root@pam manages root@pam's
// tokens, and nobody gives a token or a password to a user holding
// privileges the caller lacks.
func TestUserAdminCannotEscalate(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	groupAdmin := env.AddUser("ga@pve", "ga-password", map[string]string{"/access/groups": "PVEUserAdmin"})
	accessAdmin := env.AddUser("aa@pve", "aa-password", map[string]string{"/access": "PVEUserAdmin"})
	env.AddUser("boss@pve", "boss-password", map[string]string{"/": "Administrator"})
	env.MustOK(root, "POST", "/access/users", url.Values{"userid": {"plain@pve"}})
	env.MustOK(root, "POST", "/access/users/boss@pve/token/keep", nil)

	for _, c := range []struct {
		name         string
		auth         daemontest.Auth
		method, path string
		params       url.Values
		want         int
	}{
		{"root@pam token by group admin", groupAdmin, "POST", "/access/users/root@pam/token/evil", url.Values{"privsep": {"0"}}, 403},
		{"root@pam token by access admin", accessAdmin, "POST", "/access/users/root@pam/token/evil", url.Values{"privsep": {"0"}}, 403},
		{"root@pam token removal", accessAdmin, "DELETE", "/access/users/root@pam/token/evil", nil, 403},
		{"token of an Administrator", accessAdmin, "POST", "/access/users/boss@pve/token/evil", url.Values{"privsep": {"0"}}, 403},
		{"widen an Administrator's token", accessAdmin, "PUT", "/access/users/boss@pve/token/keep", url.Values{"privsep": {"0"}}, 403},
		{"password of an Administrator", accessAdmin, "PUT", "/access/password", url.Values{"userid": {"boss@pve"}, "password": {"taken-over"}, "confirmation-password": {"aa-password"}}, 403},
		{"group admin has no /access/users", groupAdmin, "POST", "/access/users/plain@pve/token/tk", nil, 403},
		{"token of a lesser user", accessAdmin, "POST", "/access/users/plain@pve/token/tk", nil, 200},
		{"own token", groupAdmin, "POST", "/access/users/ga@pve/token/mine", nil, 200},
		{"root mints its own", root, "POST", "/access/users/root@pam/token/ok", nil, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(c.auth, c.method, c.path, c.params)
			if r.Status != c.want {
				t.Errorf("%s %s: %d %s %v, want %d", c.method, c.path, r.Status, r.Reason, r.Errors, c.want)
			}
		})
	}
	// Nothing was minted for root@pam or boss@pve by the others.
	toks := env.MustOK(root, "GET", "/access/users/root@pam/token", nil).Data.([]any)
	if len(toks) != 1 {
		t.Errorf("root@pam tokens: %v, want only 'ok'", toks)
	}
	toks = env.MustOK(root, "GET", "/access/users/boss@pve/token", nil).Data.([]any)
	if len(toks) != 1 || toks[0].(map[string]any)["privsep"] != float64(1) {
		t.Errorf("boss@pve tokens: %v, want only 'keep' with privsep", toks)
	}
}

// TestSuperuserCannotBeLockedOut: a user administrator could disable,
// expire or delete root@pam (and the only other Administrator), which
// locked everyone out. Both are root-only now, and root@pam is always
// enabled whatever user.cfg says.
func TestSuperuserCannotBeLockedOut(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	ua := env.AddUser("ua@pve", "ua-password", map[string]string{"/access": "PVEUserAdmin"})
	env.AddUser("boss@pve", "boss-password", map[string]string{"/": "Administrator"})
	env.MustOK(root, "POST", "/access/users/root@pam/token/ci", url.Values{"privsep": {"0"}})

	for _, c := range []struct {
		name         string
		method, path string
		params       url.Values
	}{
		{"disable root", "PUT", "/access/users/root@pam", url.Values{"enable": {"0"}}},
		{"expire root", "PUT", "/access/users/root@pam", url.Values{"expire": {"1"}}},
		{"delete root", "DELETE", "/access/users/root@pam", nil},
		{"disable the last Administrator", "PUT", "/access/users/boss@pve", url.Values{"enable": {"0"}}},
		{"delete the last Administrator", "DELETE", "/access/users/boss@pve", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := env.Do(ua, c.method, c.path, c.params); r.Status != 403 {
				t.Errorf("%d %s, want 403", r.Status, r.Reason)
			}
		})
	}
	// root@pam itself may write enable=0, but stays enabled (as Proxmox).
	env.MustOK(root, "PUT", "/access/users/root@pam", url.Values{"enable": {"0"}})
	env.MustOK(root, "GET", "/version", nil)
	// With a second Administrator, boss@pve is no longer the last one.
	env.AddUser("boss2@pve", "boss2-password", map[string]string{"/": "Administrator"})
	env.MustOK(ua, "PUT", "/access/users/boss@pve", url.Values{"enable": {"0"}})
	if r := env.Do(ua, "DELETE", "/access/users/boss2@pve", nil); r.Status != 403 {
		t.Errorf("delete the now last Administrator: %d %s, want 403", r.Status, r.Reason)
	}
}

// TestRealmOfUserWithAt: user names may contain '@' (x@pam@pve is user
// "x@pam" of realm pve); the realm check split at the first '@' and
// answered 500.
func TestRealmOfUserWithAt(t *testing.T) {
	env := daemontest.Start(t)
	ua := env.AddUser("ua@pve", "ua-password", map[string]string{"/access": "PVEUserAdmin"})
	r := env.Do(ua, "POST", "/access/users", url.Values{"userid": {"x@pam@pve"}})
	if r.Status != 200 {
		t.Fatalf("create x@pam@pve: %d %s", r.Status, r.Reason)
	}
	if r := env.Do(ua, "DELETE", "/access/users/x@pam@pve", nil); r.Status != 200 {
		t.Errorf("delete x@pam@pve: %d %s", r.Status, r.Reason)
	}
}

// TestLastAdministratorKeepsRole: the last enabled Administrator on "/"
// besides root@pam could take the role from itself (or have a NoAccess
// put over it) through the ACL endpoint, leaving only root@pam, whose
// password login many hosts lock. That is refused with 403 unless
// root@pam does it; with a second Administrator it is allowed.
func TestLastAdministratorKeepsRole(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	boss := env.AddUser("boss@pve", "boss-password", map[string]string{"/": "Administrator"})
	drop := url.Values{"path": {"/"}, "roles": {"Administrator"}, "users": {"boss@pve"}, "delete": {"1"}}
	if r := env.Do(boss, "PUT", "/access/acl", drop); r.Status != 403 || !strings.Contains(string(r.Body), "last Administrator") {
		t.Errorf("the last Administrator drops its role: %d %s %s, want 403", r.Status, r.Reason, r.Body)
	}
	if r := env.Do(boss, "PUT", "/access/acl", url.Values{"path": {"/"}, "roles": {"NoAccess"}, "users": {"boss@pve"}}); r.Status != 403 {
		t.Errorf("NoAccess over the last Administrator: %d %s, want 403", r.Status, r.Reason)
	}
	roles := func() []string { // boss@pve's roles on "/"
		var out []string
		for _, e := range env.MustOK(root, "GET", "/access/acl", nil).Data.([]any) {
			if m := e.(map[string]any); m["ugid"] == "boss@pve" && m["path"] == "/" {
				out = append(out, m["roleid"].(string))
			}
		}
		return out
	}
	if got := roles(); len(got) != 1 || got[0] != "Administrator" {
		t.Errorf("after the refusals boss@pve has %q on /, want only Administrator", got)
	}
	env.AddUser("boss2@pve", "boss2-password", map[string]string{"/": "Administrator"})
	env.MustOK(boss, "PUT", "/access/acl", drop)
	if got := roles(); len(got) != 0 {
		t.Errorf("with boss2@pve left, boss@pve still has %q on /", got)
	}
	env.MustOK(root, "PUT", "/access/acl", url.Values{"path": {"/"}, "roles": {"Administrator"}, "users": {"boss2@pve"}, "delete": {"1"}})
}
