package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/api"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/tasks"
)

// TestPermissionMatrix calls every endpoint of the table three ways:
// without credentials (401 unless the endpoint is open), as a user with no
// privileges (403 where a privilege or root is required) and as a user with
// the Administrator role on / (never 401 or 403).
func TestPermissionMatrix(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	nobody := env.AddUser("nobody@pve", "nobody-pass", nil)
	admin := env.AddUser("admin@pve", "admin-pass", map[string]string{"/": "Administrator"})
	env.MustOK(root, "POST", "/access/users", url.Values{"userid": {"target@pve"}})
	env.MustOK(root, "POST", "/access/users/target@pve/token/tok", nil)
	upid := rootTask(t, env)

	fill := strings.NewReplacer("{node}", daemontest.Node, "{upid}", url.PathEscape(upid),
		"{userid}", "target@pve", "{tokenid}", "tok", "{roleid}", "PVEAuditor", "{vmid}", "100")
	for _, e := range api.Table() {
		if e.Method == "POST" && e.Path == "/nodes/{node}/status" {
			continue // would schedule a reboot for the admin case
		}
		path := fill.Replace(e.Path)
		var params url.Values
		if e.Params.Properties["path"] != nil && !e.Params.Properties["path"].Optional {
			params = url.Values{"path": {"/"}}
		}
		t.Run(e.Method+" "+e.Path, func(t *testing.T) {
			anon := env.Do(daemontest.Auth{}, e.Method, path, params)
			if e.Perm.World {
				if anon.Status == 401 && e.Path != "/access/ticket" {
					t.Errorf("open endpoint answered 401")
				}
			} else if anon.Status != 401 {
				t.Errorf("anonymous: %d %s, want 401", anon.Status, anon.Reason)
			}
			low := env.Do(nobody, e.Method, path, params)
			if (e.Perm.Check != nil || e.Perm.RootOnly) && low.Status != 403 {
				t.Errorf("unprivileged user: %d %s, want 403", low.Status, low.Reason)
			}
			if low.Status == 401 {
				t.Errorf("unprivileged user: 401")
			}
			high := env.Do(admin, e.Method, path, params)
			if high.Status == 401 || high.Status == 403 {
				if !e.Perm.RootOnly {
					t.Errorf("administrator: %d %s", high.Status, high.Reason)
				}
			}
		})
	}
}

// rootTask starts a short task as root through the test endpoint and
// returns its UPID.
func rootTask(t *testing.T, env *daemontest.Env) string {
	t.Helper()
	tm := env.Server.Node().Services.Tasks
	upid, err := tm.Start(t.Context(), "testtask", "", "root@pam", func(_ context.Context, l *tasks.Log) error {
		l.Printf("working")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.Wait(t.Context(), upid.String()); err != nil {
		t.Fatal(err)
	}
	return upid.String()
}
