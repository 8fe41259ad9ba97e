package ifaces

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mustParse(t *testing.T, src string, k *Kernel) *Config {
	t.Helper()
	cfg, err := Parse(strings.NewReader(src), k)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestParseModel(t *testing.T) {
	src := `auto lo
iface lo inet loopback

auto vmbr0
iface vmbr0 inet static
	address 192.0.2.10
	netmask 255.255.255.0
	gateway 192.0.2.1
	bridge_ports eno1 eno1 tap1 none
	bridge-vlan-aware no
#first
iface vmbr0 inet6 static
	address 2001:db8::1
	netmask 64
	accept_ra 2
#second

auto bond0
iface bond0 inet manual
	bond-slaves eno2 eno1
	bond-mode 1

iface eno1.100 inet manual

iface vlan7 inet manual
	vlan-raw-device bond0

iface eno1:1 inet static
	address 10.0.0.1

iface ens1 inet manual
	ovs_type OVSPort
	ovs_options tag=5 foo

iface typeless
	address 10.1.1.1/24
	address fe80::1/64
	netmask 255.0.0.0
	dummy-option x
`
	k := &Kernel{Physical: map[string][]string{"eno1": nil, "eno2": nil, "eno9": nil}, Up: map[string]bool{"vmbr0": true, "eno9": true, "nothere": true}}
	cfg := mustParse(t, src, k)
	want := map[string]*Iface{
		"lo": {Type: TypeLoopback, Priority: 2, Autostart: true, Families: []string{Inet}, Method: "loopback", Method6: "manual"},
		"vmbr0": {Type: TypeBridge, Priority: 3, Autostart: true, Active: true, Families: []string{Inet, Inet6},
			Method: "static", Address: "192.0.2.10", Netmask: "24", CIDR: "192.0.2.10/24", Gateway: "192.0.2.1",
			Method6: "static", Address6: "2001:db8::1", Netmask6: "64", CIDR6: "2001:db8::1/64",
			Comments: "first\nsecond\n", Options6: []string{"accept_ra 2"},
			Attrs: Attrs{{"bridge_fd", "0"}, {"bridge_ports", "eno1 tap1"}, {"bridge_stp", "off"}, {"bridge_vlan_aware", "1"}}},
		"bond0": {Type: TypeBond, Priority: 4, Autostart: true, Families: []string{Inet}, Method: "manual", Method6: "manual",
			Attrs: Attrs{{"bond_mode", "active-backup"}, {"slaves", "eno1 eno2"}}},
		"eno1.100": {Type: TypeVLAN, Priority: 5, Exists: true, ExistsSet: true, Families: []string{Inet}, Method: "manual", Method6: "manual",
			Attrs: Attrs{{"vlan-id", "100"}, {"vlan-raw-device", "eno1"}}},
		"vlan7": {Type: TypeVLAN, Priority: 6, ExistsSet: true, ExistsNull: true, Families: []string{Inet}, Method: "manual", Method6: "manual",
			Attrs: Attrs{{"vlan-id", "7"}, {"vlan-raw-device", "bond0"}}},
		"eno1:1": {Type: TypeAlias, Priority: 7, Exists: true, ExistsSet: true, Families: []string{Inet}, Method: "static", Method6: "manual",
			Address: "10.0.0.1", CIDR: "10.0.0.1/32"},
		"ens1": {Type: TypeOVSPort, Priority: 8, Families: []string{Inet}, Method: "manual", Method6: "manual",
			Attrs: Attrs{{"ovs_tag", "5"}, {"ovs_type", "OVSPort"}}},
		"typeless": {Type: TypeUnknown, Priority: 9, Families: []string{Typeless}, Method: "manual", Method6: "manual",
			Address: "10.1.1.1", Netmask: "24", CIDR: "10.1.1.1/24", Address6: "fe80::1", Netmask6: "64", CIDR6: "fe80::1/64",
			Options: []string{"dummy-option x"}},
		"eno1": {Type: TypeEth, Exists: true, ExistsSet: true, Families: []string{Inet}, Method: "manual", Method6: "manual"},
		"eno2": {Type: TypeEth, Exists: true, ExistsSet: true, Families: []string{Inet}, Method: "manual", Method6: "manual"},
		"eno9": {Type: TypeEth, Exists: true, ExistsSet: true, Active: true, Families: []string{Inet}, Method: "manual", Method6: "manual"},
	}
	if diff := cmp.Diff(want, cfg.Ifaces, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("model (-want +got):\n%s", diff)
	}
}

func TestParseQuirks(t *testing.T) {
	t.Run("a blank line ends a stanza, what follows is a top-level line", func(t *testing.T) {
		cfg := mustParse(t, "iface vmbr0 inet manual\n\tbridge-ports none\n\n\tpost-up true\n", nil)
		if len(cfg.Lines) != 1 || cfg.Lines[0].Text != "\tpost-up true" || cfg.Lines[0].Priority != 3 {
			t.Errorf("lines %+v", cfg.Lines)
		}
	})
	t.Run("comments outside stanzas are dropped", func(t *testing.T) {
		cfg := mustParse(t, "# top\nauto eth0\n  # also top\niface eth0 inet dhcp\n", nil)
		if len(cfg.Lines) != 0 || cfg.Ifaces["eth0"].Comments != "" {
			t.Errorf("%+v %q", cfg.Lines, cfg.Ifaces["eth0"].Comments)
		}
	})
	t.Run("a second inet stanza replaces method, options and comments", func(t *testing.T) {
		cfg := mustParse(t, "iface eth0 inet dhcp\n\tfoo 1\n#a\niface eth0 inet static\n\tbar 2\n", nil)
		d := cfg.Ifaces["eth0"]
		if d.Method != "static" || !cmp.Equal(d.Options, []string{"bar 2"}) || d.Comments != "a\n" ||
			!cmp.Equal(d.Families, []string{Inet, Inet}) {
			t.Errorf("%+v", d)
		}
	})
	t.Run("repeated bridge-ports lines append", func(t *testing.T) {
		cfg := mustParse(t, "iface vmbr0 inet manual\n\tbridge-ports b a\n\tbridge-ports a c\n", nil)
		if p := cfg.Ifaces["vmbr0"].Attr("bridge_ports"); p != "a b a c" {
			t.Errorf("ports %q", p)
		}
	})
	t.Run("bridge-stp spellings", func(t *testing.T) {
		for v, want := range map[string]string{"YES": "on", "on": "on", "off": "off", "1": "off"} {
			cfg := mustParse(t, "iface vmbr0 inet manual\n\tbridge-ports none\n\tbridge-stp "+v+"\n", nil)
			if got := cfg.Ifaces["vmbr0"].Attr("bridge_stp"); got != want {
				t.Errorf("%s: %s", v, got)
			}
		}
	})
	t.Run("altname marks the file's name", func(t *testing.T) {
		k := &Kernel{Physical: map[string][]string{"enp1s0": {"ethlan"}}}
		cfg := mustParse(t, "iface ethlan inet manual\n", k)
		if !cfg.Ifaces["ethlan"].Exists || cfg.Ifaces["enp1s0"] != nil || cfg.Ifaces["ethlan"].Type != TypeEth {
			t.Errorf("%+v", cfg.Ifaces)
		}
	})
	t.Run("OVS allow lines are cleaned", func(t *testing.T) {
		cfg := mustParse(t, "allow-ovs vmbr0\nallow-vmbr0 p1 p2\niface vmbr0 inet manual\n\tovs_type OVSBridge\n\tovs_ports p1\n", nil)
		if len(cfg.Lines) != 1 || cfg.Lines[0].Text != "allow-vmbr0 p2" {
			t.Errorf("%+v", cfg.Lines)
		}
	})
}

func TestMaskBits(t *testing.T) {
	for mask, want := range map[string]int{"255.255.255.0": 24, "255.255.255.255": 32, "0.0.0.0": 0, "255.128.0.0": 9} {
		if got, ok := MaskBits(mask); !ok || got != want {
			t.Errorf("%s: %d %v", mask, got, ok)
		}
	}
	for _, bad := range []string{"255.0.255.0", "256.0.0.0", "1.2.3", "255.255.255.01"} {
		if _, ok := MaskBits(bad); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}
