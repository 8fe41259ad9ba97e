package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
)

// TestMetricsRRDData checks the wiring of the history: the daemon's first
// round creates the store in the data dir, and rrddata answers every
// timeframe in Proxmox's shape. The values themselves are checked in the
// metrics package, where the clock is the test's.
func TestMetricsRRDData(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	file := filepath.Join(env.DataDir, "rrd", "node-testnode.rrd")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(file); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no history file %s after the first round", file)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for tf, rows := range map[string]int{"hour": 60, "day": 1440, "week": 336, "month": 1440, "year": 1440, "decade": 570} {
		r := env.MustOK(root, "GET", "/nodes/testnode/rrddata", url.Values{"timeframe": {tf}, "cf": {"MAX"}})
		got, _ := r.Data.([]any)
		// The last row, empty this early, is dropped.
		if len(got) != rows-1 && len(got) != rows {
			t.Fatalf("%s: %d rows, want %d", tf, len(got), rows-1)
		}
		first, _ := got[0].(map[string]any)
		if _, ok := first["time"].(float64); !ok {
			t.Errorf("%s: first row %v has no time", tf, first)
		}
	}
	r := env.Do(root, "GET", "/nodes/testnode/rrddata", url.Values{"timeframe": {"century"}})
	if r.Status != 400 || r.Errors["timeframe"] == "" {
		t.Errorf("bad timeframe: %d %v", r.Status, r.Errors)
	}
	r = env.Do(root, "GET", "/nodes/testnode/rrd", url.Values{"timeframe": {"hour"}, "ds": {"cpu"}})
	if r.Status != 501 {
		t.Errorf("rrd: %d %q, want 501", r.Status, r.Message)
	}
}

// TestMetricsPrometheusEndpoint scrapes /metrics as Prometheus does: with
// an API token in Prometheus's "authorization" form, and checks that the
// endpoint is closed to anonymous and unprivileged callers.
func TestMetricsPrometheusEndpoint(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{})
	root := env.RootAuth()
	tok := env.MustOK(root, "POST", "/access/users/root@pam/token/prom", url.Values{"privsep": {"0"}})
	data, _ := tok.Data.(map[string]any)
	secret := fmt.Sprint(data["full-tokenid"], "=", data["value"])
	scrape := func(set func(*http.Request)) (int, string) {
		req, err := http.NewRequest("GET", env.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		set(req)
		resp, err := env.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := scrape(func(r *http.Request) { r.Header.Set("Authorization", "PVEAPIToken "+secret) })
		if code != 200 {
			t.Fatalf("token scrape: %d %s", code, body)
		}
		if strings.Contains(body, "hostadm_node_memory_total_bytes ") {
			if !strings.Contains(body, "hostadm_collection_rounds_total ") {
				t.Errorf("no loop metrics in\n%s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no node metrics after the first round:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := scrape(func(*http.Request) {}); code != 401 {
		t.Errorf("anonymous scrape: %d, want 401", code)
	}
	nobody := env.AddUser("nobody@pve", "secret123", nil)
	if code, body := scrape(nobody.ApplyTo); code != 403 {
		t.Errorf("unprivileged scrape: %d %s, want 403", code, body)
	}
	auditor := env.AddUser("audit@pve", "secret123", map[string]string{"/nodes/testnode": "PVEAuditor"})
	if code, _ := scrape(auditor.ApplyTo); code != 200 {
		t.Errorf("auditor scrape: %d, want 200", code)
	}
	text := env.MustOK(auditor, "GET", "/nodes/testnode/metrics/prometheus", nil)
	if s, _ := text.Data.(string); !strings.Contains(s, "# TYPE hostadm_node_load1 gauge") {
		t.Errorf("exposition through the API: %.300q", s)
	}
}
