package api_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	proxmox "github.com/luthermonson/go-proxmox"

	"hostadm/internal/daemon/daemontest"
)

// TestChangeHistory changes host and store files through the API as a
// user, finds each change with its user and diff, reverts one byte for byte,
// is refused a revert after a later change, keeps token secrets out of the
// history, survives a restart, and serves the records as Proxmox's cluster
// log to a real Proxmox client.
func TestChangeHistory(t *testing.T) {
	env := daemontest.Start(t)
	admin := env.AddUser("hist@pve", "hist-pass-1", map[string]string{"/": "Administrator"})
	hostsPath := filepath.Join(env.Root, "etc/hosts")
	os.MkdirAll(filepath.Dir(hostsPath), 0o755)
	orig := []byte("127.0.0.1 localhost\n")
	os.WriteFile(hostsPath, orig, 0o644)
	node := "/nodes/" + daemontest.Node
	digest := env.MustOK(admin, "GET", node+"/hosts", nil).Data.(map[string]any)["digest"].(string)
	env.MustOK(admin, "POST", node+"/hosts", url.Values{"data": {"127.0.0.1 localhost\n192.0.2.7 pve1.example.com pve1\n"}, "digest": {digest}})
	env.MustOK(admin, "POST", "/storage", url.Values{"storage": {"histdir"}, "type": {"dir"}, "path": {"/srv/hist"}, "content": {"iso"}})
	tok := env.MustOK(admin, "POST", "/access/users/hist@pve/token/t1", url.Values{"privsep": {"1"}}).Data.(map[string]any)
	secret := tok["value"].(string)

	list := env.MustOK(admin, "GET", "/cluster/history", url.Values{"path": {"/etc/hosts"}})
	items := list.Data.([]any)
	if len(items) != 1 || *list.Total != 1 {
		t.Fatalf("history of /etc/hosts: %s", list.Body)
	}
	hosts := items[0].(map[string]any)
	if hosts["user"] != "hist@pve" || hosts["endpoint"] != "POST "+node+"/hosts" || hosts["kind"] != "host" {
		t.Errorf("hosts change: %v", hosts)
	}
	id := fmt.Sprint(hosts["id"])
	one := env.MustOK(admin, "GET", "/cluster/history/"+id, nil).Data.(map[string]any)
	if !strings.Contains(one["diff"].(string), "+192.0.2.7 pve1.example.com pve1") {
		t.Errorf("diff: %v", one["diff"])
	}
	if nodeList := env.MustOK(admin, "GET", node+"/history", url.Values{"path": {"/etc/hosts"}}).Data.([]any); len(nodeList) != 1 {
		t.Errorf("the node's own history of /etc/hosts: %v", nodeList)
	}
	stor := env.MustOK(admin, "GET", "/cluster/history", url.Values{"path": {"storage.cfg"}}).Data.([]any)
	if len(stor) != 1 || stor[0].(map[string]any)["user"] != "hist@pve" {
		t.Errorf("storage.cfg history: %v", stor)
	}

	env.MustOK(admin, "POST", "/cluster/history/"+id+"/revert", nil)
	if b, _ := os.ReadFile(hostsPath); !bytes.Equal(b, orig) {
		t.Errorf("after the revert /etc/hosts is %q", b)
	}
	// A later change: reverting the first one again is refused.
	digest = env.MustOK(admin, "GET", node+"/hosts", nil).Data.(map[string]any)["digest"].(string)
	env.MustOK(admin, "POST", node+"/hosts", url.Values{"data": {"127.0.0.1 localhost\n198.51.100.9 other\n"}, "digest": {digest}})
	if r := env.Do(admin, "POST", "/cluster/history/"+id+"/revert", nil); r.Status != 400 || !strings.Contains(r.Errors["id"], "changed since") {
		t.Errorf("revert after a later change: %d %s", r.Status, r.Body)
	}
	if r := env.Do(admin, "POST", "/cluster/history/999999/revert", nil); r.Status != 400 {
		t.Errorf("revert of an unknown change: %d %s", r.Status, r.Body)
	}

	env = daemontest.Restart(t, env)
	admin = env.Login("hist@pve", "hist-pass-1")
	after := env.MustOK(admin, "GET", "/cluster/history", url.Values{"path": {"/etc/hosts"}})
	if *after.Total != 3 {
		t.Errorf("after a restart /etc/hosts has %d changes: %s", *after.Total, after.Body)
	}
	for _, name := range []string{"history.db", "history.db-wal", "cfs.db"} {
		b, _ := os.ReadFile(filepath.Join(env.DataDir, name))
		if name != "cfs.db" && bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the token secret", name)
		}
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.CACertPEM())
	client := proxmox.NewClient(env.URL+"/api2/json", proxmox.WithRootCAs(pool), proxmox.WithTimeout(30*time.Second),
		proxmox.WithCredentials(&proxmox.Credentials{Username: "hist@pve", Password: "hist-pass-1"}))
	cl, err := client.Cluster(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := cl.Log(context.Background(), 10)
	if err != nil {
		t.Fatalf("GET /cluster/log through go-proxmox: %v", err)
	}
	if len(entries) == 0 || entries[0].User != "hist@pve" || !strings.Contains(entries[0].Msg, "/etc/hosts") {
		t.Errorf("cluster log: %+v", entries)
	}
}
