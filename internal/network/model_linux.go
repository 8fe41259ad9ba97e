package network

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// KernelModel keeps the native applier's view of the kernel (links,
// addresses, default routes of one network namespace) current: it dumps
// them once when started, then applies the kernel's notifications of the
// link, address and route groups as they come. When the kernel had to drop
// notifications because the socket's buffer was full (ENOBUFS), the model
// cannot know what it missed and dumps everything again.
//
// Sync is the barrier an apply passes before it plans: a request sent on
// the notification socket itself is answered behind every notification
// the kernel queued before it, so once the answer is read the model holds
// every change made until then, by hostadm or behind its back.
type KernelModel struct {
	ns     string
	sock   *nl.NetlinkSocket
	pid    uint32
	handle *netlink.Handle // dumps, in the model's namespace

	mu      sync.Mutex
	state   modelState
	waiters map[uint32]chan struct{}
	resyncs int
	err     error // the reader stopped: the model is no longer current
	closed  bool

	// beforeReceive runs before each read of the socket; tests hold the
	// reader with it to make the socket overflow.
	beforeReceive func()
	stopped       chan struct{}
}

// modelGroups are the notification groups the model listens to.
var modelGroups = []uint{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR,
	unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV6_ROUTE}

// StartKernelModel subscribes to the namespace's notifications ("" = the
// process's own namespace), dumps its state and keeps it current until
// Close. rcvbuf is the socket's receive buffer in bytes (0: 4 MiB).
func StartKernelModel(ns string, rcvbuf int) (*KernelModel, error) {
	m, err := openModel(ns)
	if err != nil {
		return nil, err
	}
	if rcvbuf == 0 {
		rcvbuf = 4 << 20
	}
	// force past the system's rmem_max (root may); otherwise take what it allows
	if err := m.sock.SetReceiveBufferSize(rcvbuf, true); err != nil {
		m.sock.SetReceiveBufferSize(rcvbuf, false)
	}
	if err := m.resync(); err != nil {
		m.Close()
		return nil, err
	}
	go m.read()
	return m, nil
}

func openModel(ns string) (*KernelModel, error) {
	m := &KernelModel{ns: ns, waiters: map[uint32]chan struct{}{}, stopped: make(chan struct{})}
	var err error
	if ns == "" {
		if m.sock, err = nl.Subscribe(unix.NETLINK_ROUTE, modelGroups...); err == nil {
			m.handle, err = netlink.NewHandle(unix.NETLINK_ROUTE)
		}
	} else {
		var target, cur netns.NsHandle
		if target, err = netns.GetFromName(ns); err != nil {
			return nil, fmt.Errorf("kernel model: network namespace %s: %w", ns, err)
		}
		defer target.Close()
		if cur, err = netns.Get(); err != nil {
			return nil, fmt.Errorf("kernel model: %w", err)
		}
		defer cur.Close()
		if m.sock, err = nl.SubscribeAt(target, cur, unix.NETLINK_ROUTE, modelGroups...); err == nil {
			m.handle, err = netlink.NewHandleAt(target, unix.NETLINK_ROUTE)
		}
	}
	if err == nil {
		m.pid, err = m.sock.GetPid()
	}
	if err != nil {
		if m.sock != nil {
			m.sock.Close()
		}
		return nil, fmt.Errorf("kernel model: subscribe to netlink notifications: %w", err)
	}
	return m, nil
}

// NetNS is the namespace the model describes ("" = the process's own).
func (m *KernelModel) NetNS() string { return m.ns }

// Close stops the model.
func (m *KernelModel) Close() {
	m.mu.Lock()
	already := m.closed
	m.closed = true
	m.mu.Unlock()
	if already {
		return
	}
	m.sock.Close()
	if m.handle != nil {
		m.handle.Close()
	}
}

// Resyncs tells how many full dumps the model made (the first included).
func (m *KernelModel) Resyncs() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resyncs
}

// State returns a snapshot of the model for a plan to read (and change).
func (m *KernelModel) State() *KernelState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state.snapshot()
}

// Sync returns once every change the kernel made before the call is in
// the model; an error means the model cannot be trusted (the caller
// dumps the kernel instead).
func (m *KernelModel) Sync(ctx context.Context) error {
	req := nl.NewNetlinkRequest(unix.RTM_GETLINK, 0)
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = 1 // lo, in every namespace
	req.AddData(msg)
	ch := make(chan struct{})
	m.mu.Lock()
	if err := m.errLocked(); err != nil {
		m.mu.Unlock()
		return err
	}
	m.waiters[req.Seq] = ch
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.waiters, req.Seq)
		m.mu.Unlock()
	}()
	if err := m.sock.Send(req); err != nil {
		return fmt.Errorf("kernel model: sync: %w", err)
	}
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case <-ch:
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.errLocked()
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return errors.New("kernel model: sync timed out")
	}
}

func (m *KernelModel) errLocked() error {
	switch {
	case m.err != nil:
		return m.err
	case m.closed:
		return errors.New("kernel model closed")
	}
	return nil
}

// read applies notifications until the socket is closed.
func (m *KernelModel) read() {
	defer close(m.stopped)
	for {
		if m.beforeReceive != nil {
			m.beforeReceive()
		}
		msgs, _, err := m.sock.Receive()
		if errors.Is(err, unix.ENOBUFS) {
			// notifications were lost: start again from a dump
			if err := m.resync(); err != nil {
				m.stop(err)
				return
			}
			continue
		}
		if err != nil {
			m.stop(fmt.Errorf("kernel model: read notifications: %w", err))
			return
		}
		m.mu.Lock()
		for _, msg := range msgs {
			m.apply(msg)
		}
		m.mu.Unlock()
	}
}

// stop records why the reader ended and releases every waiter.
func (m *KernelModel) stop(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = err
	}
	m.wakeAllLocked()
}

func (m *KernelModel) wakeAllLocked() {
	for seq, ch := range m.waiters {
		close(ch)
		delete(m.waiters, seq)
	}
}

// resync replaces the model with a dump of the kernel. Waiters are
// released: the dump was taken after their request was sent (or its
// answer was lost with the notifications).
func (m *KernelModel) resync() error {
	var st modelState
	err := retryDump(func() (err error) {
		st, err = dumpModel(m.handle)
		return err
	})
	if err != nil {
		return fmt.Errorf("kernel model: dump: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = st
	m.resyncs++
	m.wakeAllLocked()
	return nil
}

// apply folds one message into the model (m.mu held).
func (m *KernelModel) apply(msg syscall.NetlinkMessage) {
	h := msg.Header
	if h.Pid == m.pid && h.Seq != 0 {
		if ch := m.waiters[h.Seq]; ch != nil {
			defer close(ch) // after the answer itself is applied
			delete(m.waiters, h.Seq)
		}
	}
	switch h.Type {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		applyLink(&m.state, msg)
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		applyAddr(&m.state, msg)
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		applyRoute(&m.state, msg)
	}
}

func applyLink(st *modelState, msg syscall.NetlinkMessage) {
	if len(msg.Data) < unix.SizeofIfInfomsg {
		return
	}
	info := nl.DeserializeIfInfomsg(msg.Data)
	if info.Family == unix.AF_BRIDGE {
		// a bridge port's VLAN or state change, not the link itself; a
		// DELLINK of this family only takes the port out of the bridge
		return
	}
	if msg.Header.Type == unix.RTM_DELLINK {
		st.delLink(int(info.Index))
		return
	}
	hdr := unix.NlMsghdr(msg.Header)
	l, err := netlink.LinkDeserialize(&hdr, msg.Data)
	if err != nil {
		return
	}
	st.setLink(l.Attrs().Index, newModelLink(l))
}

// newModelLink is a link as the planner compares it.
func newModelLink(l netlink.Link) *modelLink {
	a := l.Attrs()
	ml := &modelLink{master: a.MasterIndex,
		st: LinkState{Name: a.Name, Index: a.Index, MTU: a.MTU, Up: a.Flags&net.FlagUp != 0, MAC: a.HardwareAddr.String()}}
	switch l.Type() {
	case "device", "veth":
	default:
		ml.st.Kind = l.Type()
	}
	if b, ok := l.(*netlink.Bond); ok {
		bs := bondState(b, nil)
		ml.bond = &bondRaw{st: *bs, primary: b.Primary}
	}
	return ml
}

func applyAddr(st *modelState, msg syscall.NetlinkMessage) {
	if len(msg.Data) < unix.SizeofIfAddrmsg {
		return
	}
	am := nl.DeserializeIfAddrmsg(msg.Data)
	attrs, err := nl.ParseRouteAttr(msg.Data[unix.SizeofIfAddrmsg:])
	if err != nil {
		return
	}
	// IFA_LOCAL is the address of a point-to-point link; IFA_ADDRESS its peer
	var ip []byte
	for _, a := range attrs {
		switch a.Attr.Type {
		case unix.IFA_LOCAL:
			ip = a.Value
		case unix.IFA_ADDRESS:
			if ip == nil {
				ip = a.Value
			}
		}
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return
	}
	p := netip.PrefixFrom(addr.Unmap(), int(am.Prefixlen))
	if msg.Header.Type == unix.RTM_DELADDR {
		st.delAddr(int(am.Index), p)
	} else {
		st.addAddr(int(am.Index), p)
	}
}

func applyRoute(st *modelState, msg syscall.NetlinkMessage) {
	if len(msg.Data) < unix.SizeofRtMsg {
		return
	}
	rt := nl.DeserializeRtMsg(msg.Data)
	attrs, err := nl.ParseRouteAttr(msg.Data[unix.SizeofRtMsg:])
	if err != nil || rt.Dst_len != 0 {
		return
	}
	table := uint32(rt.Table)
	k := routeKey{fam: "4"}
	if rt.Family == unix.AF_INET6 {
		k.fam = "6"
	}
	for _, a := range attrs {
		switch a.Attr.Type {
		case unix.RTA_TABLE:
			table = binary.NativeEndian.Uint32(a.Value)
		case unix.RTA_GATEWAY:
			k.gw, _ = netip.AddrFromSlice(a.Value)
		case unix.RTA_OIF:
			k.oif = int(binary.NativeEndian.Uint32(a.Value))
		case unix.RTA_PRIORITY:
			k.priority = binary.NativeEndian.Uint32(a.Value)
		}
	}
	if table != unix.RT_TABLE_MAIN || !k.gw.IsValid() {
		return
	}
	k.gw = k.gw.Unmap()
	if msg.Header.Type == unix.RTM_DELROUTE {
		delete(st.routes, k)
	} else {
		st.routes[k] = true
	}
}

// dumpModel reads links, addresses and the main table's default routes.
func dumpModel(h *netlink.Handle) (modelState, error) {
	st := newModelState()
	links, err := h.LinkList()
	if err != nil {
		return st, fmt.Errorf("list links: %w", err)
	}
	for _, l := range links {
		st.links[l.Attrs().Index] = newModelLink(l)
	}
	addrs, err := h.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return st, fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		if p, ok := netipPrefix(a.IPNet); ok {
			st.addAddr(a.LinkIndex, p)
		}
	}
	for fam, f := range map[string]int{"4": netlink.FAMILY_V4, "6": netlink.FAMILY_V6} {
		routes, err := h.RouteListFiltered(f, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return st, fmt.Errorf("list routes: %w", err)
		}
		for _, r := range routes {
			if !isDefault(r) || r.Gw == nil {
				continue
			}
			gw, _ := netip.AddrFromSlice(r.Gw)
			st.routes[routeKey{fam: fam, oif: r.LinkIndex, gw: gw.Unmap(), priority: uint32(r.Priority)}] = true
		}
	}
	return st, nil
}
