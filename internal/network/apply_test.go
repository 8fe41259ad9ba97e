package network

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const applyFile = `auto lo
iface lo inet loopback

iface eth0 inet manual

iface eth1 inet manual

auto vmbr0
iface vmbr0 inet static
	address 10.200.0.2/24
	gateway 10.200.0.1
	bridge-ports eth0
	bridge-stp off
	bridge-fd 0

auto vmbr1
iface vmbr1 inet static
	address 10.201.0.1/24
	bridge-ports eth1
	bridge-stp off
	bridge-fd 0
	mtu 1400
	post-up ip link set dev vmbr1 alias applied-by-hook

iface vmbr1 inet6 static
	address fd00:201::1/64

auto vxlan5
iface vxlan5 inet manual
	vxlan-id 5
	vxlan-local-tunnelip 10.200.0.2

auto vmbr2
iface vmbr2 inet manual
	bridge-ports vxlan5
	bridge-stp on
	bridge-fd 4
`

func stage(t *testing.T, root, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "etc/network/interfaces.new"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAppliersAgree applies the same file from nothing with ifreload -a and
// with the native applier, each in its own namespace, and compares the
// kernel state they leave; then changes one address and checks that no
// other link was touched.
func TestAppliersAgree(t *testing.T) {
	needIfupdown2(t)
	views := map[string]map[string]linkView{}
	routes := map[string][]string{}
	for _, applier := range []string{ApplierIfUpDown2, ApplierNative} {
		t.Run(applier, func(t *testing.T) {
			ns := newNS(t, "eth0", "eth1")
			svc, root := nsService(t, ns, applier)
			stage(t, root, applyFile)
			var log bytes.Buffer
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("apply: %v\n%s", err, log.String())
			}
			if _, err := os.Stat(filepath.Join(root, "etc/network/interfaces.new")); !os.IsNotExist(err) {
				t.Error("staged file left behind")
			}
			views[applier], routes[applier] = kernelView(t, ns)
			v := views[applier]
			if v["eth0"].Master != "vmbr0" || v["vmbr1"].MTU != 1400 || v["vmbr1"].Alias != "applied-by-hook" ||
				v["vmbr2"].FwdDelay != 400 || v["vmbr2"].STP != 1 || v["vxlan5"].Master != "vmbr2" {
				t.Errorf("state %+v\n%s", v, log.String())
			}

			before := ifindexes(t, ns)
			beforeView := views[applier]
			stage(t, root, strings.Replace(applyFile, "10.201.0.1/24", "10.201.0.7/24", 1))
			log.Reset()
			if err := svc.Apply(context.Background(), &log); err != nil {
				t.Fatalf("second apply: %v\n%s", err, log.String())
			}
			after, _ := kernelView(t, ns)
			if diff := cmp.Diff(before, ifindexes(t, ns)); diff != "" {
				t.Errorf("links were recreated:\n%s", diff)
			}
			for name, lv := range after {
				if name == "vmbr1" {
					if !cmp.Equal(lv.Addrs, []string{"10.201.0.7/24", "fd00:201::1/64"}) {
						t.Errorf("vmbr1 addresses %v", lv.Addrs)
					}
					continue
				}
				if diff := cmp.Diff(beforeView[name], lv); diff != "" {
					t.Errorf("%s was touched:\n%s", name, diff)
				}
			}
			if applier == ApplierNative {
				want := "addr-del vmbr1 10.201.0.1/24\naddr-add vmbr1 10.201.0.7/24\nrun vmbr1 post-up: ip link set dev vmbr1 alias applied-by-hook\n"
				if log.String() != want {
					t.Errorf("native transcript:\n%s", log.String())
				}
			}
		})
	}
	if len(views) == 2 {
		if diff := cmp.Diff(views[ApplierIfUpDown2], views[ApplierNative]); diff != "" {
			t.Errorf("ifupdown2 and native disagree (-ifupdown2 +native):\n%s", diff)
		}
		if diff := cmp.Diff(routes[ApplierIfUpDown2], routes[ApplierNative]); diff != "" {
			t.Errorf("routes differ:\n%s", diff)
		}
	}
}
