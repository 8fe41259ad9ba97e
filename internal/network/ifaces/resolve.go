package ifaces

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// PhysicalNIC matches names Proxmox takes for physical NICs when the kernel
// does not say (eth0, enp3s0, ib0, nic1, if2).
var PhysicalNIC = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:eth\d+|en[^:.]+|ib[^:.]+|(?:nic|if)\d+)$`) })

// resolve is Proxmox's post-processing after the whole file is read:
// exists/active from the kernel, lo, type detection and defaults, the
// address→cidr mapping, and the cleanup of OVS allow- lines.
func resolve(cfg *Config, k *Kernel) {
	ifs := cfg.Ifaces
	altOf := map[string]string{} // altname → kernel name
	for name, alts := range k.Physical {
		marked := false
		for _, a := range alts {
			altOf[a] = name
			if d := ifs[a]; d != nil && !marked {
				d.Exists, d.ExistsSet, marked = true, true, true
			}
		}
		if !marked {
			d := ifs[name]
			if d == nil {
				d = &Iface{}
				ifs[name] = d
			}
			d.Exists, d.ExistsSet = true, true
		}
	}
	for name := range k.Up {
		if d := ifs[name]; d != nil {
			d.Active = true
		}
	}
	if ifs["lo"] == nil {
		ifs["lo"] = &Iface{Priority: 1, Method: "loopback", Type: TypeLoopback, Autostart: true}
	}
	sorted := make([]named, 0, len(ifs))
	for n, d := range ifs {
		sorted = append(sorted, named{n, d})
	}
	sortByName(sorted)
	for _, it := range sorted {
		name, d := it.name, it.d
		kname := name
		if a, ok := altOf[name]; ok {
			kname = a
		}
		_, physical := k.Physical[kname]
		detectType(ifs, name, d, physical)
		mapCIDR(d)
		if d.Method == "" {
			d.Method = "manual"
		}
		if d.Method6 == "" {
			d.Method6 = "manual"
		}
		if d.Comments6 != "" {
			d.Comments += d.Comments6
			d.Comments6 = ""
		}
		if len(d.Families) == 0 {
			d.Families = []string{Inet}
		}
	}
	cfg.Lines = cleanAllowLines(cfg)
	cfg.sorted = sorted
}

// sortByName sorts interfaces in byte order of their names. It sorts the
// names' first eight bytes as one number each, by radix, and only names
// equal in those by comparing them: most names differ within eight bytes
// ("vmbr1", "vmbr10"), and the sort was a tenth of parsing a 4,094-bridge
// file. It sorts prefixes and positions, not the interfaces: the keys hold
// no pointers, so moving them costs no write barriers while the collector
// runs.
func sortByName(s []named) {
	keys := make([]keyIndex, len(s))
	for i, it := range s {
		keys[i] = keyIndex{namePrefix(it.name), i}
	}
	radixSort(keys)
	// names that share their first eight bytes: by the whole name
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].key == keys[i].key {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(keys[i:j], func(a, b keyIndex) int { return strings.Compare(s[a.i].name, s[b.i].name) })
		}
		i = j
	}
	in := slices.Clone(s)
	for i, k := range keys {
		s[i] = in[k.i]
	}
}

// namePrefix is a name's first eight bytes, big-endian, zero-padded: two
// prefixes compare as the names do, or equal.
func namePrefix(s string) uint64 {
	var x uint64
	for i := range 8 {
		x <<= 8
		if i < len(s) {
			x |= uint64(s[i])
		}
	}
	return x
}

func detectType(ifs map[string]*Iface, name string, d *Iface, physical bool) {
	d.Type = TypeUnknown
	ovsType := d.Attr("ovs_type")
	switch {
	case d.HasAttr("bridge_ports"):
		d.Type = TypeBridge
		if !d.HasAttr("bridge_stp") {
			d.Set("bridge_stp", "off")
		}
		if !d.HasAttr("bridge_fd") && d.Attr("bridge_stp") == "off" {
			d.Set("bridge_fd", "0")
		}
	case ovsType == TypeOVSBridge:
		d.Type = TypeOVSBridge
	case isBondName(name):
		if !truthy(ovsType) {
			d.Type = TypeBond
		} else if ovsType == TypeOVSBond {
			d.Type = TypeOVSBond
			mode := extractOVSOption(d, "bond_mode")
			if lacp := extractOVSOption(d, "lacp"); lacp == "active" && mode == "balance-slb" {
				mode = "lacp-balance-slb"
			}
			if mode == "balance-tcp" {
				mode = "lacp-balance-tcp"
			}
			d.Set("bond_mode", mode)
			if tag, ok := extractOVSOptionOK(d, "tag"); ok {
				d.Set("ovs_tag", tag)
			}
		}
	case isAliasName(name):
		d.Type = TypeAlias
		base, _ := cutAliasName(name)
		inheritExists(ifs, d, base)
	case isVLANName(name):
		d.Type = TypeVLAN
		parent, id, _ := cutVLANName(name)
		if d.Attr("vlan-raw-device") == "" {
			d.Set("vlan-raw-device", parent)
		}
		if truthy(id) {
			d.Set("vlan-id", id)
		}
		inheritExists(ifs, d, d.Attr("vlan-raw-device"))
	case truthy(d.Attr("vlan-raw-device")):
		d.Type = TypeVLAN
		if id, ok := cutPrefixDigits(name, "vlan"); ok && truthy(id) {
			d.Set("vlan-id", id)
		}
		inheritExists(ifs, d, d.Attr("vlan-raw-device"))
	case physical || PhysicalNIC().MatchString(name):
		if !truthy(ovsType) {
			d.Type = TypeEth
		} else if ovsType == TypeOVSPort {
			d.Type = TypeOVSPort
			if tag, ok := extractOVSOptionOK(d, "tag"); ok {
				d.Set("ovs_tag", tag)
			}
		}
	case name == "lo":
		d.Type = TypeLoopback
	case truthy(d.Attr("vxlan-id")):
		d.Type = TypeVXLAN
	case d.HasAttr("ovs_type"):
		if ovsType == TypeOVSIntPort {
			d.Type = TypeOVSIntPort
			if tag, ok := extractOVSOptionOK(d, "tag"); ok {
				d.Set("ovs_tag", tag)
			}
		}
	case d.HasAttr("link-type"):
		if d.Attr("link-type") == "dummy" {
			d.Type = TypeDummy
		}
	}
}

// inheritExists copies the parent's exists flag; a parent missing from the
// file is entered with exists=0 (Proxmox autovivifies it the same way).
func inheritExists(ifs map[string]*Iface, d *Iface, parent string) {
	p := ifs[parent]
	if p == nil {
		p = &Iface{ExistsSet: true}
		ifs[parent] = p
	}
	d.Exists, d.ExistsSet, d.ExistsNull = p.Exists, true, !p.ExistsSet
}

// mapCIDR derives cidr/cidr6 and rewrites a dotted v4 netmask to its prefix
// length, as the API shows them.
func mapCIDR(d *Iface) {
	if truthy(d.Address) {
		if a, bits, ok := cutCIDR(d.Address); ok {
			d.CIDR, d.Address, d.Netmask = d.Address, a, bits
		} else if c := joinCIDR(d.Address, d.Netmask); c != "" {
			d.CIDR = c
			d.Netmask = c[strings.LastIndexByte(c, '/')+1:]
		} else {
			d.CIDR = d.Address + "/32"
		}
	}
	if truthy(d.Address6) {
		if a, bits, ok := cutCIDR(d.Address6); ok {
			d.CIDR6, d.Address6, d.Netmask6 = d.Address6, a, bits
		} else if c := joinCIDR(d.Address6, d.Netmask6); c != "" {
			d.CIDR6 = c
		} else {
			d.CIDR6 = d.Address6 + "/128"
		}
	}
}

// joinCIDR is address/bits from a prefix length or a dotted mask, or "".
func joinCIDR(addr, mask string) string {
	if !truthy(mask) {
		return ""
	}
	if allDigits(mask) {
		return addr + "/" + mask
	}
	if bits, ok := MaskBits(mask); ok && bits > 0 {
		return addr + "/" + strconv.Itoa(bits)
	}
	return ""
}

// MaskBits converts a dotted IPv4 netmask to its prefix length.
func MaskBits(mask string) (int, bool) {
	parts := strings.Split(mask, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var m uint32
	for _, p := range parts {
		if !allDigits(p) || len(p) > 3 {
			return 0, false
		}
		n, _ := strconv.Atoi(p)
		if n > 255 || (len(p) > 1 && p[0] == '0') {
			return 0, false
		}
		m = m<<8 | uint32(n)
	}
	bits := 0
	for m&0x80000000 != 0 {
		bits++
		m <<= 1
	}
	if m != 0 {
		return 0, false
	}
	return bits, true
}

// truthy is Perl's truth for a string: neither "" nor "0".
func truthy(s string) bool { return s != "" && s != "0" }

// ovsOptions splits ovs_options into key=value pairs, dropping words
// without "=" as Proxmox does.
func ovsOptions(s string) [][2]string {
	var out [][2]string
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if ok && truthy(k) {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

func joinOVSOptions(d *Iface, opts [][2]string) {
	var words []string
	for _, kv := range opts {
		words = append(words, kv[0]+"="+kv[1])
	}
	if len(words) == 0 {
		d.Del("ovs_options")
		return
	}
	d.Set("ovs_options", strings.Join(words, " "))
}

func extractOVSOption(d *Iface, key string) string {
	v, _ := extractOVSOptionOK(d, key)
	return v
}

// extractOVSOptionOK removes key=... from ovs_options and returns its value.
func extractOVSOptionOK(d *Iface, key string) (string, bool) {
	opts := ovsOptions(d.Attr("ovs_options"))
	var v string
	found := false
	opts = slices.DeleteFunc(opts, func(kv [2]string) bool {
		if kv[0] == key {
			v, found = kv[1], true
			return true
		}
		return false
	})
	joinOVSOptions(d, opts)
	return v, found
}

// setOVSOption sets key=value in ovs_options, or removes it for "".
func setOVSOption(d *Iface, key, value string) {
	opts := ovsOptions(d.Attr("ovs_options"))
	i := slices.IndexFunc(opts, func(kv [2]string) bool { return kv[0] == key })
	switch {
	case !truthy(value) && i >= 0:
		opts = slices.Delete(opts, i, i+1)
	case !truthy(value):
	case i >= 0:
		opts[i][1] = value
	default:
		opts = append(opts, [2]string{key, value})
	}
	joinOVSOptions(d, opts)
}

// cleanAllowLines drops allow-ovs lines and the ports of OVS bridges from
// allow-BRIDGE lines: the writer regenerates them.
func cleanAllowLines(cfg *Config) []Line {
	var out []Line
	for _, l := range cfg.Lines {
		if strings.HasPrefix(l.Text, "allow-ovs") && reAllowOVS().MatchString(l.Text) {
			continue
		}
		m := reAllowBr().FindStringSubmatch(l.Text)
		if m == nil {
			out = append(out, l)
			continue
		}
		ports := splitWS(m[2])
		if br := cfg.Ifaces[m[1]]; br != nil {
			in := map[string]bool{}
			for _, p := range splitWS(br.Attr("ovs_ports")) {
				in[p] = true
			}
			ports = slices.DeleteFunc(ports, func(p string) bool { return in[p] })
		}
		if len(ports) > 0 {
			out = append(out, Line{Priority: l.Priority, Text: "allow-" + m[1] + " " + strings.Join(ports, " ")})
		}
	}
	return out
}

var (
	reAllowOVS = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^allow-ovs\s+(.*)$`) })
	reAllowBr  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^allow-(\S+)\s+(.*)$`) })
	reWS       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+`) })
)

// splitWS is Perl's split(/\s+/, s): a leading empty field is kept,
// trailing empty fields are dropped.
func splitWS(s string) []string {
	f := reWS().Split(s, -1)
	for len(f) > 0 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return f
}

var reListSep = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[;,\s]+`) })

func isBondName(name string) bool {
	_, ok := cutPrefixDigits(name, "bond")
	return ok
}

func isAliasName(name string) bool {
	_, ok := cutAliasName(name)
	return ok
}

func isVLANName(name string) bool {
	_, _, ok := cutVLANName(name)
	return ok
}
