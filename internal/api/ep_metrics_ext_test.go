package api_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestMetricServerTest runs the on-demand connection test: a good InfluxDB
// HTTP server gets a probe point with the stored token, a disabled
// Graphite TCP server whose port is closed fails with the dial error, and
// an unknown id is refused.
func TestMetricServerTest(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	stub, host, port := serveInfluxStub(t)
	env.MustOK(root, "POST", "/cluster/metrics/server/influx2", url.Values{"type": {"influxdb"}, "server": {host},
		"port": {port}, "influxdbproto": {"http"}, "token": {"good"}})
	// Probe points carry the time in nanoseconds, rounds whole seconds (a
	// round may be exported meanwhile).
	probe := regexp.MustCompile(`(?m)^system,object=nodes,host=testnode uptime=\d+ \d+[1-9]\d{0,8}$`)
	before := len(probe.FindAllString(stub.body(), -1))
	got := env.MustOK(root, "POST", "/nodes/testnode/metrics/server/influx2/test", nil).Data.(map[string]any)
	if got["id"] != "influx2" || got["type"] != "influxdb" || got["proto"] != "http" || got["port"] != float64(mustAtoi(port)) {
		t.Errorf("test result %v", got)
	}
	if n := len(probe.FindAllString(stub.body(), -1)); n != before+1 {
		t.Errorf("probe points: %d before, %d after", before, n)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	env.MustOK(root, "POST", "/cluster/metrics/server/g1", url.Values{"type": {"graphite"}, "server": {"127.0.0.1"},
		"port": {closed}, "proto": {"tcp"}, "disable": {"1"}})
	r := env.Do(root, "POST", "/nodes/testnode/metrics/server/g1/test", nil)
	if r.Status != 500 || !strings.Contains(r.Message, "connection test failed: couldn't connect to [127.0.0.1]:"+closed) {
		t.Errorf("closed port: %d %q", r.Status, r.Message)
	}
	r = env.Do(root, "POST", "/nodes/testnode/metrics/server/nope/test", nil)
	if r.Status != 500 || !strings.Contains(r.Message, "status server entry 'nope' does not exist") {
		t.Errorf("unknown id: %d %q", r.Status, r.Message)
	}
	if r := env.Do(root, "POST", "/nodes/testnode/metrics/server/bad%20id/test", nil); r.Status != 400 {
		t.Errorf("bad id: %d %q", r.Status, r.Message)
	}
}

// TestStorageRRDData reads a configured storage's history through the API
// (rows of the hour with their times; the values themselves are checked
// in internal/metrics) and refuses an unknown storage.
func TestStorageRRDData(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "srv"), 0o755)
	}})
	root := env.RootAuth()
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"srv"}, "type": {"dir"}, "path": {"/srv"}})
	if err := env.Server.Node().Services.Metrics.CollectOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows := env.MustOK(root, "GET", "/nodes/testnode/storage/srv/rrddata", url.Values{"timeframe": {"hour"}}).Data.([]any)
	if len(rows) < 59 || rows[0].(map[string]any)["time"] == nil {
		t.Errorf("rows: %d %v", len(rows), rows[:1])
	}
	r := env.Do(root, "GET", "/nodes/testnode/storage/other/rrddata", url.Values{"timeframe": {"hour"}})
	if r.Status != 400 || !strings.Contains(r.Message, "storage 'other' does not exist") {
		t.Errorf("unknown storage: %d %q", r.Status, r.Message)
	}
}
