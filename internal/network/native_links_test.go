package network

import (
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const vidsFile = `auto lo
iface lo inet loopback

iface eth0 inet manual

iface eth1 inet manual
	bridge-vids 100

auto vmbr0
iface vmbr0 inet manual
	bridge-ports eth0 eth1
	bridge-stp off
	bridge-fd 0
	bridge-vlan-aware yes
	bridge-vids 10 20-30

auto vmbr0.5
iface vmbr0.5 inet static
	address 10.5.0.2/24
`

// TestPlanBridgeVids checks the VLAN ids a VLAN-aware bridge gives itself
// and its ports (this kernel has no VLAN filtering, so as the plan), that
// ifupdown2 reads the same ids and ports from the file, and that a later
// change adds and removes only the difference.
func TestPlanBridgeVids(t *testing.T) {
	ks := &KernelState{Links: map[string]*LinkState{
		"lo":   {Name: "lo", Up: true},
		"eth0": {Name: "eth0", MTU: 1500, Up: true},
		"eth1": {Name: "eth1", MTU: 1500, Up: true},
	}}
	cfg := parse(t, vidsFile)
	ops, err := Plan(nil, cfg, ks)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"add vmbr0 bridge",
		"bridge vmbr0 stp_state 0 forward_delay 0",
		"vlan-filtering vmbr0 1",
		"set-master eth0 vmbr0",
		"set-master eth1 vmbr0",
		"up vmbr0",
		"vids vmbr0 self add 5,10,20-30",
		"vids eth0 add 10,20-30",
		"vids eth1 add 100",
		"add vmbr0.5 vlan link vmbr0 id 5 protocol 802.1q",
		"up vmbr0.5",
		"addr-add vmbr0.5 10.5.0.2/24",
	}
	if diff := cmp.Diff(want, transcript(ops)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}

	// ifupdown2 reads the same ports and ids from the file
	q := ifqueryConfig(t, vidsFile, "vmbr0", "eth1")
	if q["vmbr0"]["bridge-ports"] != "eth0 eth1" || q["vmbr0"]["bridge-vids"] != "10 20-30" || q["eth1"]["bridge-vids"] != "100" {
		t.Errorf("ifquery: %v", q)
	}
	for _, dev := range strings.Fields(q["vmbr0"]["bridge-ports"]) {
		ids := q[dev]["bridge-vids"]
		if ids == "" {
			ids = q["vmbr0"]["bridge-vids"]
		}
		line := "vids " + dev + " add " + vidRanges(keys(vidSet(strings.Join(strings.Fields(ids), ","))))
		if !slices.Contains(transcript(ops), line) {
			t.Errorf("ifupdown2 gives %s the ids %q; the plan lacks %q", dev, ids, line)
		}
	}

	// the kernel now has what the plan made; narrow the ids
	ks = &KernelState{Links: map[string]*LinkState{
		"lo":      {Name: "lo", Up: true},
		"eth0":    {Name: "eth0", MTU: 1500, Up: true, Master: "vmbr0"},
		"eth1":    {Name: "eth1", MTU: 1500, Up: true, Master: "vmbr0"},
		"vmbr0":   {Name: "vmbr0", Kind: "bridge", MTU: 1500, Up: true},
		"vmbr0.5": {Name: "vmbr0.5", Kind: "vlan", MTU: 1500, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.5.0.2/24")}},
	}}
	next := parse(t, strings.Replace(vidsFile, "bridge-vids 10 20-30", "bridge-vids 10 20-25 40", 1))
	ops, err = Plan(cfg, next, ks)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"vids vmbr0 self del 26-30",
		"vids vmbr0 self add 40",
		"vids eth0 del 26-30",
		"vids eth0 add 40",
	}
	if diff := cmp.Diff(want, transcript(ops)); diff != "" {
		t.Errorf("change (-want +got):\n%s", diff)
	}
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ifqueryConfig is ifupdown2's reading of the named stanzas' options.
func ifqueryConfig(t *testing.T, src string, names ...string) map[string]map[string]string {
	t.Helper()
	if _, err := exec.LookPath("ifquery"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs ifupdown2 and root")
	}
	f := filepath.Join(t.TempDir(), "interfaces")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", append([]string{"-m", "sh", "-c",
		`mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/tmp && exec ifquery -o json -i "$@"`, "sh", f}, names...)...).Output()
	if err != nil {
		t.Fatalf("ifquery: %v", err)
	}
	var stanzas []struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(out, &stanzas); err != nil {
		t.Fatal(err)
	}
	res := map[string]map[string]string{}
	for _, s := range stanzas {
		res[s.Name] = s.Config
	}
	return res
}

// TestPlanBondInPlace changes an existing bond's options: a new mode takes
// the bond down and its slaves out, miimon and the hash policy change in
// place, and an active-backup bond gets its primary once the slaves are in.
func TestPlanBondInPlace(t *testing.T) {
	const base = "auto lo\niface lo inet loopback\n\niface eno1 inet manual\n\niface eno2 inet manual\n\n" +
		"auto bond0\niface bond0 inet manual\n\tbond-slaves eno1 eno2\n"
	kernel := func(b BondState) *KernelState {
		return &KernelState{Links: map[string]*LinkState{
			"lo":    {Name: "lo", Up: true},
			"eno1":  {Name: "eno1", Up: true, Master: "bond0"},
			"eno2":  {Name: "eno2", Up: true, Master: "bond0"},
			"bond0": {Name: "bond0", Kind: "bond", Up: true, Bond: &b},
		}}
	}
	cases := []struct {
		name, opts string
		have       BondState
		want       []string
	}{
		{"mode", "\tbond-miimon 100\n\tbond-mode 802.3ad\n\tbond-xmit-hash-policy layer3+4\n",
			BondState{Mode: "balance-rr", Miimon: 100}, []string{
				"down bond0", "no-master eno1", "no-master eno2",
				"bond bond0 mode 802.3ad miimon 100 xmit_hash_policy layer3+4",
				"set-master eno1 bond0", "set-master eno2 bond0", "up bond0"}},
		{"miimon and hash policy", "\tbond-miimon 200\n\tbond-mode balance-xor\n\tbond-xmit-hash-policy layer2+3\n",
			BondState{Mode: "balance-xor", Miimon: 100, Xmit: "layer2"}, []string{
				"bond bond0 miimon 200 xmit_hash_policy layer2+3"}},
		{"primary", "\tbond-miimon 100\n\tbond-mode active-backup\n\tbond-primary eno2\n",
			BondState{Mode: "active-backup", Miimon: 100, Primary: "eno1"}, []string{
				"bond-primary bond0 eno2"}},
		{"mode and primary", "\tbond-miimon 100\n\tbond-mode active-backup\n\tbond-primary eno2\n",
			BondState{Mode: "balance-rr", Miimon: 100}, []string{
				"down bond0", "no-master eno1", "no-master eno2", "bond bond0 mode active-backup miimon 100",
				"set-master eno1 bond0", "set-master eno2 bond0", "bond-primary bond0 eno2", "up bond0"}},
		{"unchanged", "\tbond-miimon 100\n\tbond-mode active-backup\n\tbond-primary eno2\n",
			BondState{Mode: "active-backup", Miimon: 100, Primary: "eno2"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := parse(t, base+c.opts)
			ops, err := Plan(cfg, cfg, kernel(c.have))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, transcript(ops)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
	// a new bond gets its primary after its slaves
	ks := kernel(BondState{})
	delete(ks.Links, "bond0")
	ks.Links["eno1"].Master, ks.Links["eno2"].Master = "", ""
	ops, err := Plan(nil, parse(t, base+"\tbond-mode active-backup\n\tbond-primary eno1\n"), ks)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"add bond0 bond mode active-backup miimon 100", "set-master eno1 bond0", "set-master eno2 bond0",
		"bond-primary bond0 eno1", "up bond0"}
	if diff := cmp.Diff(want, transcript(ops)); diff != "" {
		t.Errorf("new bond (-want +got):\n%s", diff)
	}
}
