package daemon

import (
	"net"
	"net/netip"
	"sync"
)

// Connection caps of the HTTPS listener: how many connections are open at
// once overall and from one client (an IPv4 address, or an IPv6 /64,
// which one host usually owns whole). A connection over a cap is closed
// at once, before TLS, so a flood costs the daemon neither memory nor
// file descriptors beyond the caps.
const (
	defaultMaxConns        = 4096
	defaultMaxConnsPerAddr = 64
)

// limitListener enforces the connection caps on Accept.
type limitListener struct {
	net.Listener
	max, perAddr int

	mu     sync.Mutex
	total  int
	byAddr map[netip.Addr]int
}

func newLimitListener(ln net.Listener, max, perAddr int) *limitListener {
	if max <= 0 {
		max = defaultMaxConns
	}
	if perAddr <= 0 {
		perAddr = defaultMaxConnsPerAddr
	}
	return &limitListener{Listener: ln, max: max, perAddr: perAddr, byAddr: map[netip.Addr]int{}}
}

// Accept returns the next connection within the caps; connections over
// them are closed and not returned.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := clientKey(c.RemoteAddr())
		if l.admit(key) {
			return &limitedConn{Conn: c, release: sync.OnceFunc(func() { l.leave(key) })}, nil
		}
		c.Close()
	}
}

func (l *limitListener) admit(key netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max || l.byAddr[key] >= l.perAddr {
		return false
	}
	l.total++
	l.byAddr[key]++
	return true
}

func (l *limitListener) leave(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.byAddr[key]--; l.byAddr[key] <= 0 {
		delete(l.byAddr, key)
	}
}

// Open reports the connections held now, overall and from addr's client.
func (l *limitListener) Open(addr net.Addr) (total, client int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total, l.byAddr[clientKey(addr)]
}

// clientKey is the unit a client is counted by: its IPv4 address, or the
// /64 of its IPv6 address (IPv4-mapped addresses count as IPv4).
func clientKey(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}

// limitedConn gives its slot back when closed (once, however often Close
// is called).
type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
