package network

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// bondState reads a bond's options as the plan compares them.
func bondState(b *netlink.Bond, byIndex map[int]string) *BondState {
	st := &BondState{Mode: b.Mode.String(), Miimon: b.Miimon, Primary: byIndex[b.Primary]}
	if st.Mode == "balance-xor" || st.Mode == "802.3ad" {
		st.Xmit = b.XmitHashPolicy.String()
	}
	return st
}

// linkOption carries out the operations on a link's MAC, bridge VLAN
// ids and bond options.
func (x *executor) linkOption(op Op, link netlink.Link) error {
	switch op.Do {
	case "mac":
		mac, err := net.ParseMAC(op.Arg)
		if err != nil {
			return err
		}
		return x.h.LinkSetHardwareAddr(link, mac)
	case "vids":
		return x.setVids(link, op.Arg)
	case "bond":
		return x.modifyBond(link, strings.Fields(op.Arg))
	case "bond-primary":
		slave, err := x.link(op.Arg)
		if err != nil {
			return err
		}
		b := netlink.NewLinkBond(netlink.LinkAttrs{Index: link.Attrs().Index, Name: link.Attrs().Name})
		b.Primary = slave.Attrs().Index
		return x.h.LinkModify(b)
	}
	return fmt.Errorf("unknown operation %q", op.Do)
}

// setVids adds or removes VLAN ranges ("[self ]add|del 10,20-30") on a
// bridge port (master) or on the bridge itself (self).
func (x *executor) setVids(link netlink.Link, arg string) error {
	f := strings.Fields(arg)
	self := len(f) > 0 && f[0] == "self"
	if self {
		f = f[1:]
	}
	if len(f) != 2 {
		return fmt.Errorf("bad vids %q", arg)
	}
	for _, part := range strings.Split(f[1], ",") {
		lo, hi, _ := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return fmt.Errorf("bad vids %q", arg)
		}
		b := a
		if hi != "" {
			if b, err = strconv.Atoi(hi); err != nil {
				return fmt.Errorf("bad vids %q", arg)
			}
		}
		if f[0] == "del" {
			err = x.h.BridgeVlanDelRange(link, uint16(a), uint16(b), false, false, self, !self)
		} else {
			err = x.h.BridgeVlanAddRange(link, uint16(a), uint16(b), false, false, self, !self)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// modifyBond changes a bond's mode, miimon or hash policy in place
// ("mode M miimon N xmit_hash_policy P", each part optional).
func (x *executor) modifyBond(link netlink.Link, f []string) error {
	b := netlink.NewLinkBond(netlink.LinkAttrs{Index: link.Attrs().Index, Name: link.Attrs().Name})
	if m := argAfter(f, "mode"); m != "" {
		b.Mode = netlink.StringToBondMode(m)
	}
	if m := argAfter(f, "miimon"); m != "" {
		b.Miimon, _ = strconv.Atoi(m)
	}
	if p := argAfter(f, "xmit_hash_policy"); p != "" {
		b.XmitHashPolicy = netlink.StringToBondXmitHashPolicy(p)
	}
	return x.h.LinkModify(b)
}
