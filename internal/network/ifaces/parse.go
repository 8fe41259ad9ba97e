package ifaces

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// keyAliases normalises option keys the way Proxmox does.
var keyAliases = map[string]string{
	"ovs_mtu":               "mtu",
	"bond-slaves":           "slaves",
	"bond_slaves":           "slaves",
	"bond-xmit-hash-policy": "bond_xmit_hash_policy",
	"bond-mode":             "bond_mode",
	"bond-miimon":           "bond_miimon",
	"bridge-vlan-aware":     "bridge_vlan_aware",
	"bridge-fd":             "bridge_fd",
	"bridge-stp":            "bridge_stp",
	"bridge-ports":          "bridge_ports",
	"bridge-vids":           "bridge_vids",
}

// simpleKeys are stored verbatim as one value (the last line wins).
var simpleKeys = map[string]bool{
	"mtu": true, "ovs_type": true, "ovs_options": true, "ovs_bridge": true,
	"ovs_bonds": true, "ovs_ports": true, "bridge_fd": true, "bridge_vids": true,
	"bridge-access": true, "bridge-learning": true, "bridge-arp-nd-suppress": true,
	"bridge-unicast-flood": true, "bridge-multicast-flood": true,
	"bridge-disable-mac-learning": true, "bond_miimon": true,
	"bond_xmit_hash_policy": true, "bond-primary": true, "link-type": true,
	"uplink-id": true, "vlan-protocol": true, "vlan-raw-device": true,
	"vlan-id": true, "vxlan-id": true, "vxlan-svcnodeip": true,
	"vxlan-physdev": true, "vxlan-local-tunnelip": true,
}

// BondModes maps Linux bond mode names to their numbers.
var BondModes = map[string]int{
	"balance-rr": 0, "active-backup": 1, "balance-xor": 2, "broadcast": 3,
	"802.3ad": 4, "balance-tlb": 5, "balance-alb": 6,
}

// Parse reads an interfaces file. k tells which links are physical and up
// (nil: nothing known, names alone decide). Parse never fails on content:
// like Proxmox it keeps what it does not understand; only read errors are
// returned.
func Parse(r io.Reader, k *Kernel) (*Config, error) {
	// read into a strings.Builder: its String() does not copy the file
	var sb strings.Builder
	if l, ok := r.(interface{ Len() int }); ok {
		sb.Grow(l.Len())
	}
	if _, err := io.Copy(&sb, r); err != nil {
		return nil, fmt.Errorf("read interfaces: %w", err)
	}
	src := sb.String()
	// a stanza per "iface" is the common case: size the map once
	p := &parser{cfg: &Config{Ifaces: make(map[string]*Iface, strings.Count(src, "iface")+2)}, prio: 2, src: src}
	p.run()
	if k == nil {
		k = &Kernel{}
	}
	resolve(p.cfg, k)
	return p.cfg, nil
}

type parser struct {
	cfg  *Config
	prio int    // shared by stanzas and top-level lines; 1 is lo's
	src  string // the lines not read yet
}

// next returns the next line without its newline (a last empty line does
// not count, as with Perl's split).
func (p *parser) next() (string, bool) {
	if p.src == "" {
		return "", false
	}
	i := strings.IndexByte(p.src, '\n')
	if i < 0 {
		l := p.src
		p.src = ""
		return l, true
	}
	l := p.src[:i]
	p.src = p.src[i+1:]
	return l, true
}

func (p *parser) iface(name string) *Iface {
	d := p.cfg.Ifaces[name]
	if d == nil {
		d = &Iface{}
		p.cfg.Ifaces[name] = d
	}
	return d
}

func (p *parser) run() {
	line, ok := p.next()
	for ok {
		if strings.HasPrefix(strings.TrimLeft(line, " \t\n\r\f\v"), "#") {
			line, ok = p.next()
			continue
		}
		if list, isAuto := matchAuto(line); isAuto {
			for _, n := range strings.Fields(list) {
				p.iface(n).Autostart = true
			}
		} else if name, fam, method, isIface := matchIface(line); isIface {
			// the stanza hands back the line that ended it
			line, ok = p.stanza(name, fam, method)
			continue
		} else if matchWord(line) {
			p.cfg.Lines = append(p.cfg.Lines, Line{Priority: p.prio, Text: line})
			p.prio++
		}
		line, ok = p.next()
	}
}

// familyData collects what a family stanza holds for itself; it replaces
// the interface's values for that family when the stanza ends.
type familyData struct {
	method   string
	comments *string
	options  []string
	hasOpts  bool
}

func (p *parser) stanza(name, fam, method string) (string, bool) {
	d := p.iface(name)
	if d.Priority == 0 {
		d.Priority = p.prio
		p.prio++
	}
	d.Families = append(d.Families, fam)
	f := &familyData{method: method}
	for {
		line, ok := p.next()
		if !ok {
			p.endFamily(d, fam, f)
			return "", false
		}
		line = strings.TrimRight(line, " \t\n\r\f\v")
		if c, ok := matchComment(line); ok {
			if fam == Typeless {
				d.Comments += c + "\n"
			} else {
				if f.comments == nil {
					s := ""
					f.comments = &s
				}
				*f.comments += c + "\n"
			}
			continue
		}
		if matchStanzaEnd(line) {
			p.endFamily(d, fam, f)
			return line, true
		}
		all, key, value, ok := matchOption(line)
		if !ok {
			p.endFamily(d, fam, f)
			return line, true
		}
		p.option(d, fam, f, all, key, value)
	}
}

func (p *parser) endFamily(d *Iface, fam string, f *familyData) {
	switch fam {
	case Inet:
		d.Method = f.method
		if f.comments != nil {
			d.Comments = *f.comments
		}
		if f.hasOpts {
			d.Options = f.options
		}
	case Inet6:
		d.Method6 = f.method
		if f.comments != nil {
			d.Comments6 = *f.comments
		}
		if f.hasOpts {
			d.Options6 = f.options
		}
	}
}

func (p *parser) option(d *Iface, fam string, f *familyData, line, key, value string) {
	if a, ok := keyAliases[key]; ok {
		key = a
	}
	switch {
	case key == "address" || key == "netmask" || key == "broadcast" || key == "gateway":
		six := fam == Inet6 || (fam == Typeless && key != "netmask" && strings.Contains(value, ":"))
		*addrField(d, key, six) = value
	case simpleKeys[key]:
		d.Set(key, value)
	case key == "slaves" || key == "bridge_ports":
		str := portList(value)
		if old := d.Attr(key); old != "" {
			if str != "" {
				d.Set(key, old+" "+str)
			}
		} else {
			d.Set(key, str)
		}
	case key == "bridge_stp":
		v := strings.ToLower(strings.TrimSpace(value))
		if v == "on" || v == "yes" {
			d.Set(key, "on")
		} else {
			d.Set(key, "off")
		}
	case key == "bridge_vlan_aware":
		d.Set(key, "1")
	case key == "bond_mode":
		for name, n := range BondModes {
			if fmt.Sprint(n) == value {
				value = name
				break
			}
		}
		d.Set(key, value)
	case key == "vxlan-remoteip":
		d.VXLANRemoteIPs = append(d.VXLANRemoteIPs, value)
	case fam == Typeless:
		d.Options = append(d.Options, line)
	default:
		f.options = append(f.options, line)
		f.hasOpts = true
	}
}

// portList is a port list sorted, without duplicates and "none".
func portList(value string) string {
	single := value != "none" && value != ""
	for i := 0; i < len(value) && single; i++ {
		c := value[i]
		single = c > ' ' && c < 0x80
	}
	if single {
		return value // one name: nothing to sort (the common bridge)
	}
	var devs []string
	for _, w := range strings.Fields(value) {
		if w == "none" {
			continue
		}
		devs = append(devs, w)
	}
	slices.Sort(devs)
	return strings.Join(slices.Compact(devs), " ")
}

// addrField points at address/netmask/broadcast/gateway of one family.
func addrField(d *Iface, key string, six bool) *string {
	switch key {
	case "address":
		if six {
			return &d.Address6
		}
		return &d.Address
	case "netmask":
		if six {
			return &d.Netmask6
		}
		return &d.Netmask
	case "broadcast":
		if six {
			return &d.Broad6
		}
		return &d.Broadcast
	default:
		if six {
			return &d.Gateway6
		}
		return &d.Gateway
	}
}
