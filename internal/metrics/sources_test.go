package metrics

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/wire"
)

// fakeStorages is a StorageSource with fixed answers.
type fakeStorages struct {
	list []StorageStatus
	err  error
}

func (f *fakeStorages) StorageStatus(context.Context) ([]StorageStatus, error) { return f.list, f.err }

func testStorages() []StorageStatus {
	return []StorageStatus{
		{ID: "local", Type: "dir", Content: "iso,vztmpl,backup", Active: true, Enabled: true,
			Total: 100_000, Used: 40_000, Avail: 60_000},
		{ID: "local-lvm", Type: "lvmthin", Content: "rootdir,images", Active: true, Enabled: true,
			Total: 200_000, Used: 50_000, Avail: 150_000},
		{ID: "off", Type: "dir", Content: "images", Enabled: false},
	}
}

// TestStorageObjectEncoding asserts the exact lines of a storage object
// in both encodings (formats §5.2, §5.3).
func TestStorageObjectEncoding(t *testing.T) {
	st := testStorages()[1]
	o := StorageObject("pve1", 1718000000, &st)
	var b wire.Batcher
	wire.EncodeGraphite(&b, "", &o)
	want := "proxmox.storages.pve1.local-lvm.active 1 1718000000\n" +
		"proxmox.storages.pve1.local-lvm.avail 150000 1718000000\n" +
		"proxmox.storages.pve1.local-lvm.enabled 1 1718000000\n" +
		"proxmox.storages.pve1.local-lvm.shared 0 1718000000\n" +
		"proxmox.storages.pve1.local-lvm.total 200000 1718000000\n" +
		"proxmox.storages.pve1.local-lvm.used 50000 1718000000\n"
	if got := string(b.Bytes()); got != want {
		t.Errorf("graphite:\n%s\nwant:\n%s", got, want)
	}
	b.Reset()
	wire.EncodeInflux(&b, &o)
	want = `system,object=storages,nodename=pve1,host=local-lvm,type=lvmthin active=1,avail=150000,` +
		`content="rootdir,images",enabled=1,shared=0,total=200000,type="lvmthin",used=50000 1718000000000000000` + "\n"
	if got := string(b.Bytes()); got != want {
		t.Errorf("influx:\n%s\nwant:\n%s", got, want)
	}
}

// udpLines collects the lines a UDP Graphite exporter sends for one round.
func udpLines(t *testing.T, s *Service, c net.PacketConn) []string {
	t.Helper()
	if err := s.CollectOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var lines []string
	buf := make([]byte, 65536)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return lines
		}
		lines = append(lines, strings.Split(strings.TrimRight(string(buf[:n]), "\n"), "\n")...)
	}
}

// TestCollectStorages runs rounds through a real UDP exporter: only
// active storages are sent, none without a source, a failing source
// leaves the node's data alone; the pull export, Prometheus and the
// storage history see the same storages.
func TestCollectStorages(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := export.Server{ID: "g", Type: "graphite", Host: "127.0.0.1", Port: c.LocalAddr().(*net.UDPAddr).Port, Proto: "udp"}
	storagePaths := func(lines []string) (node int, st []string) {
		for _, l := range lines {
			f := strings.Fields(l)
			switch {
			case strings.HasPrefix(l, "proxmox.nodes.pve1."):
				node++
			case strings.HasPrefix(l, "proxmox.storages."):
				st = append(st, f[0]+" "+f[1])
			}
		}
		return node, st
	}

	h := newHistoryNode(t, time.Unix(1795715400, 0))
	plain := h.service("")
	plain.Exporters.Apply([]export.Server{srv})
	defer plain.Exporters.Close()
	if n, st := storagePaths(udpLines(t, plain, c)); n == 0 || st != nil {
		t.Errorf("without a source: %d node lines, storages %q", n, st)
	}
	plain.Exporters.Close()

	src := &fakeStorages{list: testStorages()}
	dir := t.TempDir()
	s := NewService(ServiceConfig{Node: "pve1", NodeStat: h.node, Clock: h.clock.Now, HistoryDir: dir, Storages: src})
	s.shist.start()
	defer s.shist.close()
	s.Exporters.Apply([]export.Server{srv})
	defer s.Exporters.Close()
	_, st := storagePaths(udpLines(t, s, c))
	if len(st) != 12 || !slices.Contains(st, "proxmox.storages.pve1.local.used 40000") ||
		!slices.Contains(st, "proxmox.storages.pve1.local-lvm.total 200000") ||
		slices.ContainsFunc(st, func(l string) bool { return strings.Contains(l, ".off.") }) {
		t.Errorf("storage lines: %q", st)
	}
	var pulled []string
	for _, m := range s.Export(false, 0) {
		if strings.HasPrefix(m.ID, "storage/") {
			pulled = append(pulled, m.ID+" "+m.Metric)
		}
	}
	if want := []string{"storage/pve1/local disk_total", "storage/pve1/local disk_used",
		"storage/pve1/local-lvm disk_total", "storage/pve1/local-lvm disk_used"}; !slices.Equal(pulled, want) {
		t.Errorf("pull export: %q", pulled)
	}
	want := `
# HELP hostadm_storage_used_bytes Used space of an active storage.
# TYPE hostadm_storage_used_bytes gauge
hostadm_storage_used_bytes{storage="local",type="dir"} 40000
hostadm_storage_used_bytes{storage="local-lvm",type="lvmthin"} 50000
# HELP hostadm_storage_active Whether the storage was accessible in the last round (1) or not (0).
# TYPE hostadm_storage_active gauge
hostadm_storage_active{storage="local",type="dir"} 1
hostadm_storage_active{storage="local-lvm",type="lvmthin"} 1
hostadm_storage_active{storage="off",type="dir"} 0
`
	if err := testutil.GatherAndCompare(s.Registry(), strings.NewReader(want),
		"hostadm_storage_used_bytes", "hostadm_storage_active"); err != nil {
		t.Error(err)
	}

	// A failing source: the node's lines still go, no storage lines.
	src.list, src.err = nil, errors.New("storage.cfg unreadable")
	h.clock.Add(10 * time.Second)
	if n, st := storagePaths(udpLines(t, s, c)); n == 0 || st != nil {
		t.Errorf("failing source: %d node lines, storages %q", n, st)
	}
}

// TestStorageHistory feeds a storage for ten minutes and reads it back as
// rrddata; a storage never active has times only.
func TestStorageHistory(t *testing.T) {
	h := newHistoryNode(t, time.Unix(1795715400, 0))
	src := &fakeStorages{list: testStorages()}
	s := NewService(ServiceConfig{Node: "pve1", NodeStat: h.node, Clock: h.clock.Now, HistoryDir: t.TempDir(), Storages: src})
	s.shist.start()
	rx := uint64(0)
	h.collect(t, s, 10*time.Minute, &rx)
	rows, err := s.StorageRRDData("local", "hour", "AVERAGE")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeRows(t, rows)
	last := got[len(got)-1]
	if last["total"] != 100_000 || last["used"] != 40_000 || len(last) != 3 {
		t.Errorf("last row %v", last)
	}
	if err := s.shist.close(); err != nil {
		t.Fatal(err)
	}
	// Closed: read from the file.
	if rows, err = s.StorageRRDData("local-lvm", "hour", "MAX"); err != nil {
		t.Fatal(err)
	}
	if got := decodeRows(t, rows); got[len(got)-1]["used"] != 50_000 {
		t.Errorf("after close: %v", got[len(got)-1])
	}
	if rows, err = s.StorageRRDData("off", "day", "AVERAGE"); err != nil || rows.Len() != 1439 { // the last, empty row is dropped
		t.Fatalf("never active: %v %v", rows, err)
	}
	if m := rows.At(0); len(m) != 1 {
		t.Errorf("never active row: %v", m)
	}
}

// TestTaskFinished counts finished tasks by type and status class.
func TestTaskFinished(t *testing.T) {
	h := newHistoryNode(t, time.Unix(1795715400, 0))
	s := h.service("")
	for _, st := range []string{"OK", "OK", "WARNINGS: 2", "disk full", ""} {
		s.TaskFinished("aptupdate", st)
	}
	s.TaskFinished("vzdump", "interrupted by signal")
	want := `
# HELP hostadm_tasks_finished_total Tasks finished since the daemon started, by task type and status class (ok, warning, error, unknown).
# TYPE hostadm_tasks_finished_total counter
hostadm_tasks_finished_total{status="error",type="aptupdate"} 1
hostadm_tasks_finished_total{status="error",type="vzdump"} 1
hostadm_tasks_finished_total{status="ok",type="aptupdate"} 2
hostadm_tasks_finished_total{status="unknown",type="aptupdate"} 1
hostadm_tasks_finished_total{status="warning",type="aptupdate"} 1
`
	if err := testutil.GatherAndCompare(s.Registry(), strings.NewReader(want), "hostadm_tasks_finished_total"); err != nil {
		t.Error(err)
	}
}
