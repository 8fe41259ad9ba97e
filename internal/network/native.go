package network

import (
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/network/ifaces"
)

// LinkState is what the native applier reads of one kernel link.
type LinkState struct {
	Name   string
	Index  int    // the kernel's ifindex (0: not known)
	Kind   string // "" for a NIC or veth, else bridge, bond, vlan, vxlan, dummy ...
	Master string
	MTU    int
	Up     bool
	Addrs  []netip.Prefix // without IPv6 link-local
	MAC    string         // lower-case, colon-separated
	Bond   *BondState     // a bond's options (nil for other kinds)
}

// KernelState is the part of the kernel the native applier compares.
type KernelState struct {
	Links    map[string]*LinkState
	Gateways map[string]string // "4"/"6" → "GW dev IFACE" of the main table's default route

	byMaster map[string][]string
}

// slaves maps each master to the links enslaved to it (built once).
func (ks *KernelState) slaves() map[string][]string {
	if ks.byMaster == nil {
		ks.byMaster = map[string][]string{}
		for name, l := range ks.Links {
			if l.Master != "" {
				ks.byMaster[l.Master] = append(ks.byMaster[l.Master], name)
			}
		}
	}
	return ks.byMaster
}

// Op is one planned change. Its String form is the transcript line.
type Op struct {
	Do   string // add, del, set-master, no-master, mtu, mac, up, down, addr-add, addr-del, route, route-del, bridge, vlan-filtering, vids, bond, bond-primary, run
	Link string
	Arg  string
	Cmd  *hookCmd
}

type hookCmd struct {
	phase, line string
	env         []string
}

func (o Op) String() string {
	s := o.Do + " " + o.Link
	if o.Arg != "" {
		s += " " + o.Arg
	}
	return s
}

// nativeKeys are the settings the native applier knows how to apply;
// anything else makes it refuse the file.
var nativeKeys = map[string]bool{
	"bridge_ports": true, "bridge_stp": true, "bridge_fd": true, "bridge_vlan_aware": true,
	"bridge_vids": true, "mtu": true, "slaves": true, "bond_mode": true, "bond_miimon": true,
	"bond_xmit_hash_policy": true, "bond-primary": true, "vlan-raw-device": true, "vlan-id": true,
	"vlan-protocol": true, "vxlan-id": true, "vxlan-local-tunnelip": true, "link-type": true,
	"uplink-id": true,
}

// hookKeys are the option lines run as commands, in ifupdown's phases.
var hookKeys = []string{"pre-up", "up", "post-up", "pre-down", "down", "post-down"}

// NativeRefusal lists the lines the native applier cannot apply.
type NativeRefusal struct{ Lines []string }

func (e *NativeRefusal) Error() string {
	return "the native applier cannot apply this file (use ifupdown2):\n" + strings.Join(e.Lines, "\n")
}

// checkNative refuses what the native applier does not handle, naming the
// interfaces and lines.
func checkNative(cfg *ifaces.Config, names []string) error {
	var bad []string
	for _, n := range names {
		d := cfg.Ifaces[n]
		switch d.Type {
		case ifaces.TypeOVSBridge, ifaces.TypeOVSBond, ifaces.TypeOVSPort, ifaces.TypeOVSIntPort:
			bad = append(bad, fmt.Sprintf("iface %s: Open vSwitch type %s", n, d.Type))
		}
		for _, fam := range d.Families {
			m := d.Method
			if fam == ifaces.Inet6 {
				m = d.Method6
			}
			if fam != ifaces.Typeless && m != "static" && m != "manual" {
				bad = append(bad, fmt.Sprintf("iface %s %s %s: method %s", n, fam, m, m))
			}
		}
		for _, l := range append(slices.Clone(d.Options), d.Options6...) {
			k, _, _ := strings.Cut(l, " ")
			if !slices.Contains(hookKeys, k) && k != "hwaddress" {
				bad = append(bad, fmt.Sprintf("iface %s: %s", n, l))
			}
		}
		if _, err := wantMAC(d); err != nil {
			bad = append(bad, fmt.Sprintf("iface %s: %v", n, err))
		}
		for _, a := range d.Attrs { // in key order
			if !nativeKeys[a.Key] && truthyStr(a.Value) && !strings.HasPrefix(a.Key, "ovs_") {
				bad = append(bad, fmt.Sprintf("iface %s: %s %s", n, a.Key, a.Value))
			}
		}
	}
	if len(bad) > 0 {
		return &NativeRefusal{Lines: bad}
	}
	return nil
}

func truthyStr(s string) bool { return s != "" && s != "0" }

// managed lists the interfaces `ifreload -a` would configure: the auto
// ones and, recursively, what they are built on (ports, slaves, parents).
func managed(cfg *ifaces.Config) []string {
	seen := make(map[string]bool, len(cfg.Ifaces))
	var visit func(n string)
	visit = func(n string) {
		d := cfg.Ifaces[n]
		if d == nil || seen[n] || n == "lo" {
			return
		}
		seen[n] = true
		for dep := range lowerOf(d) {
			visit(dep)
		}
	}
	for n, d := range cfg.Ifaces {
		if d.Autostart {
			visit(n)
		}
	}
	// in name order, then by depth: one bucket per depth keeps the name
	// order within it, with no comparison sort
	depth := make(map[string]int, len(seen))
	visiting := map[string]bool{}
	var byDepth [][]string
	for _, n := range cfg.Names() {
		if !seen[n] {
			continue
		}
		d := depthOf(cfg, n, depth, visiting)
		for len(byDepth) <= d {
			byDepth = append(byDepth, nil)
		}
		byDepth[d] = append(byDepth[d], n)
	}
	out := make([]string, 0, len(seen))
	for _, b := range byDepth {
		out = append(out, b...)
	}
	return out
}

// lowerOf yields the links an interface sits on (without building a list:
// plan walks every interface of both files through it on each apply).
func lowerOf(d *ifaces.Iface) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, k := range [...]string{"bridge_ports", "slaves"} {
			for p := range strings.FieldsSeq(d.Attr(k)) {
				if !yield(p) {
					return
				}
			}
		}
		if p := d.Attr("vlan-raw-device"); p != "" {
			yield(p)
		}
	}
}

// depthOf is how many layers sit below an interface (NIC 0, bond 1, ...),
// remembered in memo. An interface met again while its own lower links
// are walked (a loop, which plan refuses) counts as 0, so the walk ends
// however the file is made; memo keeps it linear in the file's size.
func depthOf(cfg *ifaces.Config, n string, memo map[string]int, visiting map[string]bool) int {
	if v, ok := memo[n]; ok {
		return v
	}
	d := cfg.Ifaces[n]
	if d == nil || visiting[n] {
		return 0
	}
	visiting[n] = true
	max := 0
	for l := range lowerOf(d) {
		if l == n {
			continue
		}
		if x := depthOf(cfg, l, memo, visiting) + 1; x > max {
			max = x
		}
	}
	delete(visiting, n)
	memo[n] = max
	return max
}

// kindOf is the kernel link kind an interface needs ("" = must exist).
func kindOf(d *ifaces.Iface) string {
	switch d.Type {
	case ifaces.TypeBridge:
		return "bridge"
	case ifaces.TypeBond:
		return "bond"
	case ifaces.TypeVLAN:
		return "vlan"
	case ifaces.TypeVXLAN:
		return "vxlan"
	case ifaces.TypeDummy:
		return "dummy"
	}
	return ""
}

// wantAddrs are an interface's configured addresses.
func wantAddrs(d *ifaces.Iface) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range []string{cidrOf(d.Address, d.Netmask, d.CIDR, 32), cidrOf(d.Address6, d.Netmask6, d.CIDR6, 128)} {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func cidrOf(addr, mask, cidr string, full int) string {
	if cidr != "" {
		return cidr
	}
	if addr == "" || addr == "0" {
		return ""
	}
	if strings.Contains(addr, "/") {
		return addr
	}
	if mask != "" {
		if _, err := strconv.Atoi(mask); err == nil {
			return addr + "/" + mask
		}
		if bits, ok := ifaces.MaskBits(mask); ok {
			return addr + "/" + strconv.Itoa(bits)
		}
	}
	return addr + "/" + strconv.Itoa(full)
}

// Plan computes the operations that take the kernel from ks to cfg. old is
// the configuration applied before (nil: none), used for what the kernel
// cannot be asked about cheaply (bridge STP and forward delay, VLAN
// settings, the hooks) and for interfaces removed from the file.
func Plan(old, cfg *ifaces.Config, ks *KernelState) ([]Op, error) {
	return plan(old, cfg, ks, nil)
}

// Changed lists the interfaces whose stanza differs between old and cfg
// (added ones included), with the links they sit on now and before: all
// a plan has to look at when the unchanged rest is taken as applied.
func Changed(old, cfg *ifaces.Config) map[string]bool {
	out := map[string]bool{}
	now := managed(cfg)
	in := make(map[string]bool, len(now))
	for _, n := range now {
		in[n] = true
	}
	for _, n := range now {
		d := cfg.Ifaces[n]
		od := old.Ifaces[n]
		if od != nil && sameStanza(od, d) {
			continue
		}
		out[n] = true
		for l := range lowerOf(d) {
			out[l] = true
		}
		if od != nil {
			for l := range lowerOf(od) {
				out[l] = true
			}
		}
	}
	for _, n := range managed(old) {
		if !in[n] {
			out[n] = true
		}
	}
	return out
}

// dropsAny tells whether old has an interface cfg does not.
func dropsAny(old, cfg *ifaces.Config) bool {
	for n := range old.Ifaces {
		if cfg.Ifaces[n] == nil {
			return true
		}
	}
	return false
}

// plan is Plan limited to the names in only (nil: all).
func plan(old, cfg *ifaces.Config, ks *KernelState, only map[string]bool) ([]Op, error) {
	names := managed(cfg)
	if err := cfg.CheckLoops(); err != nil {
		return nil, err
	}
	if err := checkNative(cfg, names); err != nil {
		return nil, err
	}
	var ops []Op
	// the old file's order matters only for interfaces the new file
	// drops; most applies drop none and skip walking the old file
	var oldNames []string
	if old != nil && dropsAny(old, cfg) {
		oldNames = managed(old)
	}
	// interfaces no longer configured: down hooks, then removal. One
	// still in the file that merely lost autostart (or the auto interface
	// above it) is left as it is, up, as `ifreload -a` leaves it: ifupdown2
	// takes down only what the file drops.
	inNew := make(map[string]bool, len(names))
	for _, n := range names {
		inNew[n] = true
	}
	for i := len(oldNames) - 1; i >= 0; i-- {
		n := oldNames[i]
		if inNew[n] || cfg.Ifaces[n] != nil || (only != nil && !only[n]) {
			continue
		}
		od := old.Ifaces[n]
		ops = append(ops, hooks(n, od, "pre-down", "down")...)
		if l := ks.Links[n]; l != nil {
			if kindOf(od) != "" && l.Kind == kindOf(od) {
				ops = append(ops, Op{Do: "del", Link: n})
			} else {
				ops = append(ops, Op{Do: "down", Link: n})
				for _, a := range l.Addrs {
					ops = append(ops, Op{Do: "addr-del", Link: n, Arg: a.String()})
				}
			}
		}
		ops = append(ops, hooks(n, od, "post-down")...)
	}
	for _, n := range names {
		if only != nil && !only[n] {
			continue
		}
		linkOps, err := planLink(old, cfg, n, ks)
		if err != nil {
			return nil, err
		}
		ops = append(ops, linkOps...)
	}
	ops = append(ops, routeOps(cfg, names, ks)...)
	return ops, nil
}

func addArgs(d *ifaces.Iface, kind string) string {
	switch kind {
	case "vlan":
		proto := d.Attr("vlan-protocol")
		if proto == "" {
			proto = "802.1q"
		}
		return fmt.Sprintf("vlan link %s id %s protocol %s", d.Attr("vlan-raw-device"), d.Attr("vlan-id"), proto)
	case "bond":
		mode := d.Attr("bond_mode")
		if mode == "" {
			mode = "balance-rr"
		}
		s := "bond mode " + mode + " miimon " + orStr(d.Attr("bond_miimon"), "100")
		if p := d.Attr("bond_xmit_hash_policy"); p != "" && (mode == "balance-xor" || mode == "802.3ad") {
			s += " xmit_hash_policy " + p
		}
		return s
	case "vxlan":
		s := "vxlan id " + d.Attr("vxlan-id")
		if l := d.Attr("vxlan-local-tunnelip"); l != "" {
			s += " local " + l
		}
		return s
	}
	return kind
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func bridgeArgs(d *ifaces.Iface) string {
	stp := "0"
	if d.Attr("bridge_stp") == "on" {
		stp = "1"
	}
	return "stp_state " + stp + " forward_delay " + orStr(d.Attr("bridge_fd"), "0")
}

func vidsOf(d *ifaces.Iface) string {
	v := d.Attr("bridge_vids")
	if v == "" {
		v = "2-4094"
	}
	return strings.Join(strings.Fields(v), ",")
}

// masterOps enslaves bridge ports and bond slaves and releases ports the
// file no longer lists.
func masterOps(cfg *ifaces.Config, n string, d *ifaces.Iface, ks *KernelState) []Op {
	var ops []Op
	want := slices.Collect(lowerOf(d))
	if kindOf(d) == "vlan" {
		want = nil
	}
	for _, p := range want {
		if l := ks.Links[p]; l == nil || l.Master != n {
			ops = append(ops, Op{Do: "set-master", Link: p, Arg: n})
		}
	}
	if kindOf(d) == "bridge" || kindOf(d) == "bond" {
		var names []string
		for _, name := range ks.slaves()[n] {
			if !slices.Contains(want, name) && cfg.Ifaces[name] != nil {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			ops = append(ops, Op{Do: "no-master", Link: name})
		}
	}
	return ops
}

func addrOps(n string, d *ifaces.Iface, l *LinkState) []Op {
	var ops []Op
	want := wantAddrs(d)
	var have []netip.Prefix
	if l != nil {
		have = l.Addrs
	}
	for _, a := range have {
		if !slices.Contains(want, a) {
			ops = append(ops, Op{Do: "addr-del", Link: n, Arg: a.String()})
		}
	}
	for _, a := range want {
		if !slices.Contains(have, a) {
			ops = append(ops, Op{Do: "addr-add", Link: n, Arg: a.String()})
		}
	}
	return ops
}

func routeOps(cfg *ifaces.Config, names []string, ks *KernelState) []Op {
	var ops []Op
	for _, fam := range []string{"4", "6"} {
		want := ""
		for _, n := range names {
			gw := cfg.Ifaces[n].Gateway
			if fam == "6" {
				gw = cfg.Ifaces[n].Gateway6
			}
			if gw != "" {
				want = gw + " dev " + n
				break
			}
		}
		have := ks.Gateways[fam]
		switch {
		case want == have:
		case want == "" && keptRoute(cfg, names, have):
			// on an interface the file keeps but no longer brings up:
			// ifreload -a leaves it, and so does the plan
		case want == "":
			ops = append(ops, Op{Do: "route-del", Link: "default" + fam, Arg: have})
		default:
			ops = append(ops, Op{Do: "route", Link: "default" + fam, Arg: want})
		}
	}
	return ops
}

// keptRoute tells whether a default route ("GW dev IFACE") goes through an
// interface the file still has but does not bring up (not in names).
func keptRoute(cfg *ifaces.Config, names []string, route string) bool {
	_, dev, ok := strings.Cut(route, " dev ")
	return ok && cfg.Ifaces[dev] != nil && !slices.Contains(names, dev)
}
