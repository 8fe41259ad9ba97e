package network

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const macFile = `auto lo
iface lo inet loopback

auto eth0
iface eth0 inet manual
	hwaddress ether 02:00:00:aa:00:01

auto vmbr0
iface vmbr0 inet static
	address 10.220.0.2/24
	bridge-ports eth0
	bridge-stp off
	bridge-fd 0
	hwaddress 02:00:00:bb:00:01
`

func macs(t *testing.T, ns string) map[string]string {
	t.Helper()
	var links []struct {
		Name string `json:"ifname"`
		Addr string `json:"address"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "ip", "-n", ns, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range links {
		out[l.Name] = l.Addr
	}
	return out
}

// TestHwaddress sets MAC addresses from the file with both appliers, for
// real on a veth and a bridge, and changes one in place.
func TestHwaddress(t *testing.T) {
	for _, applier := range []string{ApplierNative, ApplierIfUpDown2} {
		t.Run(applier, func(t *testing.T) {
			if applier == ApplierIfUpDown2 {
				needIfupdown2(t)
			}
			ns := newNS(t, "eth0")
			svc, root := nsService(t, ns, applier)
			stage(t, root, macFile)
			var log bytes.Buffer
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("apply: %v\n%s", err, log.String())
			}
			m := macs(t, ns)
			if m["eth0"] != "02:00:00:aa:00:01" || m["vmbr0"] != "02:00:00:bb:00:01" {
				t.Errorf("MACs %v\n%s", m, log.String())
			}
			before := ifindexes(t, ns)
			stage(t, root, strings.Replace(macFile, "02:00:00:aa:00:01", "02:00:00:aa:00:02", 1))
			log.Reset()
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("apply: %v\n%s", err, log.String())
			}
			if m := macs(t, ns); m["eth0"] != "02:00:00:aa:00:02" || m["vmbr0"] != "02:00:00:bb:00:01" {
				t.Errorf("MACs after change %v", m)
			}
			if diff := cmp.Diff(before, ifindexes(t, ns)); diff != "" {
				t.Errorf("links were recreated:\n%s", diff)
			}
			if applier == ApplierNative && log.String() != "mac eth0 02:00:00:aa:00:02\n" {
				t.Errorf("native transcript:\n%s", log.String())
			}
		})
	}
}

// TestReapplyRepairsKernel changes the kernel behind the file's back and
// applies the unchanged file again: like ifreload -a, the native applier
// checks every interface against the kernel and puts it right, and runs
// the up hooks of unchanged stanzas again.
//
// With the kernel model (native-model) the drift is seen through the
// kernel's notifications rather than a dump, and repaired the same way.
func TestReapplyRepairsKernel(t *testing.T) {
	for _, variant := range []string{ApplierNative, ApplierIfUpDown2, "native-model"} {
		t.Run(variant, func(t *testing.T) {
			applier := strings.TrimSuffix(variant, "-model")
			if applier == ApplierIfUpDown2 {
				needIfupdown2(t)
			}
			ns := newNS(t, "eth0", "eth1")
			svc, root := nsService(t, ns, applier)
			if variant == "native-model" {
				m, err := StartKernelModel(ns, 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(m.Close)
				svc.UseKernelModel(m)
			}
			stage(t, root, applyFile)
			var log bytes.Buffer
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("apply: %v\n%s", err, log.String())
			}
			good, goodRoutes := kernelView(t, ns)
			mustRun(t, "ip", "-n", ns, "addr", "del", "10.201.0.1/24", "dev", "vmbr1")
			mustRun(t, "ip", "-n", ns, "link", "set", "eth0", "nomaster")
			mustRun(t, "ip", "-n", ns, "link", "set", "vmbr1", "mtu", "1500", "alias", "changed")
			log.Reset()
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("reapply: %v\n%s", err, log.String())
			}
			now, routes := kernelView(t, ns)
			if diff := cmp.Diff(good, now); diff != "" {
				t.Errorf("kernel not repaired (-want +got):\n%s\n%s", diff, log.String())
			}
			if diff := cmp.Diff(goodRoutes, routes); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
			if applier == ApplierNative {
				want := "set-master eth0 vmbr0\nmtu vmbr1 1400\naddr-add vmbr1 10.201.0.1/24\n" +
					"run vmbr1 post-up: ip link set dev vmbr1 alias applied-by-hook\n"
				if log.String() != want {
					t.Errorf("native transcript:\n%s", log.String())
				}
			}
		})
	}
}
