package ifaces

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Options are the host facts the writer and the checks depend on.
type Options struct {
	// IfUpDown2 is set when ifupdown2 is the ifupdown in use: custom VLAN
	// names are allowed and OVS bridges get `auto` instead of `allow-ovs`.
	IfUpDown2 bool
}

// Validate runs Proxmox's checks before a write and applies the same
// normalisations its writer makes (cidr folded into address, OVS ports
// typed and bound to their bridge, bond slaves and OVS bond members set to
// autostart, implied VLAN keys dropped). The first failing check is
// returned with Proxmox's message. Interfaces are visited in name order so
// the message is stable.
func (c *Config) Validate(o Options) error {
	_, err := c.validate(o)
	return err
}

// validate is Validate that returns the interfaces left, in name order:
// sorting them once serves every step and the writer.
func (c *Config) validate(o Options) ([]named, error) {
	ifs := c.sortedIfaces()
	if err := checkTextAndLoops(c, ifs, o); err != nil {
		return nil, err
	}
	if err := checkPorts(c, ifs, o); err != nil {
		return nil, err
	}
	// fixOVSPorts is the one step that drops or replaces interfaces
	if fixOVSPorts(c, ifs) {
		ifs = slices.DeleteFunc(ifs, func(it named) bool { return c.Ifaces[it.name] == nil })
		for i := range ifs {
			ifs[i].d = c.Ifaces[ifs[i].name]
		}
	}
	for _, step := range []func(*Config, []named, Options) error{
		checkOVSBridges, checkOVSBonds, checkBonds, checkVXLAN, checkVLANs, checkUplinks, checkBridgePorts, checkTypeOptions,
	} {
		if err := step(c, ifs, o); err != nil {
			return nil, err
		}
	}
	return ifs, nil
}

// checkTextAndLoops is checkText, then checkLoops. With many interfaces
// and two cores they run on both: checkText looks at each interface on
// its own, and the loop check reads only lists of lower interfaces and
// types, which checkText leaves alone (it writes nothing but each
// interface's family list). The errors come in the order of one pass.
func checkTextAndLoops(c *Config, ifs []named, o Options) error {
	if len(ifs) < parallelIfaces || runtime.GOMAXPROCS(0) < 2 {
		if err := checkText(c, ifs, o); err != nil {
			return err
		}
		return checkLoops(c, ifs, o)
	}
	// the text check costs about twice the loop check: the other core
	// takes the last third of it as well
	k := len(ifs) * 2 / 3
	rest := make(chan [2]error)
	go func() { rest <- [2]error{checkText(c, ifs[k:], o), checkLoops(c, ifs, o)} }()
	err := checkText(c, ifs[:k], o)
	errs := <-rest
	for _, e := range errs {
		if err == nil {
			err = e
		}
	}
	return err
}

// sortedIfaces is the interfaces in name order: those Parse sorted when
// the map still holds exactly them (one look-up each instead of a sort),
// else sorted anew.
func (c *Config) sortedIfaces() []named {
	if c.sortedValid() {
		return slices.Clone(c.sorted)
	}
	return c.named(slices.Sorted(maps.Keys(c.Ifaces)))
}

// sortedValid tells whether the order Parse sorted still holds exactly
// the map's interfaces (one look-up each instead of a sort).
func (c *Config) sortedValid() bool {
	if len(c.sorted) != len(c.Ifaces) {
		return false
	}
	for _, it := range c.sorted {
		if c.Ifaces[it.name] != it.d {
			return false
		}
	}
	return true
}

// named pairs the sorted names with their interfaces.
func (c *Config) named(names []string) []named {
	ifs := make([]named, len(names))
	for i, n := range names {
		ifs[i] = named{n, c.Ifaces[n]}
	}
	return ifs
}

// Names lists the interfaces' names, sorted.
func (c *Config) Names() []string {
	if c.sortedValid() {
		names := make([]string, len(c.sorted))
		for i, it := range c.sorted {
			names[i] = it.name
		}
		return names
	}
	return slices.Sorted(maps.Keys(c.Ifaces))
}

// checkText refuses anything that would break out of its line: a name or
// value with a line break (or white space in a name or key) could inject
// stanzas or commands into the file. A backslash is refused as well:
// ifupdown2 splits the whole file at every backslash and joins the pieces
// with a space (line continuation), so one in a comment or value folds the
// next line into it and the interface after it disappears.
func checkText(c *Config, ifs []named, _ Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		// A family is written once: Proxmox repeats a stanza per
		// occurrence, which doubles a typeless stanza's options on
		// every rewrite.
		if len(d.Families) > 1 {
			d.Families = slices.Compact(slices.Clone(d.Families))
			seen := map[string]bool{}
			d.Families = slices.DeleteFunc(d.Families, func(f string) bool {
				dup := seen[f]
				seen[f] = true
				return dup
			})
		}
		if name == "" || badName(name) {
			return fmt.Errorf("invalid interface name '%s'", strings.ToValidUTF8(strings.ReplaceAll(name, "\n", "\\n"), "?"))
		}
		for _, v := range []string{d.Method, d.Method6} {
			if badMethod(v) {
				return fmt.Errorf("iface %s - invalid method '%s'", name, oneLine(v))
			}
		}
		if err := checkAddrs(name, d); err != nil {
			return err
		}
		if err := checkAttrText(name, d); err != nil {
			return err
		}
		for _, lines := range [][]string{d.Options, d.Options6, d.VXLANRemoteIPs} {
			for _, l := range lines {
				if badText(l) {
					return fmt.Errorf("iface %s - option line must not contain a line break", name)
				}
				if strings.Contains(l, `\`) {
					return fmt.Errorf("iface %s - option line must not contain a backslash", name)
				}
			}
		}
		if strings.Contains(d.Comments, "\r") || strings.Contains(d.Comments6, "\r") {
			return fmt.Errorf("iface %s - comments must not contain a carriage return", name)
		}
		if strings.Contains(d.Comments, `\`) || strings.Contains(d.Comments6, `\`) {
			return fmt.Errorf("iface %s - comments must not contain a backslash", name)
		}
	}
	return nil
}

// badText tells whether s would break out of its line.
func badText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == 0 {
			return true
		}
	}
	return false
}

// badValue tells whether s would break out of its line or holds a
// backslash (badText or a backslash, in one pass).
func badValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == 0 || c == '\\' {
			return true
		}
	}
	return false
}

// badName tells whether an interface name holds white space, '#', a
// backslash or a line break.
func badName(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r', 0, ' ', '\t', '\\', '#':
			return true
		}
	}
	return false
}

// badMethod tells whether a method holds white space, a backslash
// or a line break.
func badMethod(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r', 0, ' ', '\t', '\\':
			return true
		}
	}
	return false
}

// isAttrKey is `^[A-Za-z0-9_.-]+$`.
func isAttrKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !isDigit(c) && c != '_' && c != '.' && c != '-' && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return k != ""
}

// checkAttrText refuses option names and values that would break out of
// their line; the first bad key in name order is reported.
func checkAttrText(name string, d *Iface) error {
	clean := true
	for _, a := range d.Attrs {
		if !isAttrKey(a.Key) || badValue(a.Value) {
			clean = false
			break
		}
	}
	if clean {
		return nil
	}
	for _, a := range d.Attrs { // in key order
		k, v := a.Key, a.Value
		if !isAttrKey(k) {
			return fmt.Errorf("iface %s - invalid option name '%s'", name, oneLine(k))
		}
		if badText(v) {
			return fmt.Errorf("iface %s - option '%s' must not contain a line break", name, k)
		}
		if strings.Contains(v, `\`) {
			return fmt.Errorf("iface %s - option '%s' must not contain a backslash", name, k)
		}
	}
	return nil
}

func oneLine(s string) string {
	return strings.NewReplacer("\n", "\\n", "\r", "\\r", "\x00", "\\0").Replace(s)
}

// ports lists an interface's members from bridge_ports, ovs_ports, slaves
// and ovs_bonds, split like Proxmox's split_list.
func ports(d *Iface) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, k := range [...]string{"bridge_ports", "ovs_ports", "slaves", "ovs_bonds"} {
			for p := range listItems(d.Attr(k)) {
				if !yield(p) {
					return
				}
			}
		}
	}
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, isListSep)
}

// listItems is splitList without the slice. Every separator is ASCII, so
// the bytes of s are looked at one by one: a byte of a multi-byte
// character is never taken for a separator.
func listItems(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(s); {
			for i < len(s) && isListSep(rune(s[i])) {
				i++
			}
			j := i
			for j < len(s) && !isListSep(rune(s[j])) {
				j++
			}
			if j > i && !yield(s[i:j]) {
				return
			}
			i = j
		}
	}
}

func isListSep(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == 0
}

// joinList is splitList joined with spaces.
func joinList(s string) string {
	if s != "" && strings.IndexFunc(s, isListSep) < 0 {
		return s // one name, the common case
	}
	return strings.Join(splitList(s), " ")
}

func checkPorts(c *Config, ifs []named, _ Options) error {
	used := make(map[string]string, len(ifs))
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Address == "" && d.CIDR != "" {
			d.Address = d.CIDR
		}
		if d.Address6 == "" && d.CIDR6 != "" {
			d.Address6 = d.CIDR6
		}
		d.CIDR, d.CIDR6 = "", ""
		for p := range ports(d) {
			if u, ok := used[p]; ok && u != name {
				return fmt.Errorf("port '%s' is already used on interface '%s'", p, u)
			}
			used[p] = name
		}
	}
	c.usedPorts = used
	return nil
}

func isOVSPort(t string) bool {
	return t == TypeOVSPort || t == TypeOVSIntPort || t == TypeOVSBond
}

// fixOVSPorts turns OVS ports no bridge lists back into plain NICs and
// drops those listed by something that is no OVS bridge; it tells whether
// it changed any.
func fixOVSPorts(c *Config, ifs []named) bool {
	changed := false
	for _, it := range ifs {
		name, d := it.name, it.d
		if !isOVSPort(d.Type) {
			continue
		}
		br := c.usedPorts[name]
		if br == "" || c.Ifaces[br] == nil {
			// 9.x turns every orphan into a NIC; a name that would not
			// parse back as one (bond0) then flips type on the next
			// rewrite, so such orphans are dropped as 8.x did.
			if d.Exists || PhysicalNIC().MatchString(name) {
				c.Ifaces[name] = &Iface{Type: TypeEth, Exists: true, ExistsSet: true, Method: "manual", Families: []string{Inet}}
			} else {
				delete(c.Ifaces, name)
			}
			changed = true
			continue
		}
		if c.Ifaces[br].Type != TypeOVSBridge {
			delete(c.Ifaces, name)
			changed = true
		}
	}
	return changed
}

func checkMTU(c *Config, parent, child string) error {
	cd := c.Ifaces[child]
	cmtu := mtuOf(cd)
	if cmtu == 0 {
		return nil
	}
	pd := c.Ifaces[parent]
	pmtu := mtuOf(pd)
	if pmtu == 0 && pd != nil && pd.Type == TypeBond {
		pmtu = cmtu
	}
	if pmtu == 0 {
		pmtu = 1500
	}
	if pmtu < cmtu {
		return fmt.Errorf("interface '%s' - mtu %d is lower than '%s' - mtu %d", parent, pmtu, child, cmtu)
	}
	return nil
}

// mtuOf is the MTU as a number, 0 when unset (Perl numifies the string).
func mtuOf(d *Iface) int {
	if d == nil {
		return 0
	}
	return leadingInt(d.Attr("mtu"))
}

// leadingInt is Perl's numification of a string: the leading digits.
func leadingInt(s string) int {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0 // Atoi("") would allocate its error
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}

func checkOVSBridges(c *Config, ifs []named, _ Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Type != TypeOVSBridge || !truthy(d.Attr("ovs_ports")) {
			continue
		}
		for _, p := range splitWS(d.Attr("ovs_ports")) {
			n := c.Ifaces[p]
			if n == nil {
				return fmt.Errorf("OVS bridge '%s' - unable to find port '%s'", name, p)
			}
			n.Autostart = false
			switch {
			case n.Type == TypeEth:
				n.Type = TypeOVSPort
				n.Set("ovs_bridge", name)
			case isOVSPort(n.Type):
				n.Set("ovs_bridge", name)
			default:
				return fmt.Errorf("interface '%s' is not defined as OVS port/bond", p)
			}
			if err := checkMTU(c, name, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkOVSBonds(c *Config, ifs []named, _ Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Type != TypeOVSBond || !truthy(d.Attr("ovs_bonds")) {
			continue
		}
		for _, p := range splitWS(d.Attr("ovs_bonds")) {
			n := c.Ifaces[p]
			if n == nil {
				return fmt.Errorf("OVS bond '%s' - unable to find slave '%s'", name, p)
			}
			n.Autostart = true
			if n.Type != TypeEth {
				return fmt.Errorf("OVS bond '%s' - wrong interface type on slave '%s' ('%s' != 'eth')", name, p, n.Type)
			}
			if err := checkMTU(c, name, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkBonds(c *Config, ifs []named, _ Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Type != TypeBond || !truthy(d.Attr("slaves")) {
			continue
		}
		primary := d.Attr("bond-primary")
		found := false
		for _, p := range splitWS(d.Attr("slaves")) {
			n := c.Ifaces[p]
			if n == nil {
				return fmt.Errorf("bond '%s' - unable to find slave '%s'", name, p)
			}
			n.Autostart = true
			if n.Type != TypeEth && n.Type != TypeBond {
				return fmt.Errorf("bond '%s' - wrong interface type on slave '%s' ('%s' != 'eth or bond')", name, p, n.Type)
			}
			if err := checkMTU(c, name, p); err != nil {
				return err
			}
			if truthy(primary) && primary == p {
				found = true
			}
		}
		if truthy(primary) && !found {
			return fmt.Errorf("bond '%s' - bond-primary interface is not a slave", name)
		}
	}
	return nil
}

func checkVXLAN(c *Config, ifs []named, _ Options) error {
	ids := map[string]string{}
	for _, it := range ifs {
		name, d := it.name, it.d
		if id := d.Attr("vxlan-id"); d.Type == TypeVXLAN && truthy(id) {
			if other, ok := ids[id]; ok {
				return fmt.Errorf("iface %s - duplicate vxlan-id %s already used in %s", name, id, other)
			}
			ids[id] = name
		}
		n := 0
		for _, set := range []bool{d.HasAttr("vxlan-svcnodeip"), d.VXLANRemoteIPs != nil, d.HasAttr("vxlan-local-tunnelip")} {
			if set {
				n++
			}
		}
		if n > 1 {
			return fmt.Errorf("iface %s - vxlan-svcnodeip, vxlan-remoteip and vxlan-localtunnelip are mutually exclusive", name)
		}
		if d.HasAttr("vxlan-svcnodeip") != d.HasAttr("vxlan-physdev") {
			return fmt.Errorf("iface %s - vxlan-svcnodeip and vxlan-physdev must be define together", name)
		}
	}
	return nil
}

func checkVLANs(c *Config, ifs []named, o Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Type != TypeVLAN {
			continue
		}
		var parent, id string
		if p, i, ok := cutVLANName(name); ok {
			parent, id = p, i
			d.Del("vlan-raw-device")
			d.Del("vlan-id")
		} else {
			if !truthy(d.Attr("vlan-raw-device")) {
				return errors.New("missing vlan-raw-device option")
			}
			parent = d.Attr("vlan-raw-device")
			if i, ok := cutPrefixDigits(name, "vlan"); ok {
				id = i
				d.Del("vlan-id")
			} else {
				if !o.IfUpDown2 {
					return errors.New("custom vlan interface name need ifupdown2")
				}
				if !truthy(d.Attr("vlan-id")) {
					return errors.New("missing vlan-id option")
				}
				id = d.Attr("vlan-id")
			}
		}
		if leadingInt(id) > 4094 {
			return fmt.Errorf("vlan '%s' - vlan-id %s should be <= 4094", name, id)
		}
		n := c.Ifaces[parent]
		if n == nil {
			return fmt.Errorf("vlan '%s' - unable to find parent '%s'", name, parent)
		}
		if n.Type != TypeEth && n.Type != TypeBridge && n.Type != TypeBond && n.Type != TypeVLAN {
			return fmt.Errorf("vlan '%s' - wrong interface type on parent '%s' ('%s' != 'eth|bond|bridge|vlan' )", name, parent, n.Type)
		}
		if err := checkMTU(c, parent, name); err != nil {
			return err
		}
	}
	return nil
}

func checkUplinks(c *Config, ifs []named, _ Options) error {
	uplinks := map[string]string{}
	for _, it := range ifs {
		name, d := it.name, it.d
		id := d.Attr("uplink-id")
		if !truthy(id) {
			continue
		}
		if d.Type != TypeEth && d.Type != TypeBond {
			return fmt.Errorf("iface '%s' - uplink-id %s is only allowed on physical and linux bond interfaces", name, id)
		}
		if other, ok := uplinks[id]; ok {
			return fmt.Errorf("iface '%s' - uplink-id %s is already assigned on '%s'", name, id, other)
		}
		uplinks[id] = name
	}
	return nil
}

var bridgePortKeys = []string{"bridge-learning", "bridge-arp-nd-suppress", "bridge-unicast-flood", "bridge-multicast-flood", "bridge-access"}

// hasBridgePortKey tells whether an interface has one of the bridge port
// options set.
func hasBridgePortKey(d *Iface) bool {
	for _, k := range bridgePortKeys {
		if truthy(d.Attr(k)) {
			return true
		}
	}
	return false
}

// portFacts is what checkBridgePorts needs of a port: whether it has an
// address, its MTU, whether it is a bond.
type portFacts struct {
	addr bool
	mtu  int
	bond bool
}

func checkBridgePorts(c *Config, ifs []named, _ Options) error {
	// which bridge a port is on is asked only of interfaces with bridge
	// port options: without any, the map is not made
	var bridgeOf map[string]string
	for _, it := range ifs {
		if hasBridgePortKey(it.d) {
			bridgeOf = make(map[string]string, len(ifs))
			break
		}
	}
	for _, it := range ifs {
		name, d := it.name, it.d
		if d.Type != TypeBridge {
			continue
		}
		bm := mtuOf(d)
		// split as written (commas too): the file must validate again
		for p := range listItems(d.Attr("bridge_ports")) {
			n := c.Ifaces[p]
			var port portFacts
			if parent, _, ok := cutVLANName(p); n == nil && ok {
				// a VLAN port not in the file is implied (manual, with its
				// parent's MTU); check it as one
				if bm != 0 {
					port.mtu = mtuOf(c.Ifaces[parent])
				}
			} else if n == nil {
				return fmt.Errorf("bridge '%s' - unable to find bridge port '%s'", name, p)
			} else {
				port = portFacts{
					addr: (n.Method == "static" && n.Address != "0.0.0.0") || (n.Method6 == "static" && n.Address6 != "::"),
					mtu:  mtuOf(n), bond: n.Type == TypeBond,
				}
			}
			if port.addr {
				return fmt.Errorf("iface %s - ip address can't be set on interface if bridged in %s", p, name)
			}
			if bm != 0 {
				pm := port.mtu
				if pm == 0 && port.bond {
					pm = bm
				}
				if pm == 0 {
					pm = 1500
				}
				if pm < bm {
					return fmt.Errorf("interface '%s' - mtu %d is lower than '%s' - mtu %d", p, pm, name, bm)
				}
			}
			if bridgeOf != nil {
				bridgeOf[p] = name
			}
		}
	}
	if bridgeOf == nil {
		return nil
	}
	for _, it := range ifs {
		name, d := it.name, it.d
		for _, k := range bridgePortKeys {
			if truthy(d.Attr(k)) && bridgeOf[name] == "" {
				return fmt.Errorf("iface %s - %s: bridge port specific options can be used only on interfaces attached to a bridge", name, k)
			}
		}
		if truthy(d.Attr("bridge-access")) {
			if br := c.Ifaces[bridgeOf[name]]; br == nil || !truthy(br.Attr("bridge_vlan_aware")) {
				return fmt.Errorf("iface %s - bridge-access option can be only used if interface is in a vlan aware bridge", name)
			}
		}
	}
	return nil
}

// checkTypeOptions holds the checks Proxmox's writer makes while rendering.
func checkTypeOptions(c *Config, ifs []named, _ Options) error {
	for _, it := range ifs {
		name, d := it.name, it.d
		switch d.Type {
		case TypeVLAN:
			if p := d.Attr("vlan-protocol"); truthy(p) && p != "802.1ad" && p != "802.1q" {
				return fmt.Errorf("%s: wrong vlan-protocol %s", name, p)
			}
		case TypeOVSBond:
			if m := d.Attr("bond_mode"); m != "" && !ovsBondModes[m] {
				return fmt.Errorf("OVS does not support bond mode '%s", m)
			}
		}
	}
	return nil
}

var ovsBondModes = map[string]bool{"active-backup": true, "balance-slb": true, "lacp-balance-slb": true, "lacp-balance-tcp": true}

// checkAddrs refuses addresses, masks and gateways that are no IP forms:
// ifupdown could not use them, and they would not survive a rewrite.
func checkAddrs(name string, d *Iface) error {
	for _, a := range [][3]string{{d.Address, d.Netmask, d.Gateway}, {d.Address6, d.Netmask6, d.Gateway6}} {
		addr, mask, gw := a[0], a[1], a[2]
		if truthy(addr) {
			base, bits, hasBits := strings.Cut(addr, "/")
			if _, err := netip.ParseAddr(base); err != nil || (hasBits && !allDigits(bits)) {
				return fmt.Errorf("iface %s - invalid address '%s'", name, oneLine(addr))
			}
		}
		if truthy(mask) && !allDigits(mask) {
			if _, ok := MaskBits(mask); !ok {
				return fmt.Errorf("iface %s - invalid netmask '%s'", name, oneLine(mask))
			}
		}
		if truthy(gw) {
			if _, err := netip.ParseAddr(gw); err != nil {
				return fmt.Errorf("iface %s - invalid gateway '%s'", name, oneLine(gw))
			}
		}
	}
	for _, c := range []string{d.CIDR, d.CIDR6} {
		if c != "" {
			if _, err := netip.ParsePrefix(c); err != nil && !strings.Contains(c, "%") {
				return fmt.Errorf("iface %s - invalid CIDR '%s'", name, oneLine(c))
			}
		}
	}
	return nil
}
