package metrics

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNetStat(t *testing.T) {
	files := hostFiles(t)
	// Hand-written in /proc/net/dev's layout: a bridge, a VM tap and a
	// container veth.
	files[pathNetDev] = []byte("Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n" +
		"  vmbr0: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n" +
		"tap100i0: 111 1 0 0 0 0 0 0 222 2 0 0 0 0 0 0\n" +
		"veth101i1: 333 1 0 0 0 0 0 0 444 2 0 0 0 0 0 0\n")
	n, _, _ := newTestNode(t, files, 0)
	got, err := n.NetStat(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"vmid": "100", "dev": "net0", "in": uint64(222), "out": uint64(111)},
		{"vmid": "101", "dev": "net1", "in": uint64(444), "out": uint64(333)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("netstat (-want +got):\n%s", diff)
	}
}

func TestPullExport(t *testing.T) {
	n := newRoundNode(t)
	c := newPullCache(3)
	for range 4 {
		s, err := n.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		c.add("pve1", &s, nil)
	}
	if got := len(c.get(false, 0)); got != 15 {
		t.Errorf("latest round has %d metrics, want 15", got)
	}
	if got := len(c.get(true, 0)); got != 45 {
		t.Errorf("history has %d metrics, want 3 rounds of 15", got)
	}
	for _, m := range c.get(false, 0) {
		if m.Metric == "net_in" && (m.Value != 100845059 || m.Type != "derive") {
			t.Errorf("net_in = %+v (only eth0 is physical)", m)
		}
	}
}

// TestPhysicalNetBytes counts NICs by Proxmox's rule, pinned names included,
// and leaves bridges, taps and veths out.
func TestPhysicalNetBytes(t *testing.T) {
	devs := []NetDev{
		{Name: "eno1", RxBytes: 1, TxBytes: 10}, {Name: "nic0", RxBytes: 2, TxBytes: 20},
		{Name: "if3", RxBytes: 4, TxBytes: 40}, {Name: "vmbr0", RxBytes: 100, TxBytes: 100},
		{Name: "tap100i0", RxBytes: 100, TxBytes: 100}, {Name: "lo", RxBytes: 100, TxBytes: 100},
	}
	if in, out := physicalNetBytes(devs); in != 7 || out != 70 {
		t.Errorf("physicalNetBytes = %d, %d; want 7, 70", in, out)
	}
}
