package network

import (
	"net/netip"
	"slices"
)

// The kernel model: what the native applier knows of the kernel's links,
// addresses and default routes, kept current by the kernel's netlink
// notifications instead of dumped on every apply (see KernelModel in
// model_linux.go). This file holds the bookkeeping, free of sockets.

// modelLink is one link of the model.
type modelLink struct {
	st     LinkState // Master holds nothing: masterIndex is resolved per snapshot
	master int
	addrs  []netip.Prefix
	bond   *bondRaw
}

// bondRaw is a bond's options with the primary slave as an index.
type bondRaw struct {
	st      BondState
	primary int
}

// routeKey identifies a default route of the main table.
type routeKey struct {
	fam      string // "4" or "6"
	oif      int
	gw       netip.Addr
	priority uint32
}

// modelState is the model's content; the zero value is empty.
type modelState struct {
	links  map[int]*modelLink
	routes map[routeKey]bool
}

func newModelState() modelState {
	return modelState{links: map[int]*modelLink{}, routes: map[routeKey]bool{}}
}

// setLink stores a link's new state, keeping its addresses.
func (m *modelState) setLink(index int, l *modelLink) {
	if old := m.links[index]; old != nil {
		l.addrs = old.addrs
	}
	m.links[index] = l
}

// delLink forgets a link, its addresses and its routes.
func (m *modelState) delLink(index int) {
	delete(m.links, index)
	for k := range m.routes {
		if k.oif == index {
			delete(m.routes, k)
		}
	}
}

// addAddr notes an address on a link (an address of an unknown link is
// dropped: its link's own notification comes first).
func (m *modelState) addAddr(index int, p netip.Prefix) {
	l := m.links[index]
	if l == nil || p.Addr().IsLinkLocalUnicast() || slices.Contains(l.addrs, p) {
		return
	}
	l.addrs = append(l.addrs, p)
}

func (m *modelState) delAddr(index int, p netip.Prefix) {
	if l := m.links[index]; l != nil {
		l.addrs = slices.DeleteFunc(l.addrs, func(a netip.Prefix) bool { return a == p })
	}
}

// snapshot renders the model as the KernelState the planner reads; the
// result shares nothing with the model.
func (m *modelState) snapshot() *KernelState {
	ks := &KernelState{Links: make(map[string]*LinkState, len(m.links)), Gateways: map[string]string{}}
	name := func(index int) string {
		if l := m.links[index]; l != nil {
			return l.st.Name
		}
		return ""
	}
	// one allocation for the links and one for their addresses, not one
	// per link: the planner takes a snapshot on every apply
	sts := make([]LinkState, 0, len(m.links))
	nAddrs := 0
	for _, l := range m.links {
		nAddrs += len(l.addrs)
	}
	addrs := make([]netip.Prefix, 0, nAddrs)
	for _, l := range m.links {
		sts = append(sts, l.st)
		st := &sts[len(sts)-1]
		st.Master = name(l.master)
		if n := len(l.addrs); n > 0 {
			addrs = append(addrs, l.addrs...)
			st.Addrs = addrs[len(addrs)-n : len(addrs) : len(addrs)]
		}
		if l.bond != nil {
			b := l.bond.st
			b.Primary = name(l.bond.primary)
			st.Bond = &b
		}
		ks.Links[st.Name] = st
	}
	// the default route with the lowest metric is the one in use
	best := map[string]routeKey{}
	for k := range m.routes {
		if b, ok := best[k.fam]; !ok || k.priority < b.priority ||
			(k.priority == b.priority && (k.oif < b.oif || (k.oif == b.oif && k.gw.Less(b.gw)))) {
			best[k.fam] = k
		}
	}
	for fam, k := range best {
		ks.Gateways[fam] = k.gw.String() + " dev " + name(k.oif)
	}
	return ks
}
