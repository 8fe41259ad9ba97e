package network

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"hostadm/internal/network/ifaces"
	"hostadm/internal/schema"
)

// Params are the settings of a create or update call, keyed by their API
// names, values as strings (booleans "1"/"0"). Absent keys are not set.
type Params map[string]string

// Create adds an interface to the staged configuration.
func (s *Service) Create(ctx context.Context, name string, p Params) error {
	return s.Edit(ctx, func(cfg *ifaces.Config) error {
		if cfg.Ifaces[name] != nil {
			return schema.Fail("iface", "interface already exists")
		}
		if err := checkGateways(cfg, name, p); err != nil {
			return err
		}
		if err := mapCIDR(p); err != nil {
			return err
		}
		if p["address6"] != "" {
			if err := checkIPv6Host(p["address6"], p["netmask6"]); err != nil {
				return err
			}
		}
		d := &ifaces.Iface{}
		setFamilies(d, p)
		if err := s.ovsCreate(cfg, name, p); err != nil {
			return err
		}
		apply(d, p)
		cfg.Ifaces[name] = d
		return nil
	})
}

// Update merges settings into an interface, after removing the keys in del.
func (s *Service) Update(ctx context.Context, name string, p Params, del []string) error {
	return s.Edit(ctx, func(cfg *ifaces.Config) error {
		d := cfg.Ifaces[name]
		if d == nil {
			return schema.Fail("iface", "interface does not exist")
		}
		for _, k := range del {
			remove(d, k)
		}
		if err := mapCIDR(p); err != nil {
			return err
		}
		if err := checkGateways(cfg, name, p); err != nil {
			return err
		}
		if p["address6"] != "" {
			if err := checkIPv6Host(p["address6"], p["netmask6"]); err != nil {
				return err
			}
		}
		setFamilies(d, p)
		apply(d, p)
		return nil
	})
}

// Delete removes an interface (and an OVS port from its bridge's list).
func (s *Service) Delete(ctx context.Context, name string) error {
	return s.Edit(ctx, func(cfg *ifaces.Config) error {
		d := cfg.Ifaces[name]
		if d == nil {
			return schema.Fail("iface", "interface does not exist")
		}
		if d.Type == ifaces.TypeOVSIntPort || d.Type == ifaces.TypeOVSBond {
			if br := cfg.Ifaces[d.Attr("ovs_bridge")]; br != nil && br.Type == ifaces.TypeOVSBridge {
				ports := slices.DeleteFunc(strings.Fields(br.Attr("ovs_ports")), func(p string) bool { return p == name })
				br.Set("ovs_ports", strings.Join(ports, " "))
			}
		}
		delete(cfg.Ifaces, name)
		return nil
	})
}

// setFamilies recomputes families and methods from the request alone, as
// Proxmox does: inet iff an IPv4 address is given, inet6 iff an IPv6 one,
// else just inet.
func setFamilies(d *ifaces.Iface, p Params) {
	d.Families = nil
	d.Method, d.Method6 = "manual", "manual"
	if p["address"] != "" {
		d.Families = append(d.Families, ifaces.Inet)
		d.Method = "static"
	}
	if p["address6"] != "" {
		d.Families = append(d.Families, ifaces.Inet6)
		d.Method6 = "static"
	}
	if len(d.Families) == 0 {
		d.Families = []string{ifaces.Inet}
	}
}

// stringFields are the API keys kept in string fields of an Iface rather
// than in Attrs.
func stringFields(d *ifaces.Iface) map[string]*string {
	return map[string]*string{
		"comments": &d.Comments, "comments6": &d.Comments6,
		"address": &d.Address, "netmask": &d.Netmask, "gateway": &d.Gateway,
		"address6": &d.Address6, "netmask6": &d.Netmask6, "gateway6": &d.Gateway6,
	}
}

// apply stores the request's settings on the interface (cidr and cidr6
// were mapped to address and netmask before, so they are not stored). A
// new address drops the cidr derived from the old one.
func apply(d *ifaces.Iface, p Params) {
	fields := stringFields(d)
	for k, v := range p {
		switch k {
		case "type":
			d.Type = v
		case "autostart":
			d.Autostart = v == "1"
		case "cidr", "cidr6":
		case "bridge_vids":
			d.Set(k, strings.Join(schema.SplitList(v), " "))
		default:
			if f := fields[k]; f != nil {
				*f = v
			} else {
				d.Set(k, v)
			}
		}
		clearCIDR(d, k)
	}
}

// remove deletes one key named as in the API.
func remove(d *ifaces.Iface, k string) {
	switch k {
	case "cidr":
		d.Address, d.Netmask = "", ""
	case "cidr6":
		d.Address6, d.Netmask6 = "", ""
	case "autostart":
		d.Autostart = false
	case "broadcast":
		d.Broadcast = ""
	default:
		if f := stringFields(d)[k]; f != nil {
			*f = ""
		} else {
			d.Del(k)
		}
	}
	clearCIDR(d, k)
}

// clearCIDR drops the cidr derived from the address key k changes.
func clearCIDR(d *ifaces.Iface, k string) {
	switch k {
	case "address", "cidr":
		d.CIDR = ""
	case "address6", "cidr6":
		d.CIDR6 = ""
	}
}

func checkGateways(cfg *ifaces.Config, name string, p Params) error {
	for _, g := range []struct{ key, what string }{{"gateway", "Default gateway"}, {"gateway6", "Default ipv6 gateway"}} {
		if p[g.key] == "" {
			continue
		}
		for _, other := range cfg.Names() {
			d := cfg.Ifaces[other]
			v := d.Gateway
			if g.key == "gateway6" {
				v = d.Gateway6
			}
			if other != name && v != "" && v != "0" {
				return schema.Fail(g.key, fmt.Sprintf("%s already exists on interface '%s'.", g.what, other))
			}
		}
	}
	return nil
}

// mapCIDR turns cidr/cidr6 into address and prefix length.
func mapCIDR(p Params) error {
	for _, six := range []string{"", "6"} {
		c := p["cidr"+six]
		if c == "" {
			continue
		}
		if p["address"+six] != "" {
			return schema.Fail("address"+six, "address"+six+" conflicts with cidr"+six)
		}
		if p["netmask"+six] != "" {
			return schema.Fail("netmask"+six, "netmask"+six+" conflicts with cidr"+six)
		}
		addr, bits, _ := strings.Cut(c, "/")
		p["address"+six], p["netmask"+six] = addr, bits
		delete(p, "cidr"+six)
	}
	return nil
}

// checkIPv6Host refuses IPv6 addresses a host may not use, with Proxmox's
// messages (under the keys Proxmox uses, `address` and `netmask`).
func checkIPv6Host(addr, mask string) error {
	bits := 0
	fmt.Sscan(mask, &bits)
	if bits < 0 || bits > 128 {
		return schema.Fail("netmask", fmt.Sprintf("%s is not a valid subnet length for ipv6", mask))
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return schema.Fail("address", fmt.Sprintf("%s is not a valid host IPv6 address.", addr))
	}
	typ := ipv6Type(a)
	if bits > 0 && bits < 127 {
		if pfx, _ := a.Prefix(bits); pfx.Addr() == a {
			typ = "ANYCAST"
		}
	}
	switch typ {
	case "", "GLOBAL-UNICAST", "UNIQUE-LOCAL-UNICAST", "LINK-LOCAL-UNICAST":
		return nil
	}
	return schema.Fail("address", fmt.Sprintf("%s with type '%s', cannot be used as host IPv6 address.", addr, typ))
}

// ipv6Type names an address's range as Perl's Net::IP does.
func ipv6Type(a netip.Addr) string {
	for _, r := range []struct{ pfx, typ string }{
		{"::/128", "UNSPECIFIED"}, {"::1/128", "LOOPBACK"}, {"::ffff:0:0/96", "IPV4MAP"},
		{"2000::/3", "GLOBAL-UNICAST"}, {"fc00::/7", "UNIQUE-LOCAL-UNICAST"},
		{"fe80::/10", "LINK-LOCAL-UNICAST"}, {"fec0::/10", "SITE-LOCAL-UNICAST"}, {"ff00::/8", "MULTICAST"},
	} {
		if netip.MustParsePrefix(r.pfx).Contains(a) {
			return r.typ
		}
	}
	return "RESERVED"
}

// ovsCreate checks Open vSwitch is there for OVS types and, for an internal
// port or bond, adds it to its bridge's port list.
func (s *Service) ovsCreate(cfg *ifaces.Config, name string, p Params) error {
	typ := p["type"]
	if !strings.HasPrefix(typ, "OVS") {
		return nil
	}
	if !s.cfg.Root.Exists("/usr/bin/ovs-vsctl") {
		return fmt.Errorf("Open VSwitch is not installed (need package 'openvswitch-switch')")
	}
	if typ != ifaces.TypeOVSIntPort && typ != ifaces.TypeOVSBond {
		return nil
	}
	brname := p["ovs_bridge"]
	if brname == "" {
		return schema.Fail("ovs_bridge", "parameter is required")
	}
	br := cfg.Ifaces[brname]
	if br == nil {
		return schema.Fail("ovs_bridge", fmt.Sprintf("bridge '%s' does not exist", brname))
	}
	if br.Type != ifaces.TypeOVSBridge {
		return schema.Fail("ovs_bridge", fmt.Sprintf("interface '%s' is no OVS bridge", brname))
	}
	ports := strings.Fields(br.Attr("ovs_ports"))
	if !slices.Contains(ports, name) {
		br.Set("ovs_ports", strings.Join(append(ports, name), " "))
	}
	return nil
}
