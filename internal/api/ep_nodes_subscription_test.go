package api_test

import (
	"context"
	"crypto/x509"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	proxmox "github.com/luthermonson/go-proxmox"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/nodecfg"
)

const subPath = "/nodes/" + daemontest.Node + "/subscription"

// TestSubscription walks the four endpoints: no key is "notfound", a
// stored key is "invalid" with a message (never "active"), the key stays
// in the store's private area and is shown only with Sys.Audit, and a bad
// key is refused without touching the stored one.
func TestSubscription(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "etc/ssh"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/ssh/ssh_host_rsa_key.pub"), []byte("ssh-rsa AAAAB3Nza test@host\n"), 0o644)
	}})
	root := env.RootAuth()
	auditor := env.AddUser("aud@pve", "secret-pass", map[string]string{"/nodes/" + daemontest.Node: "PVEAuditor"})
	nobody := env.AddUser("nobody@pve", "secret-pass", nil)

	got := env.MustOK(root, "GET", subPath, nil).Data.(map[string]any)
	if got["status"] != "notfound" || got["message"] != "There is no subscription key" || got["url"] != nodecfg.ShopURL {
		t.Fatalf("without key: %v", got)
	}
	// md5("ssh-rsa AAAAB3Nza test@host\n"), upper case.
	if got["serverid"] != "348FFC1B1F7B08A00EEE0A451E31230C" {
		t.Errorf("serverid %v", got["serverid"])
	}

	env.MustOK(root, "PUT", subPath, url.Values{"key": {" pve2c-0123456789 "}})
	e, err := env.Server.Node().Store().Get(context.Background(), nodecfg.SubscriptionPath(daemontest.Node))
	if err != nil || !strings.Contains(string(e.Data), `"key":"pve2c-0123456789"`) {
		t.Fatalf("stored key: %q %v", e.Data, err)
	}
	got = env.MustOK(auditor, "GET", subPath, nil).Data.(map[string]any)
	if got["status"] != "invalid" || !strings.Contains(got["message"].(string), "cannot check subscription keys") ||
		got["key"] != "pve2c-0123456789" || got["checktime"] == nil || got["sockets"] == nil {
		t.Errorf("auditor with key: %v", got)
	}
	got = env.MustOK(nobody, "GET", subPath, nil).Data.(map[string]any)
	if got["status"] != "invalid" || got["key"] != nil || got["serverid"] != nil || len(got) != 3 {
		t.Errorf("unprivileged with key: %v", got)
	}

	for _, bad := range []string{"pve3c-0123456789", "pve2c-012345678", "pve2x-0123456789", "pve2c-0123456789;x"} {
		r := env.Do(root, "PUT", subPath, url.Values{"key": {bad}})
		if r.Status != 400 || r.Errors["key"] == "" {
			t.Errorf("bad key %q: %d %v", bad, r.Status, r.Errors)
		}
	}
	if r := env.Do(auditor, "PUT", subPath, url.Values{"key": {"pve4p-aaaaaaaaaa"}}); r.Status != 403 {
		t.Errorf("auditor PUT: %d", r.Status)
	}
	if got := env.MustOK(root, "GET", subPath, nil).Data.(map[string]any); got["key"] != "pve2c-0123456789" {
		t.Errorf("refused PUTs changed the key: %v", got)
	}

	env.MustOK(root, "POST", subPath, url.Values{"force": {"1"}})
	if got := env.MustOK(root, "GET", subPath, nil).Data.(map[string]any); got["status"] != "invalid" {
		t.Errorf("after update: %v", got)
	}
	env.MustOK(root, "DELETE", subPath, nil)
	env.MustOK(root, "DELETE", subPath, nil)
	if got := env.MustOK(root, "GET", subPath, nil).Data.(map[string]any); got["status"] != "notfound" || got["key"] != nil {
		t.Errorf("after delete: %v", got)
	}
}

// TestSubscriptionGoProxmox reads and sets the subscription through the
// real go-proxmox client, which decodes into its own Subscription struct.
func TestSubscriptionGoProxmox(t *testing.T) {
	env := daemontest.Start(t)
	tok := env.MustOK(env.RootAuth(), "POST", "/access/users/root@pam/token/sub",
		url.Values{"privsep": {"0"}}).Data.(map[string]any)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.CACertPEM())
	client := proxmox.NewClient(env.URL+"/api2/json", proxmox.WithRootCAs(pool),
		proxmox.WithAPIToken(tok["full-tokenid"].(string), tok["value"].(string)))
	ctx := context.Background()
	node, err := client.Node(ctx, daemontest.Node)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := node.Subscription(ctx)
	if err != nil || sub.Status != "notfound" || sub.URL == "" {
		t.Fatalf("Subscription: %+v %v", sub, err)
	}
	if err := node.SetSubscription(ctx, "pve1b-abcdef0123"); err != nil {
		t.Fatalf("SetSubscription: %v", err)
	}
	if err := node.RefreshSubscription(ctx, true); err != nil {
		t.Fatalf("RefreshSubscription: %v", err)
	}
	sub, err = node.Subscription(ctx)
	if err != nil || sub.Status != "invalid" || sub.Key != "pve1b-abcdef0123" || sub.Message == "" || sub.Checktime == 0 || sub.Sockets < 1 {
		t.Fatalf("Subscription with key: %+v %v", sub, err)
	}
	if err := node.SetSubscription(ctx, "not-a-key"); err == nil {
		t.Error("SetSubscription accepted a malformed key")
	}
	if err := node.DeleteSubscription(ctx); err != nil {
		t.Fatalf("DeleteSubscription: %v", err)
	}
	if sub, err = node.Subscription(ctx); err != nil || sub.Status != "notfound" {
		t.Errorf("after delete: %+v %v", sub, err)
	}
}
