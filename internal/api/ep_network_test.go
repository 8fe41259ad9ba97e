package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

const netFile = `auto lo
iface lo inet loopback

iface eth0 inet manual

auto vmbr0
iface vmbr0 inet static
	address 192.0.2.10/24
	gateway 192.0.2.1
	bridge-ports eth0
	bridge-stp off
	bridge-fd 0
`

func startNetwork(t *testing.T) (*daemontest.Env, string) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		p := filepath.Join(root, "etc/network/interfaces")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(netFile), 0o644)
		os.MkdirAll(filepath.Join(root, "sys/class/net/eth0/device"), 0o755)
		os.WriteFile(filepath.Join(root, "sys/class/net/eth0/flags"), []byte("0x1003\n"), 0o644)
	}})
	return env, "/nodes/" + daemontest.Node + "/network"
}

func byIface(t *testing.T, data any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, e := range data.([]any) {
		m := e.(map[string]any)
		out[m["iface"].(string)] = m
	}
	return out
}

func changesOf(t *testing.T, body []byte) string {
	var env struct {
		Changes string `json:"changes"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	return env.Changes
}

func TestNetworkAPI(t *testing.T) {
	env, base := startNetwork(t)
	root := env.RootAuth()
	live := filepath.Join(env.Root, "etc/network/interfaces")
	staged := live + ".new"

	t.Run("list reads the live file and the kernel", func(t *testing.T) {
		r := env.MustOK(root, "GET", base, nil)
		got := byIface(t, r.Data)
		if _, ok := got["lo"]; ok {
			t.Error("lo must not be listed")
		}
		eth0, vmbr0 := got["eth0"], got["vmbr0"]
		if eth0["type"] != "eth" || eth0["exists"] != 1.0 || eth0["active"] != 1.0 || eth0["method"] != "manual" {
			t.Errorf("eth0 %v", eth0)
		}
		if vmbr0["type"] != "bridge" || vmbr0["cidr"] != "192.0.2.10/24" || vmbr0["netmask"] != "24" ||
			vmbr0["bridge_ports"] != "eth0" || vmbr0["autostart"] != 1.0 || vmbr0["priority"] != 4.0 {
			t.Errorf("vmbr0 %v", vmbr0)
		}
		if fams, _ := vmbr0["families"].([]any); len(fams) != 1 || fams[0] != "inet" {
			t.Errorf("families %v", vmbr0["families"])
		}
		if _, ok := got["ifb0"]; ok {
			t.Error("ifb0 is no physical NIC")
		}
		if c := changesOf(t, r.Body); c != "" {
			t.Errorf("changes without staging: %q", c)
		}
		r = env.MustOK(root, "GET", base, url.Values{"type": {"any_bridge"}})
		if got := byIface(t, r.Data); len(got) != 1 || got["vmbr0"] == nil {
			t.Errorf("any_bridge: %v", got)
		}
	})

	t.Run("create stages and shows the diff", func(t *testing.T) {
		env.MustOK(root, "POST", base, url.Values{"iface": {"vmbr1"}, "type": {"bridge"},
			"cidr": {"10.0.0.1/24"}, "autostart": {"1"}, "bridge_vlan_aware": {"1"}, "bridge_vids": {"2,3;10-20"},
			"comments": {"lab bridge"}})
		if b, _ := os.ReadFile(live); string(b) != netFile {
			t.Error("the live file changed")
		}
		b, err := os.ReadFile(staged)
		if err != nil {
			t.Fatal(err)
		}
		want := "auto vmbr1\niface vmbr1 inet static\n\taddress 10.0.0.1/24\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n\tbridge-vlan-aware yes\n\tbridge-vids 2 3 10-20\n#lab bridge\n"
		if !strings.Contains(string(b), want) {
			t.Errorf("staged file:\n%s", b)
		}
		r := env.MustOK(root, "GET", base, nil)
		c := changesOf(t, r.Body)
		if !strings.HasPrefix(c, "--- /etc/network/interfaces\t") || !strings.Contains(c, "\n+++ /etc/network/interfaces.new\t") ||
			!strings.Contains(c, "\n+iface vmbr1 inet static\n") {
			t.Errorf("changes:\n%s", c)
		}
		one := env.MustOK(root, "GET", base+"/vmbr1", nil).Data.(map[string]any)
		if one["cidr"] != "10.0.0.1/24" || one["bridge_vlan_aware"] != 1.0 || one["comments"] != "lab bridge\n" {
			t.Errorf("vmbr1 %v", one)
		}
	})

	t.Run("update merges and deletes", func(t *testing.T) {
		env.MustOK(root, "PUT", base+"/vmbr1", url.Values{"type": {"bridge"}, "cidr": {"10.0.0.2/24"},
			"cidr6": {"fd00::2/64"}, "mtu": {"1400"}, "delete": {"bridge_vlan_aware,comments"}})
		one := env.MustOK(root, "GET", base+"/vmbr1", nil).Data.(map[string]any)
		if one["cidr"] != "10.0.0.2/24" || one["cidr6"] != "fd00::2/64" || one["mtu"] != "1400" ||
			one["bridge_vlan_aware"] != nil || one["comments"] != nil || one["method6"] != "static" {
			t.Errorf("vmbr1 %v", one)
		}
	})

	t.Run("bad input is refused and changes nothing", func(t *testing.T) {
		before, _ := os.ReadFile(staged)
		cases := []struct {
			method, path string
			params       url.Values
			status       int
			key, msg     string
		}{
			{"POST", base, url.Values{"iface": {"vmbr1"}, "type": {"bridge"}}, 400, "iface", "interface already exists"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "cidr": {"10.1.0.1/24"}, "gateway": {"10.1.0.254"}},
				400, "gateway", "Default gateway already exists on interface 'vmbr0'."},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "cidr": {"10.1.0.1/24"}, "address": {"10.1.0.1"}, "netmask": {"255.255.255.0"}},
				400, "address", "address conflicts with cidr"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "cidr6": {"ff02::1/64"}},
				400, "address", "ff02::1 with type 'MULTICAST', cannot be used as host IPv6 address."},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "cidr6": {"2001:db8::/64"}},
				400, "address", "2001:db8:: with type 'ANYCAST', cannot be used as host IPv6 address."},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "bridge_ports": {"eth9"}},
				500, "", "bridge 'vmbr2' - unable to find bridge port 'eth9'\n"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "bridge_ports": {"eth0"}},
				500, "", "port 'eth0' is already used on interface 'vmbr0'\n"},
			{"POST", base, url.Values{"iface": {"vmbr2\n"}, "type": {"bridge"}},
				400, "iface", "invalid format - invalid network interface name 'vmbr2\n'\n"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "bridge_ports": {"eth0\n\tpost-up reboot"}},
				400, "bridge_ports", "invalid format - invalid network interface name 'post-up'\n"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "mtu": {"1000"}},
				400, "mtu", "value must have a minimum value of 1280"},
			{"POST", base, url.Values{"iface": {"vmbr2"}, "type": {"bridge"}, "bridge_vids": {"1"}},
				400, "bridge_vids", "invalid format - invalid VLAN tag '1'\n"},
			{"POST", base, url.Values{"iface": {"bond0"}, "type": {"bond"}, "bond_mode": {"fast"}},
				400, "bond_mode", "value 'fast' does not have a value in the enumeration 'balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb, balance-slb, lacp-balance-slb, lacp-balance-tcp'"},
			{"POST", base, url.Values{"iface": {"vlan5"}, "type": {"vlan"}, "vlan-raw-device": {"eth7"}},
				500, "", "vlan 'vlan5' - unable to find parent 'eth7'\n"},
			{"POST", base, url.Values{"iface": {"ovs1"}, "type": {"OVSBridge"}},
				500, "", "Open VSwitch is not installed (need package 'openvswitch-switch')\n"},
			{"PUT", base + "/vmbr9", url.Values{"type": {"bridge"}}, 400, "iface", "interface does not exist"},
			{"DELETE", base + "/vmbr9", nil, 400, "iface", "interface does not exist"},
			{"GET", base + "/vmbr9", nil, 400, "iface", "interface does not exist"},
		}
		for _, c := range cases {
			r := env.Do(root, c.method, c.path, c.params)
			if r.Status != c.status {
				t.Errorf("%s %v: status %d %s", c.method, c.params, r.Status, r.Body)
				continue
			}
			if c.key != "" && r.Errors[c.key] != c.msg {
				t.Errorf("%s %v: errors %v, want %s: %q", c.method, c.params, r.Errors, c.key, c.msg)
			}
			if c.key == "" && r.Message != c.msg {
				t.Errorf("%s %v: message %q, want %q", c.method, c.params, r.Message, c.msg)
			}
		}
		if after, _ := os.ReadFile(staged); !bytes.Equal(before, after) {
			t.Errorf("staged file changed:\n%s", after)
		}
		if b, _ := os.ReadFile(live); string(b) != netFile {
			t.Error("live file changed")
		}
	})

	t.Run("comments cannot inject stanzas", func(t *testing.T) {
		env.MustOK(root, "PUT", base+"/vmbr1", url.Values{"type": {"bridge"}, "comments": {"x\nauto evil\niface evil inet dhcp"}})
		if _, ok := byIface(t, env.MustOK(root, "GET", base, nil).Data)["evil"]; ok {
			t.Error("an interface was injected")
		}
	})

	t.Run("apply needs ifupdown2 on a test root", func(t *testing.T) {
		for _, p := range []url.Values{{}, {"rollback-timeout": {"30"}, "force": {"1"}}} {
			r := env.Do(root, "PUT", base, p)
			if r.Status != 500 || r.Message != "you need ifupdown2 to reload network configuration\n" {
				t.Errorf("%v: %d %q", p, r.Status, r.Message)
			}
		}
		r := env.Do(root, "PUT", base, url.Values{"rollback-timeout": {"1"}})
		if r.Status != 400 || r.Errors["rollback-timeout"] != "value must have a minimum value of 5" {
			t.Errorf("%d %v", r.Status, r.Errors)
		}
	})

	t.Run("confirm without a pending rollback", func(t *testing.T) {
		r := env.Do(root, "POST", base+"/confirm", url.Values{})
		if r.Status != 500 || r.Message != "no network change is waiting for confirmation\n" {
			t.Errorf("%d %q", r.Status, r.Message)
		}
	})

	t.Run("delete and revert", func(t *testing.T) {
		env.MustOK(root, "DELETE", base+"/vmbr1", nil)
		if _, ok := byIface(t, env.MustOK(root, "GET", base, nil).Data)["vmbr1"]; ok {
			t.Error("vmbr1 still listed")
		}
		env.MustOK(root, "DELETE", base, nil)
		if _, err := os.Stat(staged); !os.IsNotExist(err) {
			t.Error("staged file still there")
		}
		env.MustOK(root, "DELETE", base, nil) // nothing staged: still fine
		r := env.MustOK(root, "GET", base, nil)
		if changesOf(t, r.Body) != "" || byIface(t, r.Data)["vmbr1"] != nil {
			t.Error("revert left changes")
		}
	})

	t.Run("bridges are hidden from users without SDN rights", func(t *testing.T) {
		user := env.AddUser("net@pve", "secret-pass1", map[string]string{"/nodes": "PVEAuditor"})
		got := byIface(t, env.MustOK(user, "GET", base, nil).Data)
		if got["vmbr0"] != nil || got["eth0"] == nil {
			t.Errorf("user sees %v", got)
		}
		r := env.Do(user, "POST", base, url.Values{"iface": {"vmbr3"}, "type": {"bridge"}})
		if r.Status != 403 {
			t.Errorf("create as auditor: %d", r.Status)
		}
	})
}
