package api_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	proxmox "github.com/luthermonson/go-proxmox"

	"hostadm/internal/api"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/tasks"
)

// TestCompatGoProxmox drives hostadm with a real third-party Proxmox client,
// github.com/luthermonson/go-proxmox, logged in both ways Proxmox offers: a
// ticket from a username and password, and an API token. The library
// decodes into its own structs, so a field hostadm names or types
// differently from Proxmox VE fails here even when our own tests pass.
func TestCompatGoProxmox(t *testing.T) {
	env := daemontest.Start(t)
	env.AddUser("alice@pve", "secret-pass", map[string]string{"/": "PVEAuditor"})
	tok := env.MustOK(env.RootAuth(), "POST", "/access/users/root@pam/token/compat",
		url.Values{"privsep": {"0"}}).Data.(map[string]any)
	upid := finishedTask(t, env)

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(env.CACertPEM()) {
		t.Fatal("daemon CA is not PEM")
	}
	base := env.URL + "/api2/json"
	common := []proxmox.Option{proxmox.WithRootCAs(pool), proxmox.WithTimeout(30 * time.Second)}
	clients := []struct {
		name string
		opt  proxmox.Option
	}{
		{"ticket", proxmox.WithCredentials(&proxmox.Credentials{Username: "alice@pve", Password: "secret-pass"})},
		{"token", proxmox.WithAPIToken(tok["full-tokenid"].(string), tok["value"].(string))},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			client := proxmox.NewClient(base, append(common, c.opt)...)
			checkClient(t, client, upid)
		})
	}
	t.Run("ticket session", func(t *testing.T) {
		client := proxmox.NewClient(base, append(common,
			proxmox.WithCredentials(&proxmox.Credentials{Username: "alice@pve", Password: "secret-pass"}))...)
		if err := client.CreateSession(context.Background()); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		s := client.Session()
		if s == nil || s.Username != "alice@pve" || !strings.HasPrefix(s.Ticket, "PVE:alice@pve:") || s.CSRFPreventionToken == "" {
			t.Fatalf("session %+v", s)
		}
		if err := client.RefreshTicket(context.Background()); err != nil {
			t.Errorf("RefreshTicket (ticket as password): %v", err)
		}
	})
	t.Run("raw ticket cookie", func(t *testing.T) {
		// Proxmox only %-decodes the cookie (URI::Escape's uri_unescape), so
		// a raw ticket whose base64 signature holds '+' must still verify;
		// go-proxmox sends the cookie this way.
		auth := env.Login("alice@pve", "secret-pass")
		for range 8 {
			if strings.Contains(auth.Ticket, "+") {
				break
			}
			auth = env.Login("alice@pve", "secret-pass")
		}
		req, err := http.NewRequest("GET", base+"/version", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "PVEAuthCookie="+auth.Ticket)
		if r := env.Send(req); r.Status != 200 {
			t.Errorf("raw cookie %q: %d %s", auth.Ticket, r.Status, r.Reason)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		client := proxmox.NewClient(base, append(common,
			proxmox.WithCredentials(&proxmox.Credentials{Username: "alice@pve", Password: "wrong"}))...)
		_, err := client.Version(context.Background())
		if !errors.Is(err, proxmox.ErrNotAuthorized) {
			t.Errorf("Version with a wrong password: %v, want ErrNotAuthorized", err)
		}
	})
}

// TestCompatGoProxmoxHVM reads node status from a host whose CPU has AMD-V:
// Proxmox VE writes cpuinfo.hvm as the string "1" there (a Perl match
// result, encoded by JSON::XS as a string; go-proxmox's own PVE 7 fixture
// tests/mocks/pve7x/nodes.go has "hvm": "1"), and go-proxmox decodes it
// into a string field.
func TestCompatGoProxmoxHVM(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		path := filepath.Join(root, "proc/cpuinfo")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.ReplaceAll(string(b), "flags\t\t: fpu ", "flags\t\t: fpu svm "))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}})
	tok := env.MustOK(env.RootAuth(), "POST", "/access/users/root@pam/token/compat",
		url.Values{"privsep": {"0"}}).Data.(map[string]any)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.CACertPEM())
	client := proxmox.NewClient(env.URL+"/api2/json", proxmox.WithRootCAs(pool),
		proxmox.WithAPIToken(tok["full-tokenid"].(string), tok["value"].(string)))
	node, err := client.Node(context.Background(), daemontest.Node)
	if err != nil {
		t.Fatalf("Node on a host with svm: %v", err)
	}
	if node.CPUInfo.HVM != "1" {
		t.Errorf("cpuinfo.hvm %q, want \"1\"", node.CPUInfo.HVM)
	}
}

// finishedTask runs one short task as root@pam so the task list has a
// finished entry with every field set, and returns its UPID.
func finishedTask(t *testing.T, env *daemontest.Env) string {
	t.Helper()
	ctx := context.Background()
	tm := env.Server.Node().Services.Tasks
	u, err := tm.Start(ctx, "srvreload", "compat", "root@pam", func(_ context.Context, l *tasks.Log) error {
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := tm.Wait(wctx, u.String()); err != nil {
		t.Fatal(err)
	}
	return u.String()
}

func checkClient(t *testing.T, client *proxmox.Client, upid string) {
	ctx := context.Background()
	v, err := client.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if v.Release != api.PVERelease || v.Version != api.PVEVersion || len(v.RepoID) < 8 {
		t.Errorf("version %+v", v)
	}

	nodes, err := client.Nodes(ctx)
	if err != nil {
		t.Fatalf("Nodes: %v", err)
	}
	if len(nodes) != 1 {
		t.Fatalf("nodes %d, want 1", len(nodes))
	}
	n0 := nodes[0]
	if n0.Node != daemontest.Node || n0.Status != "online" || n0.Type != "node" || n0.ID != "node/"+daemontest.Node {
		t.Errorf("node entry %+v", n0)
	}
	if n0.MaxCPU <= 0 || n0.MaxMem == 0 || n0.SSLFingerprint == "" {
		t.Errorf("node entry lacks maxcpu/maxmem/ssl_fingerprint: %+v", n0)
	}

	node, err := client.Node(ctx, daemontest.Node)
	if err != nil {
		t.Fatalf("Node: %v", err)
	}
	if node.Name != daemontest.Node {
		t.Errorf("node name %q", node.Name)
	}
	if node.Memory.Total == 0 || node.Memory.Used == 0 || node.Memory.Used > node.Memory.Total {
		t.Errorf("memory %+v", node.Memory)
	}
	if node.CPUInfo.CPUs <= 0 || node.CPUInfo.Cores <= 0 || node.CPUInfo.Sockets <= 0 ||
		node.CPUInfo.Model == "" || node.CPUInfo.MHZ <= 0 || node.CPUInfo.UserHz <= 0 {
		t.Errorf("cpuinfo %+v", node.CPUInfo)
	}
	if node.RootFS.Total == 0 || len(node.LoadAvg) != 3 || node.Uptime == 0 {
		t.Errorf("rootfs %+v loadavg %v uptime %d", node.RootFS, node.LoadAvg, node.Uptime)
	}
	if !strings.HasPrefix(node.PVEVersion, "pve-manager/"+api.PVEVersion+"/") || node.Kversion == "" {
		t.Errorf("pveversion %q kversion %q", node.PVEVersion, node.Kversion)
	}
	if nv, err := node.Version(ctx); err != nil || nv.Release != api.PVERelease {
		t.Errorf("node Version: %+v, %v", nv, err)
	}

	list, err := node.Tasks(ctx, &proxmox.NodeTasksOptions{Source: "all", Limit: 10})
	if err != nil {
		t.Fatalf("Tasks: %v", err)
	}
	var found *proxmox.Task
	for _, task := range list {
		if string(task.UPID) == upid {
			found = task
		}
	}
	if found == nil {
		t.Fatalf("task %s not listed in %d tasks", upid, len(list))
	}
	if found.Type != "srvreload" || found.ID != "compat" || found.User != "root@pam" ||
		found.Node != daemontest.Node || found.Status != "OK" || found.PID == 0 || found.PStart == 0 {
		t.Errorf("task %+v", found)
	}
	if found.StartTime.IsZero() || found.EndTime.IsZero() || found.EndTime.Before(found.StartTime) {
		t.Errorf("task times start %v end %v", found.StartTime, found.EndTime)
	}
}
