package network

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/network/ifaces"
)

func parse(t *testing.T, src string) *ifaces.Config {
	t.Helper()
	cfg, err := ifaces.Parse(strings.NewReader(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func transcript(ops []Op) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o.String()
	}
	return out
}

// This kernel has no VLAN, bonding or dummy support, so what the native
// applier would do with them is checked as its plan.
const bondVLANFile = `auto lo
iface lo inet loopback

iface eno1 inet manual

iface eno2 inet manual

auto bond0
iface bond0 inet manual
	bond-slaves eno1 eno2
	bond-miimon 100
	bond-mode 802.3ad
	bond-xmit-hash-policy layer3+4

auto vmbr0
iface vmbr0 inet manual
	bridge-ports bond0
	bridge-stp off
	bridge-fd 0
	bridge-vlan-aware yes
	bridge-vids 10 20-30

auto vmbr0.10
iface vmbr0.10 inet static
	address 10.10.0.2/24
	gateway 10.10.0.1

auto vlan50
iface vlan50 inet static
	address 10.50.0.2/24
	vlan-raw-device bond0

auto dummy0
iface dummy0 inet manual
	link-type dummy
`

func TestPlanBondsAndVLANs(t *testing.T) {
	ks := &KernelState{Links: map[string]*LinkState{
		"lo":   {Name: "lo", Up: true, MTU: 65536},
		"eno1": {Name: "eno1", MTU: 1500},
		"eno2": {Name: "eno2", MTU: 1500, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("192.0.2.9/24")}},
	}, Gateways: map[string]string{"4": "192.0.2.1 dev eno2"}}
	ops, err := Plan(nil, parse(t, bondVLANFile), ks)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"up dummy0",
		"up eno1",
		"addr-del eno2 192.0.2.9/24",
		"add bond0 bond mode 802.3ad miimon 100 xmit_hash_policy layer3+4",
		"set-master eno1 bond0",
		"set-master eno2 bond0",
		"up bond0",
		"add vlan50 vlan link bond0 id 50 protocol 802.1q",
		"up vlan50",
		"addr-add vlan50 10.50.0.2/24",
		"add vmbr0 bridge",
		"bridge vmbr0 stp_state 0 forward_delay 0",
		"vlan-filtering vmbr0 1",
		"set-master bond0 vmbr0",
		"up vmbr0",
		"vids vmbr0 self add 10,20-30",
		"vids bond0 add 10,20-30",
		"add vmbr0.10 vlan link vmbr0 id 10 protocol 802.1q",
		"up vmbr0.10",
		"addr-add vmbr0.10 10.10.0.2/24",
		"route default4 10.10.0.1 dev vmbr0.10",
	}
	// dummy0 must be created first: it does not exist either
	want[0] = "add dummy0 dummy"
	want = slices.Insert(want, 1, "up dummy0")
	if diff := cmp.Diff(want, transcript(ops)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}

	// ifupdown2 would be asked for the same links: every auto interface
	// it reads is one the plan brings up, and every link the plan adds is
	// one of them
	known := ifqueryNames(t, bondVLANFile)
	for _, name := range known {
		if name != "lo" && !slices.Contains(want, "up "+name) {
			t.Errorf("ifupdown2 configures %s, the plan does not bring it up", name)
		}
	}
	for _, op := range ops {
		if op.Do == "add" && !slices.Contains(known, op.Link) {
			t.Errorf("the plan adds %s, ifupdown2 does not know it", op.Link)
		}
	}
}

// ifqueryNames lists the auto interfaces ifupdown2 reads from a file.
func ifqueryNames(t *testing.T, src string) []string {
	t.Helper()
	if _, err := exec.LookPath("ifquery"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs ifupdown2 and root")
	}
	f := filepath.Join(t.TempDir(), "interfaces")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", "-m", "sh", "-c",
		`mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/tmp && exec ifquery -i "$0" -a -o json`, f).Output()
	if err != nil {
		t.Fatalf("ifquery: %v", err)
	}
	var stanzas []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(out, &stanzas); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stanzas {
		names = append(names, s.Name)
	}
	return names
}

func TestPlanRefuses(t *testing.T) {
	src := `auto eno1
iface eno1 inet dhcp
	hwaddress ether 52:54:00:00:00:0g

auto vmbr0
iface vmbr0 inet manual
	ovs_type OVSBridge

auto eno2
iface eno2 inet manual
	bridge-learning on
`
	_, err := Plan(nil, parse(t, src), &KernelState{Links: map[string]*LinkState{}})
	var ref *NativeRefusal
	if !errors.As(err, &ref) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		"iface eno1 inet dhcp: method dhcp",
		`iface eno1: bad hwaddress line "hwaddress ether 52:54:00:00:00:0g"`,
		"iface eno2: bridge-learning on",
		"iface vmbr0: Open vSwitch type OVSBridge",
	}
	if diff := cmp.Diff(want, ref.Lines); diff != "" {
		t.Errorf("refusal (-want +got):\n%s", diff)
	}
}

func TestPlanRemovals(t *testing.T) {
	old := parse(t, "auto vmbr9\niface vmbr9 inet static\n\taddress 10.9.0.1/24\n\tbridge-ports none\n\tdown echo bye\n")
	next := parse(t, "auto lo\niface lo inet loopback\n")
	ks := &KernelState{Links: map[string]*LinkState{
		"lo":    {Name: "lo", Up: true},
		"vmbr9": {Name: "vmbr9", Kind: "bridge", Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.9.0.1/24")}},
	}}
	ops, err := Plan(old, next, ks)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"run vmbr9 down: echo bye", "del vmbr9"}, transcript(ops)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
