package daemon

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/cfs"
	"hostadm/internal/guests"
	"hostadm/internal/host"
	"hostadm/internal/metrics/wire"
)

// TestGuestObjects checks the qemu objects the exporters get: Graphite
// paths qemu.<vmid>.<key> and InfluxDB tags object=qemu,vmid,nodename,host
// (the VM's name), with vmstatus's keys.
func TestGuestObjects(t *testing.T) {
	dir := t.TempDir()
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	store, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := guests.New(guests.Config{Root: root, Store: store, Node: "pve1"})
	ctx := context.Background()
	if err := g.Create(ctx, 100, map[string]string{"name": "web", "memory": "32", "cores": "2"}); err != nil {
		t.Fatal(err)
	}
	objs, err := guestSource{svc: g}.GuestObjects(ctx, "pve1", 1718000000)
	if err != nil || len(objs) != 1 {
		t.Fatalf("objects %v %v", objs, err)
	}
	var gb, ib wire.Batcher
	wire.EncodeGraphite(&gb, "proxmox", &objs[0])
	wire.EncodeInflux(&ib, &objs[0])
	graphite, influx := string(gb.Bytes()), string(ib.Bytes())
	for _, want := range []string{"proxmox.qemu.100.maxmem 33554432 1718000000\n", "proxmox.qemu.100.cpus 2 1718000000\n", "proxmox.qemu.100.uptime 0 1718000000\n"} {
		if !strings.Contains(graphite, want) {
			t.Errorf("graphite lacks %q:\n%s", want, graphite)
		}
	}
	if strings.Contains(graphite, ".name ") || strings.Contains(graphite, ".template ") {
		t.Errorf("graphite sends names or template:\n%s", graphite)
	}
	if !strings.Contains(influx, "system,object=qemu,vmid=100,nodename=pve1,host=web ") || !strings.Contains(influx, "maxmem=33554432,") ||
		!strings.Contains(influx, `status="stopped"`) {
		t.Errorf("influx:\n%s", influx)
	}
}
