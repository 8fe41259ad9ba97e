package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestProtocolEdges covers answers a Proxmox client relies on.
func TestProtocolEdges(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	send := func(method, rawURL, ctype, body string) *daemontest.Response {
		req, _ := http.NewRequest(method, env.URL+rawURL, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		root.ApplyTo(req)
		return env.Send(req)
	}
	if r := send("GET", "/api2/json/nodes/testnode/st%61tus", "", ""); r.Status != 200 {
		t.Errorf("escaped static component: %d", r.Status)
	}
	if r := send("GET", "/api2/json/nodes//status", "", ""); r.Status < 400 {
		t.Errorf("empty component: %d %q, want an error, not a redirect", r.Status, r.Reason)
	}
	if r := send("POST", "/api2/json/nodes/testnode/status", "application/json", `{"command":"bogus"} trailing`); r.Status != 400 {
		t.Errorf("JSON with trailing garbage: %d", r.Status)
	}
	if r := send("POST", "/api2/json/nodes/testnode/status", "text/plain; =bad", "x"); r.Status != 506 {
		t.Errorf("malformed content type: %d", r.Status)
	}
	req, _ := http.NewRequest("GET", env.URL+"/api2/extjs/version", nil)
	if r := env.Send(req); r.Status != 401 || len(r.Body) != 0 {
		t.Errorf("extjs without ticket: %d %q, want a bare 401", r.Status, r.Body)
	}
	bogus := "UPID:testnode:00000001:00000001:00000001:aptupdate::root@pam:"
	if r := env.Do(root, "DELETE", "/nodes/testnode/tasks/"+url.PathEscape(bogus), nil); r.Status != 400 || r.Errors["upid"] != "no such task" {
		t.Errorf("stop unknown task: %d %v", r.Status, r.Errors)
	}
}
