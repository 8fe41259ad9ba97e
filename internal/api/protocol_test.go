package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

func TestProtocol(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	node := daemontest.Node

	t.Run("envelope", func(t *testing.T) {
		r := env.MustOK(root, "GET", "/version", nil)
		if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
			t.Errorf("content type %q", ct)
		}
		m := r.Data.(map[string]any)
		if m["release"] == "" || m["version"] == "" || len(m["repoid"].(string)) < 8 {
			t.Errorf("version %v", m)
		}
		if strings.Contains(string(r.Body), `"success"`) {
			t.Errorf("json format must not carry success: %s", r.Body)
		}
	})
	t.Run("unknown path is 501 with Proxmox's reason", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/"+node+"/nonexistent", nil)
		want := "Method 'GET /nodes/" + node + "/nonexistent' not implemented"
		if r.Status != 501 || r.Reason != want || r.Message != want+"\n" {
			t.Errorf("got %d %q %q", r.Status, r.Reason, r.Message)
		}
	})
	t.Run("unknown method is 501", func(t *testing.T) {
		r := env.Do(root, "PUT", "/version", url.Values{})
		if r.Status != 501 {
			t.Errorf("got %d", r.Status)
		}
	})
	t.Run("unknown parameter", func(t *testing.T) {
		r := env.Do(root, "GET", "/version", url.Values{"bogus": {"1"}})
		if r.Status != 400 || r.Reason != "Parameter verification failed." ||
			r.Errors["bogus"] != "property is not defined in schema and the schema does not allow additional properties" {
			t.Errorf("got %d %q %v", r.Status, r.Reason, r.Errors)
		}
	})
	t.Run("_dc is ignored", func(t *testing.T) {
		env.MustOK(root, "GET", "/version", url.Values{"_dc": {"12345"}})
	})
	t.Run("boolean must be 1 or 0", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/"+node+"/tasks", url.Values{"errors": {"true"}})
		if r.Status != 400 || r.Errors["errors"] != "type check ('boolean') failed - got 'true'" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("integer and minimum", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/"+node+"/tasks", url.Values{"limit": {"-1"}, "start": {"x"}})
		if r.Status != 400 || r.Errors["limit"] != "value must have a minimum value of 0" ||
			r.Errors["start"] != "type check ('integer') failed - got 'x'" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("enum", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/"+node+"/tasks", url.Values{"source": {"x"}})
		if r.Errors["source"] != "value 'x' does not have a value in the enumeration 'archive, active, all'" {
			t.Errorf("got %v", r.Errors)
		}
	})
	t.Run("missing required", func(t *testing.T) {
		r := env.Do(root, "POST", "/nodes/"+node+"/status", url.Values{})
		if r.Status != 400 || r.Errors["command"] != "property is missing and it is not optional" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("localhost is the local node", func(t *testing.T) {
		r := env.MustOK(root, "GET", "/nodes/localhost/status", nil)
		if r.Data.(map[string]any)["pveversion"] == nil {
			t.Errorf("no pveversion: %s", r.Body)
		}
	})
	t.Run("other node names fail like an address lookup", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/othernode/status", nil)
		if r.Status != 500 || !strings.HasPrefix(r.Message, "hostname lookup 'othernode' failed") {
			t.Errorf("got %d %q", r.Status, r.Message)
		}
	})
	t.Run("bad node name is a parameter error", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/bad_node!/status", nil)
		if r.Status != 400 || r.Errors["node"] != "invalid format - value does not look like a valid node name\n" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("body on GET", func(t *testing.T) {
		req, _ := http.NewRequest("GET", env.URL+"/api2/json/version", strings.NewReader("a=b"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(root.Ticket)})
		r := env.Send(req)
		if r.Status != 501 || r.Reason != "Unexpected content for method 'GET'" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("query overrides body, JSON bodies", func(t *testing.T) {
		req, _ := http.NewRequest("POST", env.URL+"/api2/json/nodes/"+node+"/status?command=bogus",
			strings.NewReader(`{"command":"reboot"}`))
		req.Header.Set("Content-Type", "application/json")
		root.ApplyTo(req)
		r := env.Send(req)
		if r.Status != 400 || !strings.Contains(r.Errors["command"], "'bogus'") {
			t.Errorf("query did not win: %d %v", r.Status, r.Errors)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		req, _ := http.NewRequest("POST", env.URL+"/api2/json/access/ticket",
			strings.NewReader("username=a&password="+strings.Repeat("x", 600*1024)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r := env.Send(req)
		if r.Status != 501 {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("path parameter conflicting with query", func(t *testing.T) {
		r := env.Do(root, "GET", "/nodes/"+node+"/status", url.Values{"node": {"other"}})
		if r.Status != 400 || r.Errors["node"] != "duplicate parameter (already defined in URI) with conflicting values!" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("path traversal", func(t *testing.T) {
		for _, p := range []string{"/nodes/../../etc/passwd", "/nodes/%2e%2e/status", "/nodes/" + node + "/tasks/..%2F..%2Fetc%2Fpasswd/log"} {
			req, _ := http.NewRequest("GET", env.URL+"/api2/json"+p, nil)
			root.ApplyTo(req)
			r := env.Send(req)
			if r.Status == 200 {
				t.Errorf("%s answered 200: %s", p, r.Body)
			}
		}
	})
	t.Run("no ticket", func(t *testing.T) {
		r := env.Do(daemontest.Auth{}, "GET", "/version", nil)
		if r.Status != 401 || r.Reason != "No ticket" || len(r.Body) != 0 {
			t.Errorf("got %d %q %q", r.Status, r.Reason, r.Body)
		}
	})
	t.Run("bad ticket", func(t *testing.T) {
		r := env.Do(daemontest.Auth{Ticket: "PVE:root@pam:00000000::AAAA"}, "GET", "/version", nil)
		if r.Status != 401 || r.Reason != "Authentication failed!" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("CSRF token required on writes with a ticket", func(t *testing.T) {
		a := root
		a.NoCSRF = true
		r := env.Do(a, "POST", "/nodes/"+node+"/status", url.Values{"command": {"bogus"}})
		if r.Status != 401 || r.Reason != "Permission denied - invalid csrf token" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
	t.Run("extjs format", func(t *testing.T) {
		req, _ := http.NewRequest("GET", env.URL+"/api2/extjs/version?bogus=1", nil)
		root.ApplyTo(req)
		r := env.Send(req)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"success":0`) || r.Errors["bogus"] == "" {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		req, _ := http.NewRequest("GET", env.URL+"/api2/xml/version", nil)
		r := env.Send(req)
		if r.Status != 501 || r.Reason != "no formatter for uri /version, xml" {
			t.Errorf("got %d %q", r.Status, r.Reason)
		}
	})
}

// TestNodePowerAndClusterStatus reboots and shuts down through the runner
// (nothing real runs) and reads the single-node cluster status.
func TestNodePowerAndClusterStatus(t *testing.T) {
	rec := host.NewRecorder()
	rec.On([]string{"reboot"}, host.Reply{})
	rec.On([]string{"poweroff"}, host.Reply{})
	env := daemontest.Start(t, daemontest.Options{Runner: rec})
	root := env.RootAuth()
	for _, cmd := range []string{"reboot", "shutdown"} {
		r := env.MustOK(root, "POST", "/nodes/localhost/status", url.Values{"command": {cmd}})
		if r.Data != nil {
			t.Errorf("%s answered %v", cmd, r.Data)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Calls()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	calls := strings.Join(rec.Calls(), ",")
	if calls != "reboot,poweroff" && calls != "poweroff,reboot" {
		t.Errorf("runner transcript %q", calls)
	}
	st := env.MustOK(root, "GET", "/cluster/status", nil).Data.([]any)
	if len(st) != 1 {
		t.Fatalf("cluster status %v", st)
	}
	n := st[0].(map[string]any)
	if n["type"] != "node" || n["name"] != daemontest.Node || n["local"] != float64(1) || n["online"] != float64(1) {
		t.Errorf("node entry %v", n)
	}
	nodes := env.MustOK(root, "GET", "/nodes", nil).Data.([]any)
	if m := nodes[0].(map[string]any); m["node"] != daemontest.Node || m["status"] != "online" ||
		!strings.Contains(m["ssl_fingerprint"].(string), ":") || m["maxmem"] == nil {
		t.Errorf("nodes %v", nodes)
	}
}
