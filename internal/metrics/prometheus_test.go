package metrics

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"hostadm/internal/metrics/export"
)

// TestPrometheusNames gathers everything the registry offers after a full
// round (ZFS, PSI, NICs, a metric server) and lints the names as promtool
// check metrics does.
func TestPrometheusNames(t *testing.T) {
	h := newHistoryNode(t, time.Unix(1795715400, 0))
	s := NewService(ServiceConfig{Node: "pve1", NodeStat: h.node, Clock: h.clock.Now, HistoryDir: t.TempDir(),
		Storages: &fakeStorages{list: testStorages()}})
	s.TaskFinished("aptupdate", "OK")
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	port := udp.LocalAddr().(*net.UDPAddr).Port
	s.Exporters.Apply([]export.Server{{ID: "g1", Type: "graphite", Host: "127.0.0.1", Port: port, Proto: "udp"}})
	defer s.Exporters.Close()
	if err := s.CollectOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	mfs, err := s.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, n := range []string{"hostadm_node_memory_total_bytes", "hostadm_node_zfs_arc_size_bytes",
		"hostadm_node_network_receive_bytes_total", "hostadm_node_pressure_stalled_seconds_total",
		"hostadm_metric_server_points_sent_total", "hostadm_collection_rounds_total", "go_goroutines",
		"hostadm_storage_size_bytes", "hostadm_storage_enabled", "hostadm_tasks_finished_total"} {
		if !names[n] {
			t.Errorf("%s not exposed", n)
		}
	}
	want := `
# HELP hostadm_node_memory_total_bytes Physical memory.
# TYPE hostadm_node_memory_total_bytes gauge
hostadm_node_memory_total_bytes 2.5276502016e+10
# HELP hostadm_node_pressure_stalled_seconds_total Time some (or all) tasks stalled on a resource (pressure stall information).
# TYPE hostadm_node_pressure_stalled_seconds_total counter
hostadm_node_pressure_stalled_seconds_total{kind="full",resource="io"} 1.258258
hostadm_node_pressure_stalled_seconds_total{kind="some",resource="cpu"} 9.844954
hostadm_node_pressure_stalled_seconds_total{kind="some",resource="io"} 1.552758
`
	if err := testutil.GatherAndCompare(s.Registry(), strings.NewReader(want),
		"hostadm_node_memory_total_bytes", "hostadm_node_pressure_stalled_seconds_total"); err != nil {
		t.Error(err)
	}
}
