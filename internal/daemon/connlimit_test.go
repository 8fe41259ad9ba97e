package daemon

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hostadm/internal/certs/certtest"
)

// TestConnRatePerAddress: a client opens up to a burst of connections at
// once and then ConnRate a second; beyond that its connections are
// refused before TLS (closing them does not give the allowance back),
// while another client is admitted. Clients whose allowance is full again
// are forgotten.
func TestConnRatePerAddress(t *testing.T) {
	l := newLimitListener(nil, 100000, 100000, 32)
	now := time.Unix(1e9, 0)
	l.now = func() time.Time { return now }
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := range defaultConnBurst {
		if !l.admit(a) {
			t.Fatalf("connection %d of the burst refused", i+1)
		}
		l.leave(a)
	}
	if l.admit(a) {
		t.Fatal("connection beyond the burst admitted")
	}
	if !l.admit(b) {
		t.Fatal("another client refused")
	}
	now = now.Add(time.Second)
	got := 0
	for l.admit(a) {
		l.leave(a)
		if got++; got > 100 {
			break
		}
	}
	if got != 32 {
		t.Errorf("a second later %d connections admitted, want 32", got)
	}
	// A long quiet time later, a sweep forgets both clients.
	now = now.Add(time.Hour)
	l.sweep(now)
	if len(l.buckets) != 0 {
		t.Errorf("%d clients remembered after an hour, want 0", len(l.buckets))
	}
}

// gatedServer serves TLS handshakes on loopback through a limitListener
// and a handshake gate of one turn; inCert counts handshakes inside the
// certificate choice (the gated part) and peak is the most at once.
type gatedServer struct {
	addr         string
	gate         *handshakeGate
	pool         *x509.CertPool
	inCert, peak atomic.Int64
	hold         chan struct{} // when non-nil, each certificate choice waits until it is closed
	busy         time.Duration // how long each certificate choice takes (a signature's stand-in)
}

func startGated(t *testing.T, wait time.Duration) *gatedServer {
	t.Helper()
	certPEM, keyPEM := certtest.Leaf(t, []string{"localhost"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	s := &gatedServer{gate: newHandshakeGate(1, wait), pool: pool}
	base := &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		n := s.inCert.Add(1)
		defer s.inCert.Add(-1)
		for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
		}
		if s.hold != nil {
			<-s.hold
		}
		time.Sleep(s.busy)
		return &cert, nil
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	tl := tls.NewListener(newLimitListener(ln, 0, 0, 0), s.gate.config(base))
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					c.Write([]byte("x"))
				}
			}()
		}
	}()
	return s
}

func (s *gatedServer) dial() error {
	c, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.pool, ServerName: "localhost"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Read(make([]byte, 1))
	return err
}

// TestHandshakeGate: with one turn, handshakes compute one at a time and
// the others wait for the turn (a flood of reconnecting clients leaves
// CPUs to established connections); every one completes in turn.
func TestHandshakeGate(t *testing.T) {
	s := startGated(t, 20*time.Second)
	s.hold = make(chan struct{})
	release := sync.OnceFunc(func() { close(s.hold) })
	t.Cleanup(release) // before the server's cleanup, also when the test fails
	const n = 3
	errs := make(chan error, n)
	for range n {
		go func() { errs <- s.dial() }()
	}
	// One handshake is in the certificate choice, the others wait.
	for deadline := time.Now().Add(15 * time.Second); s.inCert.Load() < 1 || s.gate.waiting.Load() < n-1; {
		if time.Now().After(deadline) {
			t.Fatalf("after 15 s: %d handshakes choosing a certificate, %d waiting; want 1 and %d", s.inCert.Load(), s.gate.waiting.Load(), n-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if p := s.peak.Load(); p != 1 {
		t.Errorf("%d handshakes chose a certificate at once, want 1", p)
	}
}

// TestHandshakeGateSilentClient: a client that sends its ClientHello and
// never reads the answer holds no turn once the server's flight is
// written, so the next handshake gets the only turn at once.
func TestHandshakeGateSilentClient(t *testing.T) {
	s := startGated(t, 2*time.Second)
	raw, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The client writes its hello and then waits for an answer that it
	// never reads: its Read blocks until the test ends.
	silent := tls.Client(&writeOnly{Conn: raw, stop: make(chan struct{})}, &tls.Config{RootCAs: s.pool, ServerName: "localhost"})
	go silent.Handshake()
	defer silent.Close()
	for deadline := time.Now().Add(15 * time.Second); s.peak.Load() < 1; {
		if time.Now().After(deadline) {
			t.Fatal("the silent client's hello did not reach the server in 15 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.dial(); err != nil {
		t.Errorf("a handshake after a silent client: %v (the silent client kept the turn)", err)
	}
}

// TestHandshakeGatePace: a paced gate keeps a turn, idle, after the
// handshake that held it is done, for pace times as long as it was held,
// so handshakes take less than a whole CPU; and it does give it back.
// The default gate is paced with fewer than four CPUs only.
func TestHandshakeGatePace(t *testing.T) {
	s := startGated(t, 20*time.Second)
	s.gate.pace = 1
	s.busy = 300 * time.Millisecond
	if err := s.dial(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.gate.turns); n != 1 {
		t.Errorf("%d turns taken right after the handshake, want 1 (kept idle for the pace)", n)
	}
	for deadline := time.Now().Add(10 * time.Second); len(s.gate.turns) > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the paced turn was not given back within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}

	for _, c := range []struct {
		procs, turns int
		pace         float64
	}{{1, 1, 3}, {2, 1, 1}, {4, 1, 0}, {16, 4, 0}} {
		old := runtime.GOMAXPROCS(c.procs)
		g := newHandshakeGate(0, time.Second)
		runtime.GOMAXPROCS(old)
		if cap(g.turns) != c.turns || g.pace != c.pace {
			t.Errorf("%d CPUs: %d turns, pace %v; want %d, %v", c.procs, cap(g.turns), g.pace, c.turns, c.pace)
		}
	}
}

// writeOnly is a connection whose reads block until stop is closed.
type writeOnly struct {
	net.Conn
	stop chan struct{}
}

func (w *writeOnly) Read([]byte) (int, error) { <-w.stop; return 0, net.ErrClosed }
func (w *writeOnly) Close() error             { close(w.stop); return w.Conn.Close() }

// TestHandshakeListener: Accept hands out only connections whose TLS
// handshake is done, a client that sends nothing does not hold up the
// next one, and Close ends the handshakes under way.
func TestHandshakeListener(t *testing.T) {
	certPEM, keyPEM := certtest.Leaf(t, []string{"localhost"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A minute for each handshake: only Close can end the silent one in time.
	hl := newHandshakeListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}, time.Minute)
	closeOnce := sync.OnceValue(hl.Close)
	t.Cleanup(func() { closeOnce() })

	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	client := make(chan error, 1)
	var local net.Addr
	go func() {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err == nil {
			local = c.LocalAddr()
			_, err = c.Read(make([]byte, 1)) // until the test's server closes it
			if err == io.EOF {
				err = nil
			}
		}
		client <- err
	}()

	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := hl.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	var c net.Conn
	select {
	case c = <-accepted:
	case <-time.After(15 * time.Second):
		t.Fatal("no connection accepted in 15 s while a silent client was connected")
	}
	if c == nil {
		t.FailNow()
	}
	tc, ok := c.(*tls.Conn)
	if !ok || !tc.ConnectionState().HandshakeComplete {
		t.Fatalf("accepted %T with its handshake not done", c)
	}
	c.Close()
	if err := <-client; err != nil {
		t.Fatal(err)
	}
	if c.RemoteAddr().String() != local.String() {
		t.Errorf("accepted the connection from %v, want the TLS client's %v", c.RemoteAddr(), local)
	}

	// Close ends the silent client's pending handshake at once.
	if err := closeOnce(); err != nil {
		t.Fatal(err)
	}
	silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, silent); err != nil {
		t.Errorf("the silent client's connection was not closed by Close: %v", err)
	}
	if _, err := hl.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
}
