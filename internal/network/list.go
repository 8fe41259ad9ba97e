package network

import (
	"context"
	"slices"

	"hostadm/internal/network/ifaces"
	"hostadm/internal/schema"
)

// List returns the interfaces as the API lists them (lo left out, sorted by
// name, filtered by type as Proxmox's `type` parameter does) and the
// pending diff.
func (s *Service) List(ctx context.Context, typ string) ([]map[string]any, string, error) {
	cfg, changes, err := s.Read(ctx)
	if err != nil {
		return nil, "", err
	}
	var out []map[string]any
	for _, name := range cfg.Names() {
		d := cfg.Ifaces[name]
		if name == "lo" || !typeMatches(typ, d.Type) {
			continue
		}
		out = append(out, IfaceJSON(name, d))
	}
	return out, changes, nil
}

func typeMatches(filter, typ string) bool {
	switch filter {
	case "", "include_sdn":
		return true
	case "any_bridge", "any_local_bridge":
		return typ == ifaces.TypeBridge || typ == ifaces.TypeOVSBridge
	}
	return filter == typ
}

// Get returns one interface as the API shows it.
func (s *Service) Get(ctx context.Context, name string) (map[string]any, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	d := cfg.Ifaces[name]
	if d == nil {
		return nil, schema.Fail("iface", "interface does not exist")
	}
	return IfaceJSON(name, d), nil
}

// boolKeys are settings the API shows as 1/0.
var boolKeys = map[string]bool{"bridge_vlan_aware": true}

// IfaceJSON renders an interface with Proxmox's keys: every stored setting,
// the derived cidr/cidr6, booleans as 1/0, families with null for a
// typeless stanza.
func IfaceJSON(name string, d *ifaces.Iface) map[string]any {
	m := map[string]any{"iface": name, "type": d.Type}
	if d.Priority > 0 {
		m["priority"] = d.Priority
	}
	if d.Autostart {
		m["autostart"] = 1
	}
	if d.ExistsNull {
		m["exists"] = nil
	} else if d.ExistsSet {
		m["exists"] = b(d.Exists)
	}
	if d.Active {
		m["active"] = 1
	}
	if d.Families != nil {
		fams := make([]any, len(d.Families))
		for i, f := range d.Families {
			if f != ifaces.Typeless {
				fams[i] = f
			}
		}
		m["families"] = fams
	}
	str := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	str("method", d.Method)
	str("method6", d.Method6)
	str("address", d.Address)
	str("netmask", d.Netmask)
	str("gateway", d.Gateway)
	str("broadcast", d.Broadcast)
	str("cidr", d.CIDR)
	str("address6", d.Address6)
	str("netmask6", d.Netmask6)
	str("gateway6", d.Gateway6)
	str("broadcast6", d.Broad6)
	str("cidr6", d.CIDR6)
	str("comments", d.Comments+d.Comments6)
	if len(d.Options) > 0 {
		m["options"] = slices.Clone(d.Options)
	}
	if len(d.Options6) > 0 {
		m["options6"] = slices.Clone(d.Options6)
	}
	if len(d.VXLANRemoteIPs) > 0 {
		m["vxlan-remoteip"] = slices.Clone(d.VXLANRemoteIPs)
	}
	for _, a := range d.Attrs {
		if boolKeys[a.Key] {
			m[a.Key] = b(a.Value != "" && a.Value != "0")
		} else {
			m[a.Key] = a.Value
		}
	}
	return m
}

func b(v bool) int {
	if v {
		return 1
	}
	return 0
}
