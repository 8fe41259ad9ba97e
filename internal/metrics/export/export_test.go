package export

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lp "github.com/influxdata/line-protocol/v2/lineprotocol"

	"hostadm/internal/metrics/wire"
)

// testRound is a node object with n NICs (more NICs, more lines).
func testRound(ts int64, n int) *Round {
	var nics []wire.Field
	for i := range n {
		nics = append(nics, wire.Hash("eth"+strconv.Itoa(i), wire.Int("receive", int64(i)*1000), wire.Int("transmit", 7)))
	}
	o := wire.Object{Kind: wire.KindNode, ID: "pve1", Time: ts, Fields: []wire.Field{
		wire.Int("uptime", 315), wire.Hash("nics", nics...),
		wire.Hash("memory", wire.Int("memtotal", 25276502016), wire.Int("memused", 353202176)),
	}}
	wire.Sort(o.Fields)
	return &Round{Time: ts, Objects: []wire.Object{o}}
}

func expected(s Server, r *Round) string {
	var b wire.Batcher
	for i := range r.Objects {
		s.encode(&b, &r.Objects[i])
	}
	return string(b.Bytes())
}

// influxReceiver is an InfluxDB v2 /api/v2/write endpoint built on
// InfluxData's line-protocol parser. It records bodies and rejects any
// that do not parse.
type influxReceiver struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
	query  []string
	status int // answer; 0 means 204
	hang   chan struct{}
}

func (rc *influxReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.hang != nil {
		select {
		case <-rc.hang:
		case <-r.Context().Done():
		}
		return
	}
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path != "/api/v2/write" {
		http.Error(w, "no such path "+r.URL.Path, http.StatusNotFound)
		return
	}
	dec := lp.NewDecoderWithBytes(body)
	for dec.Next() {
		for {
			k, _, err := dec.NextField()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if k == nil {
				break
			}
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, string(body))
	rc.auth = append(rc.auth, r.Header.Get("Authorization"))
	rc.query = append(rc.query, r.URL.RawQuery)
	if rc.status != 0 {
		http.Error(w, "internal error", rc.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *influxReceiver) all() (string, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return strings.Join(rc.bodies, ""), append([]string(nil), rc.bodies...)
}

func httpServer(t *testing.T, h http.Handler) Server {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return Server{ID: "influx" + port, Type: TypeInfluxDB, Host: host, Port: p, Proto: ProtoHTTP,
		Token: "s3cret", Timeout: 500 * time.Millisecond}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestInfluxHTTP(t *testing.T) {
	rc := &influxReceiver{}
	s := httpServer(t, rc)
	s.MaxBodySize = 300
	s.Organization, s.Bucket = "my org", "pve"
	m := NewManager(Config{})
	defer m.Close()
	m.Apply([]Server{s})
	r := testRound(1718000000, 20)
	m.Publish(r)
	want := expected(s, r)
	waitFor(t, "all lines", func() bool { got, _ := rc.all(); return got == want })
	_, bodies := rc.all()
	for _, b := range bodies {
		if len(b) > 300 {
			t.Errorf("body of %d bytes above max-body-size", len(b))
		}
	}
	if len(bodies) < 2 {
		t.Errorf("%d bodies, want batching", len(bodies))
	}
	rc.mu.Lock()
	if rc.auth[0] != "Token s3cret" || rc.query[0] != "bucket=pve&org=my+org" {
		t.Errorf("auth %q query %q", rc.auth[0], rc.query[0])
	}
	rc.mu.Unlock()
	h := m.Health()[s.ID]
	if h.PointsSent != uint64(strings.Count(want, "\n")) || h.Failing || h.LastSuccess.IsZero() {
		t.Errorf("health = %+v", h)
	}
}

func TestUDPDatagramSizes(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	for _, typ := range []string{TypeGraphite, TypeInfluxDB} {
		t.Run(typ, func(t *testing.T) {
			s := Server{ID: "u", Type: typ, Host: "127.0.0.1", Port: port, MTU: 512}
			m := NewManager(Config{})
			defer m.Close()
			m.Apply([]Server{s})
			r := testRound(1718000000, 40)
			m.Publish(r)
			want := expected(s.WithDefaults(), r)
			var got bytes.Buffer
			buf := make([]byte, 65536)
			for got.Len() < len(want) {
				pc.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, _, err := pc.ReadFrom(buf)
				if err != nil {
					t.Fatalf("after %d bytes: %v", got.Len(), err)
				}
				if n > 512-50 {
					t.Errorf("datagram of %d bytes above mtu-50", n)
				}
				got.Write(buf[:n])
			}
			if got.String() != want {
				t.Errorf("got\n%s\nwant\n%s", got.String(), want)
			}
		})
	}
}

// TestSlowServersDoNotBlock runs a healthy server beside one that accepts
// TCP and never reads, one that hangs on HTTP and one that answers 500.
// Publishing never waits, the healthy server gets every round, and health
// reports each fault.
func TestSlowServersDoNotBlock(t *testing.T) {
	good := &influxReceiver{}
	sGood := httpServer(t, good)
	sGood.Timeout = 10 * time.Second
	hang := &influxReceiver{hang: make(chan struct{})}
	defer close(hang.hang)
	sHang := httpServer(t, hang)
	sHang.Timeout = 30 * time.Second // a blocking Publish would wait this long
	bad := &influxReceiver{status: 500}
	sBad := httpServer(t, bad)
	sBad.Timeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var heldMu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c) // never read
			heldMu.Unlock()
		}
	}()
	sTCP := Server{ID: "stuck", Type: TypeGraphite, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port,
		Proto: ProtoTCP, Timeout: 200 * time.Millisecond}
	m := NewManager(Config{QueueLen: 6})
	defer m.Close()
	m.Apply([]Server{sGood, sHang, sBad, sTCP})
	const rounds = 10
	var want strings.Builder
	for i := range rounds {
		r := testRound(int64(1718000000+10*i), 1000)
		start := time.Now()
		m.Publish(r)
		if d := time.Since(start); d > time.Second {
			t.Errorf("Publish took %v", d)
		}
		want.WriteString(expected(sGood.WithDefaults(), r))
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(t, "the healthy server's data", func() bool { got, _ := good.all(); return got == want.String() })
	waitFor(t, "fault health", func() bool {
		h := m.Health()
		return h[sHang.ID].RoundsDropped > 0 && h[sBad.ID].Failing
	})
	// The stuck TCP server fails once the socket buffers are full; keep
	// publishing (without ever waiting) until it does. The worker then
	// reconnects and may succeed again on the fresh connection's buffers,
	// so the failure is read from LastError, not from the current state.
	for i := 0; m.Health()[sTCP.ID].LastError.IsZero(); i++ {
		if i == 100 {
			t.Fatalf("stuck TCP server never failed: %+v", m.Health()[sTCP.ID])
		}
		start := time.Now()
		m.Publish(testRound(1, 20000))
		if d := time.Since(start); d > time.Second {
			t.Errorf("Publish took %v", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	h := m.Health()
	if !strings.Contains(h[sBad.ID].Error, "500 Internal Server Error") {
		t.Errorf("500 server error = %q", h[sBad.ID].Error)
	}
	if h[sHang.ID].QueueDepth != 6 {
		t.Errorf("hanging server = %+v, want a full queue", h[sHang.ID])
	}
	if !strings.Contains(h[sTCP.ID].Error, "i/o timeout") {
		t.Errorf("stuck TCP server error = %q", h[sTCP.ID].Error)
	}
	if h[sGood.ID].Failing || h[sGood.ID].RoundsDropped != 0 {
		t.Errorf("healthy server = %+v", h[sGood.ID])
	}
	heldMu.Lock()
	for _, c := range held {
		c.Close()
	}
	heldMu.Unlock()
}

// TestServerComesBack stops the receiver, lets rounds fail, starts it on
// the same port again and expects data to flow.
func TestServerComesBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	rc := &influxReceiver{}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	s := Server{ID: "back", Type: TypeInfluxDB, Host: host, Port: p, Proto: ProtoHTTP, Timeout: 300 * time.Millisecond}
	m := NewManager(Config{})
	defer m.Close()
	m.Apply([]Server{s})
	m.Publish(testRound(1, 1))
	waitFor(t, "first round", func() bool { got, _ := rc.all(); return got != "" })
	srv.Close()
	m.Publish(testRound(2, 1))
	waitFor(t, "failure", func() bool { return m.Health()["back"].Failing })
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s not free again: %v", addr, err)
	}
	srv2 := &http.Server{Handler: rc}
	go srv2.Serve(ln2)
	defer srv2.Close()
	m.Publish(testRound(3, 1))
	waitFor(t, "recovery", func() bool { return !m.Health()["back"].Failing })
	if got, _ := rc.all(); !strings.Contains(got, " 3000000000\n") {
		t.Errorf("round 3 not received: %s", got)
	}
}

func TestProbe(t *testing.T) {
	ok := &influxReceiver{}
	s := httpServer(t, ok)
	line := []byte("system,object=nodes,host=pve1 uptime=1 1\n")
	if err := Test(context.Background(), s, line); err != nil {
		t.Fatal(err)
	}
	if got, _ := ok.all(); got != string(line) {
		t.Errorf("probe wrote %q", got)
	}
	denied := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"code":"unauthorized"}`, http.StatusUnauthorized)
	}))
	if err := Test(context.Background(), denied, line); err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("err = %v", err)
	}
	closed := Server{ID: "c", Type: TypeGraphite, Host: "127.0.0.1", Port: 1, Proto: ProtoTCP}
	if err := Test(context.Background(), closed, nil); err == nil {
		t.Error("tcp to a closed port passed")
	}
	if err := Test(context.Background(), Server{Type: TypeGraphite, Host: "127.0.0.1", Port: 1}, nil); err != nil {
		t.Errorf("udp: %v", err)
	}
}

func TestInfluxURL(t *testing.T) {
	for prefix, want := range map[string]string{
		"": "https://h:1/api/v2/write", "/": "https://h:1/api/v2/write",
		"influx": "https://h:1/influx/api/v2/write", "/a/b/": "https://h:1/a/b/api/v2/write",
	} {
		s := Server{Host: "h", Port: 1, Proto: ProtoHTTPS, APIPathPrefix: prefix}
		if got := influxURL(s, "write"); got != want {
			t.Errorf("prefix %q: %s, want %s", prefix, got, want)
		}
	}
}
