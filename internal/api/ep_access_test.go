package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

func TestLoginAndTickets(t *testing.T) {
	env := daemontest.Start(t)
	alice := env.AddUser("alice@pve", "alice-secret", map[string]string{"/nodes": "PVEAuditor"})
	node := "/nodes/" + daemontest.Node

	t.Run("ticket grants the role's privileges", func(t *testing.T) {
		env.MustOK(alice, "GET", node+"/status", nil)
		if r := env.Do(alice, "POST", node+"/status", url.Values{"command": {"reboot"}}); r.Status != 403 ||
			r.Reason != "Permission check failed (/nodes/"+daemontest.Node+", Sys.PowerMgmt)" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("login answer", func(t *testing.T) {
		r := env.MustOK(daemontest.Auth{}, "POST", "/access/ticket",
			url.Values{"username": {"alice"}, "realm": {"pve"}, "password": {"alice-secret"}})
		m := r.Data.(map[string]any)
		if m["username"] != "alice@pve" || !strings.HasPrefix(m["ticket"].(string), "PVE:alice@pve:") {
			t.Errorf("login: %v", m)
		}
		caps := m["cap"].(map[string]any)
		if caps["nodes"].(map[string]any)["Sys.Audit"] != float64(1) {
			t.Errorf("cap: %v", caps)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		r := env.Do(daemontest.Auth{}, "POST", "/access/ticket",
			url.Values{"username": {"alice@pve"}, "password": {"nope"}})
		if r.Status != 401 || r.Reason != "authentication failure" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("renew with the ticket as password", func(t *testing.T) {
		r := env.MustOK(daemontest.Auth{}, "POST", "/access/ticket",
			url.Values{"username": {"alice@pve"}, "password": {alice.Ticket}})
		if r.Data.(map[string]any)["ticket"] == "" {
			t.Error("no renewed ticket")
		}
	})
	t.Run("verify privileges on a path", func(t *testing.T) {
		ok := env.Do(daemontest.Auth{}, "POST", "/access/ticket", url.Values{"username": {"alice@pve"},
			"password": {alice.Ticket}, "path": {node}, "privs": {"Sys.Audit"}})
		if ok.Status != 200 || ok.Data.(map[string]any)["ticket"] != nil {
			t.Errorf("verify: %d %s", ok.Status, ok.Body)
		}
		no := env.Do(daemontest.Auth{}, "POST", "/access/ticket", url.Values{"username": {"alice@pve"},
			"password": {alice.Ticket}, "path": {node}, "privs": {"Sys.PowerMgmt"}})
		if no.Status != 401 {
			t.Errorf("verify without privilege: %d", no.Status)
		}
	})
	t.Run("disabled user's ticket stops working", func(t *testing.T) {
		bob := env.AddUser("bob@pve", "bob-secret", map[string]string{"/": "PVEAuditor"})
		env.MustOK(env.RootAuth(), "PUT", "/access/users/bob@pve", url.Values{"enable": {"0"}})
		if r := env.Do(bob, "GET", "/version", nil); r.Status != 401 {
			t.Errorf("disabled user: %d", r.Status)
		}
	})
	t.Run("throttled after many failures", func(t *testing.T) {
		for range 12 {
			env.Do(daemontest.Auth{}, "POST", "/access/ticket", url.Values{"username": {"x@pve"}, "password": {"bad"}})
		}
		r := env.Do(daemontest.Auth{}, "POST", "/access/ticket",
			url.Values{"username": {"alice@pve"}, "password": {"alice-secret"}})
		if r.Status != 401 {
			t.Errorf("throttle: good password after many failures answered %d", r.Status)
		}
	})
}

func TestAPITokens(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	env.AddUser("carol@pve", "carol-secret", map[string]string{"/": "PVEAuditor"})
	node := "/nodes/" + daemontest.Node
	mint := func(tokenid, privsep string) daemontest.Auth {
		r := env.MustOK(root, "POST", "/access/users/carol@pve/token/"+tokenid, url.Values{"privsep": {privsep}})
		m := r.Data.(map[string]any)
		if m["full-tokenid"] != "carol@pve!"+tokenid {
			t.Fatalf("token: %v", m)
		}
		return daemontest.Auth{Token: m["full-tokenid"].(string) + "=" + m["value"].(string)}
	}
	sep, full := mint("sep", "1"), mint("full", "0")

	if r := env.Do(full, "GET", node+"/status", nil); r.Status != 200 {
		t.Errorf("privsep=0 token should have the user's privileges: %d", r.Status)
	}
	if r := env.Do(sep, "GET", node+"/status", nil); r.Status != 403 {
		t.Errorf("privsep=1 token without ACL: %d", r.Status)
	}
	env.MustOK(root, "PUT", "/access/acl", url.Values{"path": {"/nodes"}, "roles": {"PVEAuditor"}, "tokens": {"carol@pve!sep"}})
	if r := env.Do(sep, "GET", node+"/status", nil); r.Status != 200 {
		t.Errorf("privsep=1 token with ACL: %d", r.Status)
	}
	if r := env.Do(sep, "POST", "/access/ticket", url.Values{"username": {"carol@pve"}, "password": {"carol-secret"}}); r.Status != 403 ||
		r.Reason != "Permission check failed (URI '/access/ticket' not available with API token, need proper ticket.)" {
		t.Errorf("ticket with token: %d %q", r.Status, r.Reason)
	}
	bad := daemontest.Auth{Token: "carol@pve!sep=00000000-0000-0000-0000-000000000000"}
	if r := env.Do(bad, "GET", "/version", nil); r.Status != 401 || r.Reason != "Authentication failed!" {
		t.Errorf("bad secret: %d %q", r.Status, r.Reason)
	}
	env.MustOK(root, "DELETE", "/access/users/carol@pve/token/sep", nil)
	if r := env.Do(sep, "GET", "/version", nil); r.Status != 401 {
		t.Errorf("deleted token: %d", r.Status)
	}
	list := env.MustOK(root, "GET", "/access/users/carol@pve/token", nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["tokenid"] != "full" {
		t.Errorf("token list: %v", list)
	}
}

// TestPAMRealm logs in through Linux-PAM with a service file of the test's
// own: pam_exec runs a script that accepts one user and password.
func TestPAMRealm(t *testing.T) {
	if _, err := os.Stat("/lib/x86_64-linux-gnu/security/pam_exec.so"); err != nil {
		t.Skip("pam_exec.so not installed (libpam-modules)")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "check.sh")
	os.WriteFile(script, []byte("#!/bin/bash\nIFS= read -r -d '' pw\n[ \"$PAM_USER\" = pamtester ] && [ \"$pw\" = 'pam-pass' ]\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "hostadm-test"), []byte("auth required pam_exec.so expose_authtok quiet "+script+"\naccount required pam_permit.so\n"), 0o644)
	env := daemontest.Start(t, daemontest.Options{PAMConfDir: dir, PAMService: "hostadm-test"})
	env.MustOK(env.RootAuth(), "POST", "/access/users", url.Values{"userid": {"pamtester@pam"}})

	r := env.MustOK(daemontest.Auth{}, "POST", "/access/ticket",
		url.Values{"username": {"pamtester"}, "realm": {"pam"}, "password": {"pam-pass"}})
	if r.Data.(map[string]any)["username"] != "pamtester@pam" {
		t.Errorf("login: %s", r.Body)
	}
	if r := env.Do(daemontest.Auth{}, "POST", "/access/ticket",
		url.Values{"username": {"pamtester@pam"}, "password": {"wrong"}}); r.Status != 401 {
		t.Errorf("wrong PAM password: %d", r.Status)
	}
	domains := env.MustOK(daemontest.Auth{}, "GET", "/access/domains", nil).Data.([]any)
	realms := map[string]bool{}
	for _, d := range domains {
		realms[d.(map[string]any)["realm"].(string)] = true
	}
	if !realms["pam"] || !realms["pve"] {
		t.Errorf("domains: %v", domains)
	}
}

func TestACLDigest(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	env.MustOK(root, "POST", "/access/users", url.Values{"userid": {"frank@pve"}})
	stale := "0000000000000000000000000000000000000000"
	r := env.Do(root, "PUT", "/access/acl", url.Values{"path": {"/"}, "roles": {"PVEAuditor"}, "users": {"frank@pve"}, "digest": {stale}})
	if r.Status != 500 || r.Message != "detected modified configuration - file changed by other user? Try again.\n" {
		t.Errorf("stale digest: %d %q", r.Status, r.Message)
	}
	if acl := env.MustOK(root, "GET", "/access/acl", nil).Data.([]any); len(acl) != 0 {
		t.Errorf("ACL changed despite the stale digest: %v", acl)
	}
	r = env.Do(root, "PUT", "/access/acl", url.Values{"path": {"/nodes/../x"}, "roles": {"PVEAuditor"}, "users": {"frank@pve"}})
	if r.Status == 200 {
		t.Errorf("path with .. accepted")
	}
	r = env.Do(root, "PUT", "/access/acl", url.Values{"path": {"/"}, "roles": {"NoSuchRole"}, "users": {"frank@pve"}})
	if r.Status == 200 {
		t.Errorf("unknown role accepted")
	}
}
