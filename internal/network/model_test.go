package network

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dumpState reads the namespace's kernel state the way an apply without
// a model does.
func dumpState(t *testing.T, ns string) *KernelState {
	t.Helper()
	var ks *KernelState
	if err := inNetNS(ns, func() (err error) { ks, err = ReadKernelState(); return err }); err != nil {
		t.Fatal(err)
	}
	return ks
}

// checkModel compares the model, once synced, with a dump.
func checkModel(t *testing.T, m *KernelModel, ns string) {
	t.Helper()
	if err := m.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	sortAddrs := cmp.Transformer("sort", func(in []netip.Prefix) []string {
		var out []string
		for _, p := range in {
			out = append(out, p.String())
		}
		slices.Sort(out)
		return out
	})
	if diff := cmp.Diff(dumpState(t, ns), m.State(), sortAddrs, cmp.AllowUnexported(KernelState{}), cmp.FilterPath(
		func(p cmp.Path) bool { return p.Last().String() == ".byMaster" }, cmp.Ignore())); diff != "" {
		t.Errorf("model differs from the kernel (-dump +model):\n%s", diff)
	}
}

// TestKernelModelFollowsKernel changes links, addresses and routes with
// iproute2 behind the model's back and checks that the model, once synced,
// says what a dump says.
func TestKernelModelFollowsKernel(t *testing.T) {
	ns := newNS(t, "eth0", "eth1")
	m, err := StartKernelModel(ns, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	checkModel(t, m, ns)
	ip := func(args ...string) { mustRun(t, append([]string{"ip", "-n", ns}, args...)...) }
	ip("link", "add", "br0", "type", "bridge")
	ip("link", "set", "eth0", "master", "br0")
	ip("link", "set", "br0", "up", "mtu", "1400")
	ip("link", "set", "eth0", "up")
	ip("addr", "add", "10.77.0.2/24", "dev", "br0")
	ip("addr", "add", "2001:db8:77::2/64", "dev", "br0", "nodad")
	ip("route", "add", "default", "via", "10.77.0.1")
	ip("-6", "route", "add", "default", "via", "2001:db8:77::1", "dev", "br0")
	checkModel(t, m, ns)
	if ks := m.State(); ks.Links["eth0"].Master != "br0" || ks.Gateways["4"] != "10.77.0.1 dev br0" || len(ks.Links["br0"].Addrs) != 2 {
		t.Errorf("model: eth0 %+v br0 %+v gateways %v", ks.Links["eth0"], ks.Links["br0"], ks.Gateways)
	}
	ip("addr", "del", "10.77.0.2/24", "dev", "br0") // takes the IPv4 default route with it
	ip("link", "set", "eth0", "nomaster")
	ip("link", "set", "eth1", "address", "02:00:00:00:77:01")
	ip("link", "del", "br0")
	checkModel(t, m, ns)
	if ks := m.State(); ks.Links["br0"] != nil || len(ks.Gateways) != 0 || ks.Links["eth0"].Master != "" {
		t.Errorf("after removal: %+v %v", ks.Links["br0"], ks.Gateways)
	}
	if n := m.Resyncs(); n != 1 {
		t.Errorf("%d dumps, want only the first", n)
	}
}

// TestKernelModelResyncsOnOverflow holds the model's reader while a burst
// of changes overflows its small socket buffer: the kernel drops
// notifications and reports ENOBUFS, and the model dumps the kernel again.
func TestKernelModelResyncsOnOverflow(t *testing.T) {
	ns := newNS(t)
	m, err := openModel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.sock.SetReceiveBufferSize(4096, true); err != nil {
		t.Fatal(err)
	}
	var hold sync.Mutex
	hold.Lock()
	//lint:ignore SA2001 the empty section waits until the test releases hold
	m.beforeReceive = func() { hold.Lock(); hold.Unlock() }
	if err := m.resync(); err != nil {
		t.Fatal(err)
	}
	go m.read()
	var batch strings.Builder
	for i := range 200 {
		fmt.Fprintf(&batch, "link add b%d type bridge\naddr add 10.78.%d.1/24 dev b%d\n", i, i, i)
	}
	cmd := exec.Command("ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch: %v: %s", err, out)
	}
	hold.Unlock()
	checkModel(t, m, ns)
	if n := m.Resyncs(); n < 2 {
		t.Errorf("%d dumps: the overflow was not noticed", n)
	}
	if ks := m.State(); len(ks.Links) != 201 || len(ks.Links["b199"].Addrs) != 1 {
		t.Errorf("model has %d links, b199 %+v", len(ks.Links), ks.Links["b199"])
	}
	// and it follows the kernel again afterwards
	mustRun(t, "ip", "-n", ns, "addr", "del", "10.78.5.1/24", "dev", "b5")
	checkModel(t, m, ns)
}
