package daemon_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/storage"
	"hostadm/internal/tasks"
)

// TestMetricsListen starts the daemon with --metrics-listen: GET /metrics
// answers there over plain HTTP without credentials, with the node, the
// storages of storage.cfg (through the daemon's adapter) and the finished
// tasks; nothing else is served there, and the TLS port still wants a
// token.
func TestMetricsListen(t *testing.T) {
	root := t.TempDir()
	daemontest.WriteProc(t, root)
	if err := os.MkdirAll(filepath.Join(root, "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := daemon.Start(ctx, daemon.Config{
		Root: root, Node: "testnode", Listen: "127.0.0.1:0", MetricsListen: "127.0.0.1:0", Fast: true,
		Logger: slog.New(slog.DiscardHandler), StorePoll: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	svc := srv.Node().Services
	if err := storage.New(srv.Node().Store(), "testnode").Create(ctx, "dir", "srv",
		map[string]any{"path": "/srv", "content": "images"}); err != nil {
		t.Fatal(err)
	}
	upid, err := svc.Tasks.Start(ctx, "aptupdate", "", "root@pam", func(context.Context, *tasks.Log) error {
		return errors.New("no network")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Tasks.Wait(ctx, upid.String()); err != nil {
		t.Fatal(err)
	}
	if err := svc.Metrics.CollectOnce(ctx); err != nil { // a round that sees the storage
		t.Fatal(err)
	}

	base := "http://" + srv.MetricsAddr().String()
	status, body := get(t, base+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", status, body)
	}
	for _, want := range []string{
		"hostadm_node_memory_total_bytes ",
		`hostadm_storage_size_bytes{storage="srv",type="dir"} `,
		`hostadm_storage_active{storage="srv",type="dir"} 1`,
		`hostadm_tasks_finished_total{status="error",type="aptupdate"} 1`,
		"hostadm_collection_rounds_total ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if status, _ := get(t, base+"/api2/json/version"); status != http.StatusNotFound {
		t.Errorf("API on the metrics listener: %d", status)
	}
	if status, _ := get(t, base+"/"); status != http.StatusNotFound {
		t.Errorf("web UI on the metrics listener: %d", status)
	}
	if resp, err := http.Post(base+"/metrics", "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %v %v", resp, err)
	}
}

// TestMetricsListenOff: by default there is no second listener.
func TestMetricsListenOff(t *testing.T) {
	env := daemontest.Start(t)
	if a := env.Server.MetricsAddr(); a != nil {
		t.Errorf("metrics listener %v without --metrics-listen", a)
	}
	resp, err := env.Client.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous /metrics on the API port: %d", resp.StatusCode)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
