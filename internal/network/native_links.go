package network

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/network/ifaces"
)

// BondState is what the native applier compares of a bond: the options a
// file sets, as the kernel names them.
type BondState struct {
	Mode    string // balance-rr, active-backup, 802.3ad ...
	Miimon  int
	Xmit    string // layer2, layer3+4 ... ("" = not applicable)
	Primary string // slave name ("" = none)
}

// wantBond is the bond an interface's stanza asks for, with ifupdown2's
// defaults; the hash policy only counts where the mode uses it and the
// primary only for active-backup, as Proxmox writes them.
func wantBond(d *ifaces.Iface) BondState {
	b := BondState{Mode: orStr(d.Attr("bond_mode"), "balance-rr")}
	b.Miimon, _ = strconv.Atoi(orStr(d.Attr("bond_miimon"), "100"))
	if b.Mode == "balance-xor" || b.Mode == "802.3ad" {
		b.Xmit = orStr(d.Attr("bond_xmit_hash_policy"), "layer2")
	}
	if b.Mode == "active-backup" {
		b.Primary = d.Attr("bond-primary")
	}
	return b
}

func (b BondState) args(withMode bool) string {
	var s []string
	if withMode {
		s = append(s, "mode "+b.Mode)
	}
	s = append(s, "miimon "+strconv.Itoa(b.Miimon))
	if b.Xmit != "" {
		s = append(s, "xmit_hash_policy "+b.Xmit)
	}
	return strings.Join(s, " ")
}

// bondOps changes an existing bond's options in place. The kernel refuses
// a new mode while the bond is up or has slaves, so a mode change takes
// the bond down and releases its slaves first; the plan's later steps
// enslave them again and bring the bond up (ks is updated to say so).
// Miimon and the hash policy change on the running bond.
func bondOps(n string, d *ifaces.Iface, ks *KernelState) []Op {
	l := ks.Links[n]
	if l == nil || l.Kind != "bond" || l.Bond == nil {
		return nil
	}
	want, have := wantBond(d), *l.Bond
	var ops []Op
	switch {
	case want.Mode != have.Mode:
		ops = append(ops, Op{Do: "down", Link: n})
		slaves := slices.Clone(ks.slaves()[n])
		slices.Sort(slaves)
		for _, s := range slaves {
			ops = append(ops, Op{Do: "no-master", Link: s})
			released := *ks.Links[s]
			released.Master = ""
			ks.Links[s] = &released
		}
		delete(ks.byMaster, n)
		ops = append(ops, Op{Do: "bond", Link: n, Arg: want.args(true)})
		down := *l
		down.Up = false
		ks.Links[n] = &down
	case want.Miimon != have.Miimon || (want.Xmit != "" && want.Xmit != have.Xmit):
		ops = append(ops, Op{Do: "bond", Link: n, Arg: want.args(false)})
	}
	return ops
}

// primaryOp sets an active-backup bond's primary slave once the slaves
// are in place (a new bond, or one whose primary differs).
func primaryOp(n string, d *ifaces.Iface, l *LinkState) []Op {
	want := wantBond(d).Primary
	have := ""
	if l != nil && l.Bond != nil {
		have = l.Bond.Primary
	}
	if want == "" || want == have {
		return nil
	}
	return []Op{{Do: "bond-primary", Link: n, Arg: want}}
}

// wantMAC is the stanza's `hwaddress [ether] MAC`, normalised ("" = none).
func wantMAC(d *ifaces.Iface) (string, error) {
	for _, l := range append(slices.Clone(d.Options), d.Options6...) {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "hwaddress" {
			continue
		}
		f = f[1:]
		if len(f) > 0 && f[0] == "ether" {
			f = f[1:]
		}
		if len(f) != 1 {
			return "", fmt.Errorf("bad hwaddress line %q", l)
		}
		mac, err := net.ParseMAC(f[0])
		if err != nil || len(mac) != 6 {
			return "", fmt.Errorf("bad hwaddress line %q", l)
		}
		return mac.String(), nil
	}
	return "", nil
}

// macOp sets the link's MAC address when the stanza names one the link
// does not have. A MAC the file stops naming is left as it is: ifupdown2
// does not restore the old one either.
func macOp(n string, d *ifaces.Iface, l *LinkState) []Op {
	mac, _ := wantMAC(d) // checked by checkNative
	if mac == "" || (l != nil && l.MAC == mac) {
		return nil
	}
	return []Op{{Do: "mac", Link: n, Arg: mac}}
}

// vlanAware tells whether a bridge stanza turns VLAN filtering on.
func vlanAware(d *ifaces.Iface) bool {
	return d != nil && truthyStr(d.Attr("bridge_vlan_aware")) && d.Attr("bridge_vlan_aware") != "no"
}

// vidsOps gives a VLAN-aware bridge's VLAN ids to the bridge itself
// ("self", what ifupdown2 and Proxmox's old bridgevlan hook do) and to
// each port (the port stanza's own bridge-vids, else the bridge's).
// The kernel's VLAN table is not read: the previous file tells what a
// bridge and its ports already carry, and only the difference is added
// or removed. oldPorts are the ports the previous file gave the bridge.
func vidsOps(cfg, old *ifaces.Config, n string, d *ifaces.Iface, ks *KernelState, existed bool) []Op {
	if !vlanAware(d) {
		return nil
	}
	var od *ifaces.Iface
	if old != nil && existed {
		od = old.Ifaces[n]
	}
	var ops []Op
	haveSelf := map[int]bool{}
	if vlanAware(od) {
		haveSelf = selfVids(old, n, od)
	}
	ops = append(ops, vidDiff(n, "self ", haveSelf, selfVids(cfg, n, d))...)
	for _, p := range strings.Fields(d.Attr("bridge_ports")) {
		have := map[int]bool{}
		if vlanAware(od) && slices.Contains(strings.Fields(od.Attr("bridge_ports")), p) {
			if l := ks.Links[p]; l != nil && l.Master == n {
				have = vidSet(portVids(old, p, od))
			}
		}
		ops = append(ops, vidDiff(p, "", have, vidSet(portVids(cfg, p, d)))...)
	}
	return ops
}

// selfVids are the ids the bridge itself carries: its bridge-vids and,
// as ifupdown2 adds them, those of VLAN devices on top of it (vmbr0.10).
func selfVids(cfg *ifaces.Config, n string, d *ifaces.Iface) map[int]bool {
	ids := vidSet(vidsOf(d))
	for _, v := range cfg.Ifaces {
		if v.Type == ifaces.TypeVLAN && v.Attr("vlan-raw-device") == n {
			if id, err := strconv.Atoi(v.Attr("vlan-id")); err == nil {
				ids[id] = true
			}
		}
	}
	return ids
}

func portVids(cfg *ifaces.Config, port string, bridge *ifaces.Iface) string {
	if pd := cfg.Ifaces[port]; pd != nil && pd.Attr("bridge_vids") != "" {
		return vidsOf(pd)
	}
	return vidsOf(bridge)
}

func vidDiff(dev, self string, have, want map[int]bool) []Op {
	var add, del []int
	for v := range want {
		if !have[v] {
			add = append(add, v)
		}
	}
	for v := range have {
		if !want[v] {
			del = append(del, v)
		}
	}
	var ops []Op
	if len(del) > 0 {
		ops = append(ops, Op{Do: "vids", Link: dev, Arg: self + "del " + vidRanges(del)})
	}
	if len(add) > 0 {
		ops = append(ops, Op{Do: "vids", Link: dev, Arg: self + "add " + vidRanges(add)})
	}
	return ops
}

// vidSet expands "10,20-30" into its ids (bad parts are skipped: the
// codec validated the list).
func vidSet(list string) map[int]bool {
	out := map[int]bool{}
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for v := a; v <= b && v <= 4094; v++ {
			out[v] = true
		}
	}
	return out
}

// vidRanges renders ids as "10,20-30".
func vidRanges(ids []int) string {
	slices.Sort(ids)
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(ids[i]))
		} else {
			parts = append(parts, strconv.Itoa(ids[i])+"-"+strconv.Itoa(ids[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
