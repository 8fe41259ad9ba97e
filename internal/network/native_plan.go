package network

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/network/ifaces"
)

// planLink plans one configured interface against the kernel: create (or
// re-create) its link, bond and bridge options, MTU, MAC, master, up,
// VLAN ids and addresses, between its hooks.
//
// The stanza's pre-up, up and post-up commands run on every apply, changed
// or not, because that is what `ifreload -a` does: it brings every auto
// interface up again and runs their hooks each time (checked with Debian
// 12's ifupdown2 in a test namespace). A file written for ifreload, with
// post-up lines that reinstate routes or firewall rules, thus gets the
// same treatment from both appliers. Down hooks run only for interfaces
// the file drops, as with ifreload.
func planLink(old, cfg *ifaces.Config, n string, ks *KernelState) ([]Op, error) {
	d := cfg.Ifaces[n]
	l := ks.Links[n]
	var od *ifaces.Iface
	if old != nil {
		od = old.Ifaces[n]
	}
	kind := kindOf(d)
	var ops []Op
	switch {
	case l == nil && kind == "":
		return nil, fmt.Errorf("iface %s: no such link in the kernel", n)
	case l == nil:
		ops = append(ops, Op{Do: "add", Link: n, Arg: addArgs(d, kind)})
	case kind != "" && l.Kind != kind:
		ops = append(ops, Op{Do: "del", Link: n}, Op{Do: "add", Link: n, Arg: addArgs(d, kind)})
		l = nil
	}
	existed := l != nil
	ops = append(ops, hooks(n, d, "pre-up")...)
	if kind == "bond" && l != nil {
		ops = append(ops, bondOps(n, d, ks)...)
		l = ks.Links[n]
	}
	if kind == "bridge" {
		ops = append(ops, bridgeOps(n, d, od, l)...)
	}
	if mtu := atoiOr0(d.Attr("mtu")); mtu > 0 && (l == nil || l.MTU != mtu) {
		ops = append(ops, Op{Do: "mtu", Link: n, Arg: strconv.Itoa(mtu)})
	}
	ops = append(ops, macOp(n, d, l)...)
	ops = append(ops, masterOps(cfg, n, d, ks)...)
	if kind == "bond" {
		ops = append(ops, primaryOp(n, d, l)...)
	}
	if l == nil || !l.Up {
		ops = append(ops, Op{Do: "up", Link: n})
	}
	if kind == "bridge" {
		ops = append(ops, vidsOps(cfg, old, n, d, ks, existed)...)
	}
	ops = append(ops, addrOps(n, d, l)...)
	return append(ops, hooks(n, d, "up", "post-up")...), nil
}

// atoiOr0 is strconv.Atoi without the error (and its allocation) for "".
func atoiOr0(s string) int {
	if s == "" {
		return 0
	}
	n, _ := strconv.Atoi(s)
	return n
}

// bridgeOps sets STP, the forward delay and VLAN filtering on a new
// bridge, or on one whose stanza changed them (the netlink package cannot
// read them back, so the previous file stands for the kernel).
func bridgeOps(n string, d, od *ifaces.Iface, l *LinkState) []Op {
	if l != nil && od != nil && bridgeArgs(od) == bridgeArgs(d) && vlanAware(od) == vlanAware(d) {
		return nil
	}
	ops := []Op{{Do: "bridge", Link: n, Arg: bridgeArgs(d)}}
	switch {
	case vlanAware(d):
		ops = append(ops, Op{Do: "vlan-filtering", Link: n, Arg: "1"})
	case l != nil && vlanAware(od):
		ops = append(ops, Op{Do: "vlan-filtering", Link: n, Arg: "0"})
	}
	return ops
}

// hooks are the stanza's command lines of the given phases.
func hooks(n string, d *ifaces.Iface, phases ...string) []Op {
	var ops []Op
	for _, phase := range phases {
		for _, fam := range []struct {
			opts    []string
			addrfam string
			method  string
		}{{d.Options, "inet", d.Method}, {d.Options6, "inet6", d.Method6}} {
			for _, l := range fam.opts {
				k, cmd, _ := strings.Cut(l, " ")
				if k != phase {
					continue
				}
				mode := "start"
				if strings.Contains(phase, "down") {
					mode = "stop"
				}
				env := []string{"IFACE=" + n, "LOGICAL=" + n, "ADDRFAM=" + fam.addrfam, "METHOD=" + fam.method, "MODE=" + mode, "PHASE=" + phase}
				ops = append(ops, Op{Do: "run", Link: n, Arg: phase + ": " + strings.TrimSpace(cmd),
					Cmd: &hookCmd{phase: phase, line: strings.TrimSpace(cmd), env: env}})
			}
		}
	}
	return ops
}

// sameStanza tells whether an interface's file settings are unchanged.
func sameStanza(a, b *ifaces.Iface) bool {
	return a.Type == b.Type && a.Method == b.Method && a.Method6 == b.Method6 &&
		slices.Equal(a.Options, b.Options) && slices.Equal(a.Options6, b.Options6) &&
		slices.Equal(wantAddrs(a), wantAddrs(b)) && a.Gateway == b.Gateway && a.Gateway6 == b.Gateway6 &&
		slices.Equal(a.Attrs, b.Attrs)
}
