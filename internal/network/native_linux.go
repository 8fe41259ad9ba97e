package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"hostadm/internal/host"
)

// inNetNS runs fn on a thread switched into the named network namespace
// ("" = the current one). Netlink sockets opened by fn live there.
func inNetNS(name string, fn func() error) error {
	if name == "" {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		// the thread is thrown away afterwards: it never returns to the pool
		// in the other namespace
		runtime.LockOSThread()
		target, err := netns.GetFromName(name)
		if err != nil {
			errc <- fmt.Errorf("network namespace %s: %w", name, err)
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("enter network namespace %s: %w", name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// ReadKernelState reads links, addresses and default routes.
func ReadKernelState() (*KernelState, error) {
	return readKernelState(nil)
}

// readKernelState reads all links, or only the named ones (and the links
// enslaved to those): a change to a few interfaces then costs the same in
// a file of ten or of a thousand.
func readKernelState(only map[string]bool) (ks *KernelState, err error) {
	err = retryDump(func() error {
		ks, err = readKernelStateOnce(only)
		return err
	})
	return ks, err
}

// retryDump runs dump again while the kernel reports that it changed
// during the dump (NLM_F_DUMP_INTR: links coming up add link-local
// addresses, say), a few times at most.
func retryDump(dump func() error) error {
	var err error
	for range 10 {
		if err = dump(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			return err
		}
	}
	return err
}

func readKernelStateOnce(only map[string]bool) (*KernelState, error) {
	var links []netlink.Link
	var err error
	if only == nil {
		links, err = netlink.LinkList()
	} else {
		links, err = linksNamed(only)
	}
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	byIndex := map[int]string{}
	for _, l := range links {
		byIndex[l.Attrs().Index] = l.Attrs().Name
	}
	ks := &KernelState{Links: map[string]*LinkState{}, Gateways: map[string]string{}}
	byName := map[int]*LinkState{}
	for _, l := range links {
		a := l.Attrs()
		st := &LinkState{Name: a.Name, Index: a.Index, MTU: a.MTU, Up: a.Flags&net.FlagUp != 0, Master: byIndex[a.MasterIndex],
			MAC: a.HardwareAddr.String()}
		if b, ok := l.(*netlink.Bond); ok {
			st.Bond = bondState(b, byIndex)
		}
		switch l.Type() {
		case "device", "veth":
		default:
			st.Kind = l.Type()
		}
		ks.Links[a.Name] = st
		byName[a.Index] = st
	}
	// one dump for all addresses: a query per link costs a round trip each
	var addrs []netlink.Addr
	if only == nil {
		addrs, err = netlink.AddrList(nil, netlink.FAMILY_ALL)
	} else {
		for _, l := range links {
			a, e := netlink.AddrList(l, netlink.FAMILY_ALL)
			addrs, err = append(addrs, a...), errors.Join(err, e)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	for _, ad := range addrs {
		p, ok := netipPrefix(ad.IPNet)
		if st := byName[ad.LinkIndex]; st != nil && ok && !p.Addr().IsLinkLocalUnicast() {
			st.Addrs = append(st.Addrs, p)
		}
	}
	for fam, f := range map[string]int{"4": netlink.FAMILY_V4, "6": netlink.FAMILY_V6} {
		routes, err := netlink.RouteListFiltered(f, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, fmt.Errorf("list routes: %w", err)
		}
		for _, r := range routes {
			if isDefault(r) && r.Gw != nil {
				dev := byIndex[r.LinkIndex]
				if dev == "" {
					if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
						dev = l.Attrs().Name
					}
				}
				ks.Gateways[fam] = r.Gw.String() + " dev " + dev
			}
		}
	}
	return ks, nil
}

func isDefault(r netlink.Route) bool {
	if r.Dst == nil {
		return true
	}
	ones, _ := r.Dst.Mask.Size()
	return ones == 0
}

func netipPrefix(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}

// executor carries out a plan through netlink, logging each step. It
// keeps one netlink socket for the whole plan and the links' indexes
// (from the kernel state the plan was made from, and from each link it
// creates), so a step costs one request to the kernel, as a line of
// `ip -batch` does, instead of a socket and a name look-up besides.
type executor struct {
	runner host.Runner
	log    io.Writer
	h      *netlink.Handle
	sock   map[int]*nl.SocketHandle // for the requests the netlink package does not model
	idx    map[string]int           // link name → index
}

// newExecutor returns an executor knowing the indexes in ks (may be nil).
func newExecutor(runner host.Runner, log io.Writer, ks *KernelState) *executor {
	x := &executor{runner: runner, log: log, idx: map[string]int{}}
	if ks != nil {
		for name, l := range ks.Links {
			if l.Index > 0 {
				x.idx[name] = l.Index
			}
		}
	}
	return x
}

func (x *executor) run(ctx context.Context, ops []Op) error {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()
	s, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer s.Close()
	x.h, x.sock = h, map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		fmt.Fprintf(x.log, "%s\n", op)
		// a new bridge and its STP settings are one request
		if op.Do == "add" && op.Arg == "bridge" && i+1 < len(ops) && ops[i+1].Do == "bridge" && ops[i+1].Link == op.Link {
			i++
			fmt.Fprintf(x.log, "%s\n", ops[i])
			if err := x.addBridge(op.Link, ops[i].Arg); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			continue
		}
		if err := x.do(ctx, op); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if op.Do == "run" {
			// a hook may have made, removed or renamed links: look them up again
			clear(x.idx)
		}
	}
	return nil
}

// link returns a handle on the named link: its index when known (the
// kernel state, or an earlier step), else a look-up.
func (x *executor) link(name string) (netlink.Link, error) {
	if i, ok := x.idx[name]; ok {
		return &netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: i, Name: name}}, nil
	}
	l, err := x.h.LinkByName(name)
	if err != nil {
		return nil, err
	}
	x.idx[name] = l.Attrs().Index
	return l, nil
}

// request is a netlink request on the executor's socket.
func (x *executor) request(proto, flags int) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(proto, flags)
	req.Sockets = x.sock
	return req
}

// addBridge creates a bridge with its STP state and forward delay in one
// request ("stp_state N forward_delay S") and notes its index.
func (x *executor) addBridge(name, arg string) error {
	req := x.request(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK|unix.NLM_F_ECHO)
	req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(name)))
	req.AddData(bridgeInfo(arg))
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
	if err != nil {
		return err
	}
	// kernels before 6.3 do not echo a new link: look it up then
	for _, m := range msgs {
		if info := nl.DeserializeIfInfomsg(m); info.Index > 0 {
			x.idx[name] = int(info.Index)
			return nil
		}
	}
	delete(x.idx, name)
	_, err = x.link(name)
	return err
}

// bridgeInfo is IFLA_LINKINFO for a bridge with STP and the forward delay
// (seconds in the file, centiseconds for the kernel).
func bridgeInfo(arg string) *nl.RtAttr {
	f := strings.Fields(arg)
	stp, _ := strconv.Atoi(argAfter(f, "stp_state"))
	fd, _ := strconv.Atoi(argAfter(f, "forward_delay"))
	info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
	info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("bridge"))
	data := info.AddRtAttr(nl.IFLA_INFO_DATA, nil)
	data.AddRtAttr(unix.IFLA_BR_FORWARD_DELAY, nl.Uint32Attr(uint32(fd*100)))
	data.AddRtAttr(unix.IFLA_BR_STP_STATE, nl.Uint32Attr(uint32(stp)))
	return info
}

func (x *executor) do(ctx context.Context, op Op) error {
	if op.Do == "run" {
		_, err := x.runner.Run(ctx, host.Cmd{Argv: []string{"/bin/sh", "-c", op.Cmd.line}, Env: op.Cmd.env,
			Output: x.log, Timeout: 5 * time.Minute})
		return err
	}
	if op.Do == "route" || op.Do == "route-del" {
		return x.route(op)
	}
	if op.Do == "add" {
		return x.add(op)
	}
	link, err := x.link(op.Link)
	if err != nil {
		return err
	}
	switch op.Do {
	case "del":
		delete(x.idx, op.Link)
		return x.h.LinkDel(link)
	case "up":
		return x.h.LinkSetUp(link)
	case "down":
		return x.h.LinkSetDown(link)
	case "mtu":
		n, _ := strconv.Atoi(op.Arg)
		return x.h.LinkSetMTU(link, n)
	case "set-master":
		master, err := x.link(op.Arg)
		if err != nil {
			return err
		}
		// the kernel releases a port from its old master itself
		return x.h.LinkSetMasterByIndex(link, master.Attrs().Index)
	case "no-master":
		return x.h.LinkSetNoMaster(link)
	case "addr-add", "addr-del":
		p, err := netip.ParsePrefix(op.Arg)
		if err != nil {
			return err
		}
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}}
		if op.Do == "addr-del" {
			return x.h.AddrDel(link, addr)
		}
		if p.Addr().Is6() {
			addr.Flags = unix.IFA_F_NODAD
		}
		return x.h.AddrAdd(link, addr)
	case "bridge":
		return x.setBridgeOpts(link, op.Arg)
	case "vlan-filtering":
		on := strings.HasPrefix(op.Arg, "1")
		return x.h.BridgeSetVlanFiltering(&netlink.Bridge{LinkAttrs: *link.Attrs()}, on)
	case "mac", "vids", "bond", "bond-primary":
		return x.linkOption(op, link)
	}
	return fmt.Errorf("unknown operation %q", op.Do)
}

func (x *executor) add(op Op) error {
	f := strings.Fields(op.Arg)
	attrs := netlink.NewLinkAttrs()
	attrs.Name = op.Link
	var l netlink.Link
	switch f[0] {
	case "bridge":
		l = &netlink.Bridge{LinkAttrs: attrs}
	case "dummy":
		l = &netlink.Dummy{LinkAttrs: attrs}
	case "bond":
		b := netlink.NewLinkBond(attrs)
		b.Mode = netlink.StringToBondMode(argAfter(f, "mode"))
		b.Miimon, _ = strconv.Atoi(argAfter(f, "miimon"))
		if p := argAfter(f, "xmit_hash_policy"); p != "" {
			b.XmitHashPolicy = netlink.StringToBondXmitHashPolicy(p)
		}
		l = b
	case "vlan":
		parent, err := x.link(argAfter(f, "link"))
		if err != nil {
			return err
		}
		attrs.ParentIndex = parent.Attrs().Index
		id, _ := strconv.Atoi(argAfter(f, "id"))
		proto := netlink.VLAN_PROTOCOL_8021Q
		if argAfter(f, "protocol") == "802.1ad" {
			proto = netlink.VLAN_PROTOCOL_8021AD
		}
		l = &netlink.Vlan{LinkAttrs: attrs, VlanId: id, VlanProtocol: proto}
	case "vxlan":
		id, _ := strconv.Atoi(argAfter(f, "id"))
		v := &netlink.Vxlan{LinkAttrs: attrs, VxlanId: id, Port: 4789, Learning: true}
		if s := argAfter(f, "local"); s != "" {
			v.SrcAddr = net.ParseIP(s)
		}
		l = v
	default:
		return fmt.Errorf("cannot create a link of kind %s", f[0])
	}
	if err := x.h.LinkAdd(l); err != nil {
		return err
	}
	x.idx[op.Link] = l.Attrs().Index // LinkAdd looked it up
	return nil
}

func argAfter(f []string, key string) string {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == key {
			return f[i+1]
		}
	}
	return ""
}

// setBridgeOpts sets STP and the forward delay, which the netlink package
// does not model.
func (x *executor) setBridgeOpts(link netlink.Link, arg string) error {
	req := x.request(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = int32(link.Attrs().Index)
	req.AddData(msg)
	req.AddData(bridgeInfo(arg))
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

func (x *executor) route(op Op) error {
	f := strings.Fields(op.Arg)
	if len(f) < 3 {
		return fmt.Errorf("bad route %q", op.Arg)
	}
	link, err := x.link(f[2])
	if err != nil {
		return err
	}
	r := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: net.ParseIP(f[0]), Table: unix.RT_TABLE_MAIN}
	if op.Do == "route-del" {
		// removing the address under it may have taken the route already
		if err := x.h.RouteDel(r); err != nil && !errors.Is(err, unix.ESRCH) {
			return err
		}
		return nil
	}
	return x.h.RouteReplace(r)
}

// linksNamed looks up the named links (missing ones are left out) and the
// links enslaved to them.
func linksNamed(names map[string]bool) ([]netlink.Link, error) {
	var out []netlink.Link
	for n := range names {
		l, err := netlink.LinkByName(n)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}
