package network

import (
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/network/ifaces"
)

var reSubIface = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z0-9_]+)([:.]\d+)$`) })

// mapName is a name after pinning: NIC names map directly, their VLANs
// and aliases (eno1.10, eno1:1) keep the suffix.
func mapName(m map[string]string, name string) string {
	if s := reSubIface().FindStringSubmatch(name); s != nil {
		if n, ok := m[s[1]]; ok {
			return n + s[2]
		}
		return name
	}
	if n, ok := m[name]; ok {
		return n
	}
	return name
}

func mapList(m map[string]string, list string) string {
	f := strings.Fields(list)
	for i, n := range f {
		f[i] = mapName(m, n)
	}
	return strings.Join(f, " ")
}

// renameIfaces renames the pinned NICs and every reference to them, as
// pve-network-interface-pinning does: NICs, OVS ports and aliases by
// name, VLANs by name and raw device, bond slaves and primary, bridge and
// OVS ports and bonds. Entries the kernel added for NICs pinned earlier
// (their old names live until the next boot) are left out.
func renameIfaces(cfg *ifaces.Config, m, existing map[string]string) {
	out := make(map[string]*ifaces.Iface, len(cfg.Ifaces))
	for name, d := range cfg.Ifaces {
		if p, ok := existing[name]; ok && p != name {
			continue
		}
		switch d.Type {
		case ifaces.TypeEth, ifaces.TypeOVSPort, ifaces.TypeAlias:
			name = mapName(m, name)
		case ifaces.TypeVLAN:
			name = mapName(m, name)
			setIf(d, "vlan-raw-device", mapName(m, d.Attr("vlan-raw-device")))
		case ifaces.TypeBond:
			setIf(d, "bond-primary", mapName(m, d.Attr("bond-primary")))
			setIf(d, "slaves", mapList(m, d.Attr("slaves")))
		case ifaces.TypeBridge:
			setIf(d, "bridge_ports", mapList(m, d.Attr("bridge_ports")))
		case ifaces.TypeOVSBridge:
			setIf(d, "ovs_ports", mapList(m, d.Attr("ovs_ports")))
		case ifaces.TypeOVSBond:
			setIf(d, "ovs_bonds", mapList(m, d.Attr("ovs_bonds")))
		}
		out[name] = d
	}
	cfg.Ifaces = out
}

// setIf changes a setting the interface has.
func setIf(d *ifaces.Iface, k, v string) {
	if d.HasAttr(k) {
		d.Set(k, v)
	}
}
