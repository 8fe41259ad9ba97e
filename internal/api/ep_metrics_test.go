package api_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/metrics/statuscfg"
)

// influxStub is an InfluxDB v2 write endpoint that accepts one token.
type influxStub struct {
	mu    sync.Mutex
	lines []string
}

func (s *influxStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Token good" {
		http.Error(w, `{"code":"unauthorized","message":"unauthorized access"}`, http.StatusUnauthorized)
		return
	}
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.lines = append(s.lines, string(b))
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// serveInfluxStub serves a fresh influxStub on loopback until the test ends
// and returns it with its host and port.
func serveInfluxStub(t *testing.T) (*influxStub, string, string) {
	stub := &influxStub{}
	ts := httptest.NewServer(stub)
	t.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	return stub, host, port
}

func (s *influxStub) body() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "")
}

func statusCfg(t *testing.T, env *daemontest.Env) string {
	t.Helper()
	e, err := env.Server.Node().Store().Get(context.Background(), statuscfg.Path)
	if err != nil {
		return ""
	}
	return string(e.Data)
}

func TestMetricServerCRUD(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	stub, host, port := serveInfluxStub(t)
	base := "/cluster/metrics/server/"

	// A token that cannot write is refused at once and nothing is stored.
	r := env.Do(root, "POST", base+"influx2", url.Values{"type": {"influxdb"}, "server": {host}, "port": {port},
		"influxdbproto": {"http"}, "token": {"bad"}, "organization": {"myorg"}})
	if r.Status != 500 || !strings.Contains(r.Message, "401 Unauthorized") {
		t.Fatalf("bad token: %d %q", r.Status, r.Message)
	}
	if got := statusCfg(t, env); got != "" {
		t.Fatalf("status.cfg written after a failed test:\n%s", got)
	}
	env.MustOK(root, "POST", base+"influx2", url.Values{"type": {"influxdb"}, "server": {host}, "port": {port},
		"influxdbproto": {"http"}, "token": {"good"}, "organization": {"myorg"}})
	if !strings.Contains(stub.body(), "system,object=nodes,host=testnode uptime=") {
		t.Errorf("test write = %q", stub.body())
	}
	env.MustOK(root, "POST", base+"g1", url.Values{"type": {"graphite"}, "server": {"127.0.0.1"}, "port": {"2003"},
		"path": {"proxmox.c1"}})
	want := "influxdb: influx2\n\tport " + port + "\n\tserver " + host + "\n\tinfluxdbproto http\n\torganization myorg\n\n" +
		"graphite: g1\n\tserver 127.0.0.1\n\tpath proxmox.c1\n\tport 2003\n\n"
	if got := statusCfg(t, env); got != want {
		t.Errorf("status.cfg:\n%s\nwant:\n%s", got, want)
	}
	tok, err := env.Server.Node().Store().Get(context.Background(), "priv/metricserver/influx2.pw")
	if err != nil || string(tok.Data) != "good" {
		t.Errorf("token file = %q, %v", tok.Data, err)
	}

	list := env.MustOK(root, "GET", "/cluster/metrics/server", nil).Data.([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != "g1" || list[1].(map[string]any)["port"] != float64(mustAtoi(port)) {
		t.Errorf("list = %v", list)
	}
	got := env.MustOK(root, "GET", base+"influx2", nil).Data.(map[string]any)
	if _, ok := got["token"]; ok || got["type"] != "influxdb" || got["organization"] != "myorg" {
		t.Errorf("read = %v", got)
	}

	// The exporter runs with the stored token: wait for a round.
	env.Server.Node().Services.Metrics.CollectOnce(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stub.body(), "cpustat,object=nodes,host=testnode ") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stub.body(), "cpustat,object=nodes,host=testnode ") {
		t.Errorf("no round exported: %q", stub.body())
	}

	// Update: server and port stay required; delete=token removes the file.
	r = env.Do(root, "PUT", base+"g1", url.Values{"mtu": {"1000"}})
	if r.Status != 400 || r.Errors["server"] == "" || r.Errors["port"] == "" {
		t.Errorf("update without server/port: %d %v", r.Status, r.Errors)
	}
	env.MustOK(root, "PUT", base+"g1", url.Values{"server": {"127.0.0.1"}, "port": {"2004"}, "mtu": {"1000"}, "delete": {"path"}})
	if cfg := statusCfg(t, env); !strings.Contains(cfg, "graphite: g1\n\tserver 127.0.0.1\n\tmtu 1000\n\tport 2004\n\n") {
		t.Errorf("after update:\n%s", cfg)
	}
	env.MustOK(root, "PUT", base+"influx2", url.Values{"server": {host}, "port": {port}, "disable": {"1"}, "delete": {"token"}})
	if _, err := env.Server.Node().Store().Get(context.Background(), "priv/metricserver/influx2.pw"); err != cfs.ErrNotFound && !strings.Contains(errString(err), "no such file") {
		t.Errorf("token after delete=token: %v", err)
	}
	env.MustOK(root, "DELETE", base+"g1", nil)
	env.MustOK(root, "DELETE", base+"influx2", nil)
	if cfg := statusCfg(t, env); cfg != "" {
		t.Errorf("after deletes:\n%q", cfg)
	}
}

func TestMetricServerBadInput(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	env.MustOK(root, "POST", "/cluster/metrics/server/keep", url.Values{"type": {"graphite"}, "server": {"127.0.0.1"}, "port": {"2003"}})
	before := statusCfg(t, env)
	for _, tt := range []struct {
		name, id string
		params   url.Values
		param    string // expected in errors; "" means a 500 message
		msg      string
	}{
		{"bad id", "1bad", url.Values{"type": {"graphite"}, "server": {"h"}, "port": {"1"}}, "id", "invalid format"},
		{"port range", "p", url.Values{"type": {"graphite"}, "server": {"h"}, "port": {"70000"}}, "port", "maximum value of 65536"},
		{"mtu range", "m", url.Values{"type": {"graphite"}, "server": {"h"}, "port": {"1"}, "mtu": {"100"}}, "mtu", "minimum value of 512"},
		{"unknown option", "u", url.Values{"type": {"graphite"}, "server": {"h"}, "port": {"1"}, "bogus": {"1"}}, "bogus", "not defined in schema"},
		{"path injection", "pi", url.Values{"type": {"graphite"}, "server": {"h"}, "port": {"1"}, "path": {"a\n\tserver evil"}}, "path", "graphite path"},
		{"type option", "to", url.Values{"type": {"graphite"}, "server": {"127.0.0.1"}, "port": {"1"}, "bucket": {"b"}}, "", "unexpected property 'bucket'"},
		{"exists", "keep", url.Values{"type": {"graphite"}, "server": {"127.0.0.1"}, "port": {"1"}}, "", "Metric server 'keep' already exists"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := env.Do(root, "POST", "/cluster/metrics/server/"+tt.id, tt.params)
			if tt.param != "" {
				if r.Status != 400 || !strings.Contains(r.Errors[tt.param], tt.msg) {
					t.Errorf("got %d %v, want 400 with %s: %s", r.Status, r.Errors, tt.param, tt.msg)
				}
			} else if r.Status != 500 || !strings.Contains(r.Message, tt.msg) {
				t.Errorf("got %d %q, want 500 %q", r.Status, r.Message, tt.msg)
			}
			if got := statusCfg(t, env); got != before {
				t.Errorf("status.cfg changed:\n%s", got)
			}
		})
	}
	r := env.Do(root, "GET", "/cluster/metrics/server/nope", nil)
	if r.Status != 500 || !strings.Contains(r.Message, "status server entry 'nope' does not exist") {
		t.Errorf("read unknown: %d %q", r.Status, r.Message)
	}
}

func TestMetricsExportAndNetstat(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	env.Server.Node().Services.Metrics.CollectOnce(context.Background())
	data := env.MustOK(root, "GET", "/cluster/metrics/export", url.Values{"history": {"1"}}).Data.(map[string]any)["data"].([]any)
	names := map[string]bool{}
	for _, m := range data {
		mm := m.(map[string]any)
		if mm["id"] != "node/testnode" {
			t.Errorf("metric %v", mm)
		}
		names[mm["metric"].(string)] = true
	}
	for _, n := range []string{"uptime", "net_in", "cpu_current", "mem_used", "disk_total"} {
		if !names[n] {
			t.Errorf("export lacks %s: %v", n, names)
		}
	}
	late := env.MustOK(root, "GET", "/cluster/metrics/export", url.Values{"start-time": {"99999999999"}}).Data.(map[string]any)["data"].([]any)
	if len(late) != 0 {
		t.Errorf("start-time in the future gave %d metrics", len(late))
	}
	if _, ok := env.MustOK(root, "GET", "/nodes/testnode/netstat", nil).Data.([]any); !ok {
		t.Error("netstat is not a list")
	}
	idx := env.MustOK(root, "GET", "/cluster/metrics", nil).Data.([]any)
	if len(idx) != 1 || idx[0].(map[string]any)["name"] != "server" {
		t.Errorf("index = %v", idx)
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
