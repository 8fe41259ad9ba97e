package daemon_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hostadm/internal/api"
	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/loadtest"
)

// fastLimits shortens the request deadlines so the tests wait little.
func fastLimits(c *daemon.Config) {
	c.MaxConnsPerAddr = 8
	c.Limits = api.Limits{PreAuthBodyTimeout: 300 * time.Millisecond, PreAuthInFlight: 2, PreAuthWait: 200 * time.Millisecond}
}

// dialFrom opens a TLS connection to the daemon from a local address
// (127.0.0.0/8 is all loopback), so tests can play several clients.
func dialFrom(t *testing.T, env *daemontest.Env, from string) *tls.Conn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.CACertPEM())
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := tls.DialWithDialer(d, "tcp", strings.TrimPrefix(env.URL, "https://"), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// stall sends a login request announcing a 50-byte body and sends 10.
func stall(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := fmt.Fprintf(c, "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\nusername=a")
	if err != nil {
		t.Fatal(err)
	}
}

// closedWithin tells whether the server ended the connection (EOF or a
// final answer followed by EOF) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestStalledBodiesDoNotHoldConnections replays hole 1: login requests
// whose body never completes held their connection forever. Now the
// body has a deadline, and one client address holds at most
// MaxConnsPerAddr connections while others are still served.
func TestStalledBodiesDoNotHoldConnections(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Tune: fastLimits})
	root := env.RootAuth()
	var stalled []net.Conn
	for range 2 {
		c := dialFrom(t, env, "127.0.0.1")
		stall(t, c)
		stalled = append(stalled, c)
	}
	for i, c := range stalled {
		if !closedWithin(c, 3*time.Second) {
			t.Errorf("stalled body %d: connection still open after 3 s", i)
		}
	}
	// Per-address cap: raw TCP connections (no TLS yet) from one address.
	addr := strings.TrimPrefix(env.URL, "https://")
	var held, refused int
	for range 20 {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if closedWithin(c, 200*time.Millisecond) {
			refused++
		} else {
			held++
		}
	}
	if held != 8 || refused != 12 {
		t.Errorf("from one address: %d held, %d refused; want 8 and 12", held, refused)
	}
	if _, client := env.Server.OpenConns(&net.TCPAddr{IP: net.ParseIP("127.0.0.3")}); client != 8 {
		t.Errorf("daemon counts %d connections of 127.0.0.3, want 8", client)
	}
	// Another client is served meanwhile.
	env.MustOK(root, "GET", "/version", nil)
}

// TestJSONBombIsSmall replays hole 2: 47,000 unknown keys in a 517 KB
// JSON login body made 47,000 errors in a 4.5 MB answer. Keys are capped
// before anything is built, and error lists stop at 20.
func TestJSONBombIsSmall(t *testing.T) {
	env := daemontest.Start(t)
	req, _ := http.NewRequest("POST", env.URL+"/api2/json/access/ticket", bytes.NewReader(loadtest.Bomb()))
	req.Header.Set("Content-Type", "application/json")
	r := env.Send(req)
	if r.Status != 400 || len(r.Body) > 1024 {
		t.Errorf("JSON bomb: %d %s, %d bytes answered; want a short 400", r.Status, r.Reason, len(r.Body))
	}
	deep := strings.Repeat(`{"a":`, 50) + "1" + strings.Repeat("}", 50)
	req, _ = http.NewRequest("POST", env.URL+"/api2/json/access/ticket", strings.NewReader(`{"username":`+deep+`}`))
	req.Header.Set("Content-Type", "application/json")
	if r := env.Send(req); r.Status != 400 {
		t.Errorf("deep JSON: %d %s, want 400", r.Status, r.Reason)
	}
	// Under the key cap, the error list is capped at 20 plus a count.
	var few strings.Builder
	few.WriteString(`{"username":"a","password":"b"`)
	for i := range 100 {
		fmt.Fprintf(&few, `,"k%03d":1`, i)
	}
	few.WriteString("}")
	req, _ = http.NewRequest("POST", env.URL+"/api2/json/access/ticket", strings.NewReader(few.String()))
	req.Header.Set("Content-Type", "application/json")
	r = env.Send(req)
	var got struct{ Errors map[string]string }
	json.Unmarshal(r.Body, &got)
	if r.Status != 400 || len(got.Errors) != 21 || got.Errors["…"] != "… and 80 more" {
		t.Errorf("100 unknown keys: %d, %d errors, more=%q", r.Status, len(got.Errors), got.Errors["…"])
	}
}

// TestUnauthenticatedInFlightLimit: requests without an identity are
// handled a few at a time (large bodies are read in the turn); beyond
// that they wait briefly and get 503, while authenticated requests never
// queue behind them.
func TestUnauthenticatedInFlightLimit(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Tune: func(c *daemon.Config) {
		fastLimits(c)
		c.Limits.PreAuthBodyTimeout = 3 * time.Second
	}})
	for range 2 {
		c := dialFrom(t, env, "127.0.0.4")
		fmt.Fprintf(c, "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=a")
	}
	time.Sleep(100 * time.Millisecond)
	c := dialFrom(t, env, "127.0.0.5")
	fmt.Fprintf(c, "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 21\r\n\r\nusername=a&password=b")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("third unauthenticated request: %d, want 503", resp.StatusCode)
	}
	env.MustOK(env.RootAuth(), "GET", "/version", nil)
}

// TestErrorAnswerKeepsConnection: an answer with Proxmox's reason phrase
// (a refusal, a digest conflict) is written on the taken-over connection;
// it was closed afterwards, so every client that met a refusal had to
// reconnect with a new TLS handshake. Now an authenticated caller's
// connection serves its next request when the request was read whole; a
// request whose body was left unread, and any unauthenticated refusal
// (a JSON bomb, a failed probe), still close it.
func TestErrorAnswerKeepsConnection(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	auth := "Cookie: PVEAuthCookie=" + url.QueryEscape(root.Ticket) + "\r\nCSRFPreventionToken: " + root.CSRF + "\r\n"
	c := dialFrom(t, env, "127.0.0.6")
	br := bufio.NewReader(c)
	ask := func(req string) (*http.Response, error) {
		if _, err := io.WriteString(c, req); err != nil {
			return nil, err
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, nil
	}
	bad := "PUT /api2/json/access/acl HTTP/1.1\r\nHost: x\r\n" + auth +
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\npath=%2F"
	for i := range 3 {
		resp, err := ask(bad)
		if err != nil {
			t.Fatalf("request %d on one connection: %v", i+1, err)
		}
		if resp.StatusCode != 400 || resp.Close || resp.Status != "400 Parameter verification failed." {
			t.Errorf("request %d: %q, close=%v; want Proxmox's 400 phrase on a kept connection", i+1, resp.Status, resp.Close)
		}
	}
	if resp, err := ask("GET /api2/json/version HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("a GET after the refusals: %v %v", resp, err)
	}
	// A body the daemon did not take (too large) must not be read as the
	// next request: that connection is closed.
	big := strings.Repeat("x", 600<<10)
	resp, err := ask(fmt.Sprintf("PUT /api2/json/access/acl HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n\r\n%s", auth, len(big), big))
	if err != nil || resp.StatusCode != 501 || !resp.Close {
		t.Errorf("refusal with the body not taken: %v %v, want 501 and the connection closed", resp, err)
	}
	// Without credentials a refusal closes the connection as before.
	c = dialFrom(t, env, "127.0.0.6")
	br = bufio.NewReader(c)
	resp, err = ask("POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"k\":[[[[[[[")
	if err != nil || resp.StatusCode != 400 || !resp.Close {
		t.Errorf("unauthenticated refusal: %v %v, want 400 and the connection closed", resp, err)
	}
	// A request without credentials and without a body keeps its
	// connection after the 401: a client walking the API is not made to
	// reconnect (and meet the per-address rate) for every answer.
	c = dialFrom(t, env, "127.0.0.6")
	br = bufio.NewReader(c)
	for i := range 3 {
		resp, err := ask("GET /api2/json/nodes HTTP/1.1\r\nHost: x\r\n\r\n")
		if err != nil || resp.StatusCode != 401 || resp.Close {
			t.Fatalf("anonymous GET %d on one connection: %v %v, want 401 on a kept connection", i+1, resp, err)
		}
	}
}
