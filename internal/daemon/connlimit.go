package daemon

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Connection caps of the HTTPS listener: how many connections are open at
// once overall and from one client (an IPv4 address, or an IPv6 /64,
// which one host usually owns whole), and how fast one client may open
// new ones. A connection over a cap is closed at once, before TLS, so a
// flood costs the daemon neither memory, file descriptors nor handshakes
// beyond the caps.
const (
	defaultMaxConns        = 4096
	defaultMaxConnsPerAddr = 64
	// A client opens up to 128 connections at once (twice its share), and
	// then 32 a second: a browser or an API client keeps its connections
	// alive and needs a few, a script that connects for every call a few
	// dozen; a client that handshakes more often than that (each costs the
	// daemon an RSA signature, about a millisecond) is refused until it
	// slows.
	defaultConnRate  = 32
	defaultConnBurst = 128
)

// limitListener enforces the connection caps on Accept.
type limitListener struct {
	net.Listener
	max, perAddr int
	rate         float64 // new connections a second per client after the burst
	burst        float64 // new connections at once per client
	now          func() time.Time

	mu      sync.Mutex
	total   int
	byAddr  map[netip.Addr]int
	buckets map[netip.Addr]*bucket
	sweepAt int // len(buckets) at which full buckets are dropped
}

// bucket is a client's allowance of new connections: tokens at time at,
// refilled at the listener's rate up to its burst.
type bucket struct {
	tokens float64
	at     time.Time
}

// minSweep is the number of clients remembered before full buckets (of
// clients that have not connected for a while) are dropped.
const minSweep = 1024

func newLimitListener(ln net.Listener, max, perAddr, rate int) *limitListener {
	if max <= 0 {
		max = defaultMaxConns
	}
	if perAddr <= 0 {
		perAddr = defaultMaxConnsPerAddr
	}
	if rate <= 0 {
		rate = defaultConnRate
	}
	return &limitListener{Listener: ln, max: max, perAddr: perAddr, rate: float64(rate), burst: defaultConnBurst,
		now: time.Now, byAddr: map[netip.Addr]int{}, buckets: map[netip.Addr]*bucket{}, sweepAt: minSweep}
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
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.refill(now, l.rate, l.burst)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	l.total++
	l.byAddr[key]++
	if len(l.buckets) >= l.sweepAt {
		l.sweep(now)
	}
	return true
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
	}
	b.at = now
}

// sweep forgets the clients whose allowance is full again: they are as if
// never seen. What stays are clients that connected within the last
// burst/rate seconds, so the map is bounded by the accept rate.
func (l *limitListener) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.refill(now, l.rate, l.burst); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	l.sweepAt = max(minSweep, 2*len(l.buckets))
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
// is called), and its handshake turn (see handshakeGate) once it writes
// or closes.
type limitedConn struct {
	net.Conn
	release func()
	turn    atomic.Pointer[handshakeGate]
	entered time.Time // when it took its turn
}

func (c *limitedConn) Write(b []byte) (int, error) {
	if c.turn.Load() != nil {
		c.leaveGate()
	}
	return c.Conn.Write(b)
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.leaveGate()
	c.release()
	return err
}

// keptConns hands connections taken over for an answer with a reason
// phrase (api.WithConnKeeper) back to the HTTP server, which serves the
// client's next request on them as on a new connection (its TLS
// handshake is done, so none is made). Its slot in the caps stays taken
// until the connection closes.
type keptConns struct {
	addr  net.Addr
	mu    sync.Mutex
	conns chan net.Conn
	done  bool
	stop  chan struct{}
}

func newKeptConns(addr net.Addr) *keptConns {
	return &keptConns{addr: addr, conns: make(chan net.Conn, 256), stop: make(chan struct{})}
}

// keep queues c for the server, or closes it when the server stopped or
// the queue is full.
func (k *keptConns) keep(c net.Conn) {
	c.SetDeadline(time.Time{}) // the server sets its own for the next request
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.done {
		select {
		case k.conns <- c:
			return
		default:
		}
	}
	c.Close()
}

func (k *keptConns) Accept() (net.Conn, error) {
	select {
	case c := <-k.conns:
		return c, nil
	case <-k.stop:
		return nil, net.ErrClosed
	}
}

// Close stops the queue and closes the connections still in it.
func (k *keptConns) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.done {
		return nil
	}
	k.done = true
	close(k.stop)
	for {
		select {
		case c := <-k.conns:
			c.Close()
		default:
			return nil
		}
	}
}

func (k *keptConns) Addr() net.Addr { return k.addr }
