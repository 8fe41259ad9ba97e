package api_test

import (
	"net/url"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestPrivsepTokenCannotEscalate: a privilege-separated token is never
// "self" for its owner, so it cannot mint or loosen tokens of its owner.
func TestPrivsepTokenCannotEscalate(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	env.AddUser("alice@pve", "alice-secret", map[string]string{"/": "Administrator"})
	mk := func(id string) daemontest.Auth {
		m := env.MustOK(root, "POST", "/access/users/alice@pve/token/"+id, url.Values{"privsep": {"1"}}).Data.(map[string]any)
		return daemontest.Auth{Token: m["full-tokenid"].(string) + "=" + m["value"].(string)}
	}
	limited := mk("limited")
	mk("other")
	for _, c := range []struct{ method, path string }{
		{"POST", "/access/users/alice@pve/token/escalated"},
		{"PUT", "/access/users/alice@pve/token/other"},
		{"DELETE", "/access/users/alice@pve/token/other"},
		{"GET", "/access/users/alice@pve"},
		{"GET", "/access/users/alice@pve/token"},
	} {
		params := url.Values{}
		if c.method == "POST" || c.method == "PUT" {
			params.Set("privsep", "0")
		}
		if r := env.Do(limited, c.method, c.path, params); r.Status != 403 {
			t.Errorf("%s %s with a privsep token: %d, want 403", c.method, c.path, r.Status)
		}
	}
}

// TestPasswordChangeNeedsConfirmation: everyone but root@pam confirms a
// password change with their own password, and changing another user's
// password needs Realm.AllocateUser too.
func TestPasswordChangeNeedsConfirmation(t *testing.T) {
	env := daemontest.Start(t)
	alice := env.AddUser("alice@pve", "alice-secret", nil)
	env.AddUser("admin@pve", "admin-secret", nil)
	// User.Modify on the groups, but no Realm.AllocateUser on the realm.
	mallory := env.AddUser("mallory@pve", "mallory-secret", map[string]string{"/access/groups": "PVEUserAdmin"})

	r := env.Do(alice, "PUT", "/access/password", url.Values{"userid": {"alice@pve"}, "password": {"new-secret-1"}})
	if r.Status != 400 || r.Errors["confirmation-password"] == "" {
		t.Errorf("without confirmation: %d %v", r.Status, r.Errors)
	}
	r = env.Do(alice, "PUT", "/access/password", url.Values{"userid": {"alice@pve"}, "password": {"new-secret-1"},
		"confirmation-password": {alice.Ticket}})
	if r.Status != 400 {
		t.Errorf("ticket as confirmation: %d", r.Status)
	}
	env.MustOK(alice, "PUT", "/access/password", url.Values{"userid": {"alice@pve"}, "password": {"new-secret-1"},
		"confirmation-password": {"alice-secret"}})
	env.Login("alice@pve", "new-secret-1")

	r = env.Do(mallory, "PUT", "/access/password", url.Values{"userid": {"admin@pve"}, "password": {"taken-over"},
		"confirmation-password": {"mallory-secret"}})
	if r.Status == 200 {
		t.Error("PVEUserAdmin on /access changed another user's password without Realm.AllocateUser")
	}
	if r := env.Do(alice, "PUT", "/access/password", url.Values{"userid": {"alice@pve"}, "password": {"short"},
		"confirmation-password": {"new-secret-1"}}); r.Status != 400 || r.Errors["password"] == "" {
		t.Errorf("short password: %d %v", r.Status, r.Errors)
	}
}
