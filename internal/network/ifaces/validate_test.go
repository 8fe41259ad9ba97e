package ifaces

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateMessages(t *testing.T) {
	eth := "iface eno1 inet manual\n\niface eno2 inet manual\n\n"
	cases := []struct {
		name, src, err string
		opts           Options
	}{
		{"port used twice", eth + "iface vmbr0 inet manual\n\tbridge-ports eno1\n\niface vmbr1 inet manual\n\tbridge-ports eno1\n",
			"port 'eno1' is already used on interface 'vmbr0'", ifupdown2},
		{"bridge port missing", "iface vmbr0 inet manual\n\tbridge-ports eno7\n",
			"bridge 'vmbr0' - unable to find bridge port 'eno7'", ifupdown2},
		{"bridge port with address", "iface eno1 inet static\n\taddress 10.0.0.1/24\n\niface vmbr0 inet manual\n\tbridge-ports eno1\n",
			"iface eno1 - ip address can't be set on interface if bridged in vmbr0", ifupdown2},
		{"bond slave missing", "iface bond0 inet manual\n\tbond-slaves eno1 eno3\n\niface eno1 inet manual\n",
			"bond 'bond0' - unable to find slave 'eno3'", ifupdown2},
		{"bond slave of wrong type", "iface vmbr1 inet manual\n\tbridge-ports none\n\niface bond0 inet manual\n\tbond-slaves vmbr1\n",
			"bond 'bond0' - wrong interface type on slave 'vmbr1' ('bridge' != 'eth or bond')", ifupdown2},
		{"bond primary not a slave", eth + "iface bond0 inet manual\n\tbond-slaves eno1\n\tbond-primary eno2\n",
			"bond 'bond0' - bond-primary interface is not a slave", ifupdown2},
		{"mtu of child above parent", eth + "iface eno1.5 inet manual\n\tmtu 9000\n",
			"interface 'eno1' - mtu 1500 is lower than 'eno1.5' - mtu 9000", ifupdown2},
		{"bridge mtu above port", eth + "iface vmbr0 inet manual\n\tbridge-ports eno1\n\tmtu 9000\n",
			"interface 'eno1' - mtu 1500 is lower than 'vmbr0' - mtu 9000", ifupdown2},
		{"vlan id too large", eth + "iface eno1.4095 inet manual\n",
			"vlan 'eno1.4095' - vlan-id 4095 should be <= 4094", ifupdown2},
		{"vlan parent missing", "iface vlan5 inet manual\n\tvlan-raw-device vmbr7\n",
			// the parent is entered (typeless) by the parser, as in Proxmox
			"vlan 'vlan5' - wrong interface type on parent 'vmbr7' ('' != 'eth|bond|bridge|vlan' )", ifupdown2},
		{"vlan parent of wrong type", "iface vlan5 inet manual\n\tvlan-raw-device vx\n\niface vx inet manual\n\tvxlan-id 5\n",
			"vlan 'vlan5' - wrong interface type on parent 'vx' ('vxlan' != 'eth|bond|bridge|vlan' )", ifupdown2},
		{"custom vlan name without ifupdown2", eth + "iface mgmt inet manual\n\tvlan-raw-device eno1\n\tvlan-id 5\n",
			"custom vlan interface name need ifupdown2", Options{}},
		{"custom vlan name without id", eth + "iface mgmt inet manual\n\tvlan-raw-device eno1\n",
			"missing vlan-id option", ifupdown2},
		{"bad vlan protocol", eth + "iface eno1.5 inet manual\n\tvlan-protocol 802.1x\n",
			"eno1.5: wrong vlan-protocol 802.1x", ifupdown2},
		{"duplicate vxlan id", "iface vx1 inet manual\n\tvxlan-id 5\n\niface vx2 inet manual\n\tvxlan-id 5\n",
			"iface vx2 - duplicate vxlan-id 5 already used in vx1", ifupdown2},
		{"vxlan addressing modes exclusive", "iface vx1 inet manual\n\tvxlan-id 5\n\tvxlan-remoteip 1.1.1.1\n\tvxlan-local-tunnelip 1.1.1.2\n",
			"iface vx1 - vxlan-svcnodeip, vxlan-remoteip and vxlan-localtunnelip are mutually exclusive", ifupdown2},
		{"svcnodeip needs physdev", "iface vx1 inet manual\n\tvxlan-id 5\n\tvxlan-svcnodeip 239.0.0.1\n",
			"iface vx1 - vxlan-svcnodeip and vxlan-physdev must be define together", ifupdown2},
		{"uplink-id on a bridge", "iface vmbr0 inet manual\n\tbridge-ports none\n\tuplink-id 1\n",
			"iface 'vmbr0' - uplink-id 1 is only allowed on physical and linux bond interfaces", ifupdown2},
		{"uplink-id twice", eth + "iface eno1 inet manual\n\tuplink-id 1\n\niface eno2 inet manual\n\tuplink-id 1\n",
			"iface 'eno2' - uplink-id 1 is already assigned on 'eno1'", ifupdown2},
		{"bridge port option off a bridge", eth + "iface eno1 inet manual\n\tbridge-learning on\n",
			"iface eno1 - bridge-learning: bridge port specific options can be used only on interfaces attached to a bridge", ifupdown2},
		{"bridge-access needs vlan-aware", eth + "iface eno1 inet manual\n\tbridge-access 5\n\niface vmbr0 inet manual\n\tbridge-ports eno1\n",
			"iface eno1 - bridge-access option can be only used if interface is in a vlan aware bridge", ifupdown2},
		{"ovs port missing", "iface vmbr0 inet manual\n\tovs_type OVSBridge\n\tovs_ports eno5\n",
			"OVS bridge 'vmbr0' - unable to find port 'eno5'", ifupdown2},
		{"ovs bond mode", "iface vmbr0 inet manual\n\tovs_type OVSBridge\n\tovs_ports bond0\n\niface bond0 inet manual\n\tovs_type OVSBond\n\tovs_options bond_mode=balance-rr\n",
			"OVS does not support bond mode 'balance-rr", ifupdown2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, c.src, nil)
			var b bytes.Buffer
			err := cfg.Write(&b, c.opts)
			if err == nil || err.Error() != c.err {
				t.Errorf("got %v, want %q", err, c.err)
			}
			if b.Len() != 0 {
				t.Error("something was written")
			}
		})
	}
}

func TestValidateRefusesLineBreaks(t *testing.T) {
	for name, mut := range map[string]func(d *Iface){
		"option value": func(d *Iface) { d.Set("ovs_options", "a=1\n\tpost-up reboot") },
		"address":      func(d *Iface) { d.Address = "10.0.0.1\n\tpost-up reboot" },
		"gateway":      func(d *Iface) { d.Gateway = "10.0.0.1 extra" },
		"option key":   func(d *Iface) { d.Set("post-up reboot", "x") },
		"comment CR":   func(d *Iface) { d.Comments = "a\rb" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := mustParse(t, "iface eno1 inet manual\n", nil)
			mut(cfg.Ifaces["eno1"])
			if _, err := cfg.Marshal(ifupdown2); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("comment lines stay comments", func(t *testing.T) {
		cfg := mustParse(t, "iface eno1 inet manual\n", nil)
		cfg.Ifaces["eno1"].Comments = "one\nauto evil\niface evil inet dhcp\n"
		out, err := cfg.Marshal(ifupdown2)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "#auto evil\n#iface evil inet dhcp\n") {
			t.Errorf("%s", out)
		}
		again := mustParse(t, string(out), nil)
		if again.Ifaces["evil"] != nil {
			t.Error("comment injected an interface")
		}
	})
}

func TestValidateNormalises(t *testing.T) {
	cfg := mustParse(t, "iface eno1 inet manual\n\niface eno2 inet manual\n\niface bond0 inet manual\n\tbond-slaves eno1 eno2\n\niface eno1.5 inet manual\n\tvlan-id 5\n", nil)
	if err := cfg.Validate(ifupdown2); err != nil {
		t.Fatal(err)
	}
	if !cfg.Ifaces["eno1"].Autostart || !cfg.Ifaces["eno2"].Autostart {
		t.Error("bond slaves must get autostart")
	}
	if cfg.Ifaces["eno1.5"].HasAttr("vlan-id") || cfg.Ifaces["eno1.5"].HasAttr("vlan-raw-device") {
		t.Error("implied vlan keys must be dropped")
	}
}

// FuzzParse checks that parsing never fails on content, that a parse in
// two parts gives what one pass gives, and that whatever the writer
// accepts comes back unchanged when parsed and written again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"auto lo\niface lo inet loopback\n",
		"iface vmbr0 inet static\n\taddress 10.0.0.1/24\n\tbridge-ports none\n#c\n",
		"source x\niface eno1\n\taddress fe80::1/64\n\nmapping y\n",
		"iface bond0 inet manual\n\tovs_type OVSBond\n\tovs_options bond_mode=balance-tcp tag=5\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkSplits(t, src)
		cfg, err := Parse(strings.NewReader(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := cfg.Marshal(ifupdown2)
		if err != nil {
			return // refused by validation, as Proxmox would
		}
		cfg2, err := Parse(bytes.NewReader(out), nil)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := cfg2.Marshal(ifupdown2)
		if err != nil {
			t.Fatalf("written file refused on rewrite: %v\n%s", err, out)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n---\n%s", out, out2)
		}
	})
}

// TestValidateRefusesLoops refuses interfaces that sit on themselves
// through bridge ports, bond slaves or VLAN parents: the native applier's
// walk down such a stack never ended (the daemon died of a stack
// overflow), and no kernel can build it.
func TestValidateRefusesLoops(t *testing.T) {
	eth := "iface eno1 inet manual\n\n"
	cases := []struct{ name, src, err string }{
		{"bridges on each other", "iface vmbr0 inet manual\n\tbridge-ports vmbr1\n\niface vmbr1 inet manual\n\tbridge-ports vmbr0\n",
			"iface vmbr0 - interface loop: vmbr0 -> vmbr1 -> vmbr0"},
		{"bridge on itself", "iface vmbr0 inet manual\n\tbridge-ports vmbr0\n",
			"iface vmbr0 - interface loop: vmbr0 -> vmbr0"},
		{"bonds enslaving each other", eth + "iface bond0 inet manual\n\tbond-slaves eno1 bond1\n\niface bond1 inet manual\n\tbond-slaves bond0\n",
			"iface bond0 - interface loop: bond0 -> bond1 -> bond0"},
		{"vlan on a bridge it is a port of", "iface vmbr0 inet manual\n\tbridge-ports v5\n\niface v5 inet manual\n\tvlan-raw-device vmbr0\n\tvlan-id 5\n",
			"iface v5 - interface loop: v5 -> vmbr0 -> v5"},
		{"dotted vlan on its own bridge", "iface vmbr0 inet manual\n\tbridge-ports vmbr0.5\n\niface vmbr0.5 inet manual\n",
			"iface vmbr0 - interface loop: vmbr0 -> vmbr0.5 -> vmbr0"},
		{"three layers", eth + "iface bond0 inet manual\n\tbond-slaves vlan7\n\niface vmbr0 inet manual\n\tbridge-ports bond0\n\niface vlan7 inet manual\n\tvlan-raw-device vmbr0\n",
			"iface bond0 - interface loop: bond0 -> vlan7 -> vmbr0 -> bond0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, c.src, nil)
			_, err := cfg.Marshal(ifupdown2)
			if err == nil || !strings.HasPrefix(err.Error(), c.err+" ") {
				t.Errorf("got %v, want %q", err, c.err)
			}
		})
	}
	t.Run("a stack without loop passes", func(t *testing.T) {
		cfg := mustParse(t, bondStack, nil)
		if loop := cfg.Loop(); loop != nil {
			t.Errorf("loop %v", loop)
		}
	})
}

const bondStack = "iface eno1 inet manual\n\niface eno2 inet manual\n\nauto bond0\niface bond0 inet manual\n\tbond-slaves eno1 eno2\n\n" +
	"auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports bond0\n\tbridge-vlan-aware yes\n\nauto vmbr0.5\niface vmbr0.5 inet manual\n"

// TestValidateRefusesBackslash refuses a backslash in comments, values
// and option lines: ifupdown2 splits the file at every backslash and
// joins the pieces with a space, so a comment ending in one swallowed the
// `auto vmbr0` line after it (the real ifquery shows it) and the bridge
// stayed down at the next boot.
func TestValidateRefusesBackslash(t *testing.T) {
	const src = "auto lo\niface lo inet loopback\n\niface eno1 inet manual\n\nauto vmbr0\niface vmbr0 inet static\n" +
		"\taddress 192.0.2.10/24\n\tgateway 192.0.2.1\n\tbridge-ports eno1\n\tbridge-stp off\n\tbridge-fd 0\n"
	cases := []struct {
		name string
		mut  func(d *Iface)
		err  string
	}{
		{"comment", func(d *Iface) { d.Comments = `uplink, see \\fileserver\docs\` + "\n" }, "iface eno1 - comments must not contain a backslash"},
		{"inet6 comment", func(d *Iface) { d.Comments6 = `a\b` }, "iface eno1 - comments must not contain a backslash"},
		{"option value", func(d *Iface) { d.Set("mtu", `1500\`) }, "iface eno1 - option 'mtu' must not contain a backslash"},
		{"option line", func(d *Iface) { d.Options = append(d.Options, `post-up echo \`) }, "iface eno1 - option line must not contain a backslash"},
		{"method", func(d *Iface) { d.Method = `manual\` }, `iface eno1 - invalid method 'manual\'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, src, nil)
			c.mut(cfg.Ifaces["eno1"])
			if _, err := cfg.Marshal(ifupdown2); err == nil || err.Error() != c.err {
				t.Errorf("got %v, want %q", err, c.err)
			}
		})
	}
	t.Run("ifupdown2 folds the line after a backslash", func(t *testing.T) {
		needIfquery(t)
		cfg := mustParse(t, src, nil)
		if err := cfg.Validate(ifupdown2); err != nil {
			t.Fatal(err)
		}
		autoVmbr0 := func(comment string) bool {
			cfg.Ifaces["eno1"].Comments = comment
			p := filepath.Join(t.TempDir(), "interfaces")
			if err := os.WriteFile(p, cfg.Render(ifupdown2), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, s := range ifquery(t, p) {
				if s.Name == "vmbr0" && s.Auto {
					return true
				}
			}
			return false
		}
		if !autoVmbr0("uplink, see fileserver/docs\n") {
			t.Fatal("ifupdown2 does not read vmbr0 as auto even without a backslash")
		}
		if autoVmbr0(`uplink, see \\fileserver\docs\` + "\n") {
			t.Errorf("ifupdown2 reads vmbr0 as auto after a backslash comment; the refusal may no longer be needed")
		}
	})
}
