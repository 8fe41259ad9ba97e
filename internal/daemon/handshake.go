package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"runtime"
	"sync/atomic"
	"time"
)

// handshakeGate bounds the TLS handshakes that compute at once. The
// server's part of a full handshake is about a millisecond of RSA
// signature (plus the key exchange) per connection; a crowd of clients
// that reconnect together (stalled bodies ended by their deadline, a
// handshake flood from many addresses) would otherwise occupy every CPU
// and make requests on established connections wait behind them. With
// the gate, handshakes take at most a quarter of the CPUs and queue for
// a turn; established connections, and the guests on the host, keep the
// rest. With fewer than four CPUs a single turn would be more than a
// quarter, so a turn stays taken, idle, after the signature: with two
// CPUs as long again as it was busy (half a CPU), with one three times.
//
// A connection takes its turn when the certificate is picked, after the
// ClientHello has been read (a slow client holds no turn while it sends),
// and gives it back when the server's flight is written (the signature is
// made by then) or the connection closes, so a client that never answers
// holds no turn either. A client that forces a HelloRetryRequest has its
// key exchange computed before the gate, but its signature still waits
// for a turn.
type handshakeGate struct {
	turns   chan struct{}
	wait    time.Duration
	pace    float64      // idle time a turn is held, per busy time
	waiting atomic.Int64 // handshakes waiting for a turn now (tests)
}

// errHandshakeBusy fails a handshake that waited too long for a turn.
var errHandshakeBusy = errors.New("too many TLS handshakes at once, try again later")

// handshakeWait is how long a handshake waits for a turn: shorter than
// the 10 s the whole handshake may take, so the client gets an alert
// instead of a timeout.
const handshakeWait = 5 * time.Second

// handshakeTimeout is how long a client has for the whole TLS handshake.
const handshakeTimeout = 10 * time.Second

// newHandshakeGate gives n turns; n <= 0 is a quarter of the CPUs.
func newHandshakeGate(n int, wait time.Duration) *handshakeGate {
	pace := 0.0
	if n <= 0 {
		procs := runtime.GOMAXPROCS(0)
		n = max(1, procs/4)
		if procs < 4 {
			pace = 4/float64(procs) - 1
		}
	}
	return &handshakeGate{turns: make(chan struct{}, n), wait: wait, pace: pace}
}

// config returns base with the gate in front of its certificate choice;
// base is not changed.
func (g *handshakeGate) config(base *tls.Config) *tls.Config {
	c := base.Clone()
	get := base.GetCertificate
	c.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if lc, ok := hello.Conn.(*limitedConn); ok {
			if err := g.enter(hello, lc); err != nil {
				return nil, err
			}
		}
		if get != nil {
			return get(hello)
		}
		return nil, nil // from base.Certificates
	}
	return c
}

func (g *handshakeGate) enter(hello *tls.ClientHelloInfo, lc *limitedConn) error {
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.turns <- struct{}{}:
		lc.entered = time.Now()
		lc.turn.Store(g)
		return nil
	case <-t.C:
	case <-hello.Context().Done():
	}
	return errHandshakeBusy
}

// leave gives back the turn lc holds, if any (once), after the gate's
// pace.
func (lc *limitedConn) leaveGate() {
	g := lc.turn.Swap(nil)
	if g == nil {
		return
	}
	if g.pace > 0 {
		time.AfterFunc(time.Duration(float64(time.Since(lc.entered))*g.pace), func() { <-g.turns })
		return
	}
	<-g.turns
}

// handshakeListener makes the TLS handshake of each accepted connection on
// a goroutine of its own and hands the HTTP server only connections whose
// handshake is done. The server would make it on the goroutine that then
// serves the connection, whose stack grows to 16 or 32 KiB for the
// handshake's crypto and stays that size while the connection idles or
// waits for a slow body: with thousands of such connections, stacks were
// a third of the daemon's memory. A goroutine that ends gives its large
// stack back, and the serving goroutine starts small.
type handshakeListener struct {
	net.Listener
	config  *tls.Config
	timeout time.Duration
	ready   chan net.Conn
	ctx     context.Context // ends when the listener closes
	cancel  context.CancelFunc
	err     atomic.Value // the accept error that ended the listener
}

// newHandshakeListener accepts from ln and gives each connection timeout
// for its handshake.
func newHandshakeListener(ln net.Listener, config *tls.Config, timeout time.Duration) *handshakeListener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &handshakeListener{Listener: ln, config: config, timeout: timeout, ready: make(chan net.Conn), ctx: ctx, cancel: cancel}
	go l.acceptLoop()
	return l
}

func (l *handshakeListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			l.err.Store(err)
			l.cancel()
			return
		}
		go l.handshake(c)
	}
}

func (l *handshakeListener) handshake(c net.Conn) {
	tc := tls.Server(c, l.config)
	tc.SetDeadline(time.Now().Add(l.timeout))
	if err := tc.HandshakeContext(l.ctx); err != nil {
		tc.Close()
		return
	}
	tc.SetDeadline(time.Time{}) // the HTTP server sets its own
	select {
	case l.ready <- tc:
	case <-l.ctx.Done():
		tc.Close()
	}
}

// Accept returns the next connection whose handshake is done.
func (l *handshakeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.ctx.Done():
		if err, ok := l.err.Load().(error); ok {
			return nil, err
		}
		return nil, net.ErrClosed
	}
}

// Close stops accepting; handshakes under way end with it.
func (l *handshakeListener) Close() error {
	l.cancel()
	return l.Listener.Close()
}
