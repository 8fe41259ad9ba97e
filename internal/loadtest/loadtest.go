// Package loadtest drives the real hostadm binary on loopback the way the
// hardening issue describes: authenticated readers at a fixed rate, writers
// changing the node config with digests, and beside them stalled request
// bodies and a JSON-bomb sender. Its test (loadtest_test.go) asserts the
// outcome; this file holds the clients.
package loadtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Target is a running daemon and the credentials the clients use.
type Target struct {
	Addr   string // 127.0.0.1:PORT
	CA     []byte // PEM of the daemon's CA
	Node   string
	Ticket string // root@pam ticket
	CSRF   string // its CSRF token
	Token  string // "user@realm!id=secret" of an auditor token
}

// client is an HTTPS client for the target whose connections come from
// the local address from (all of 127.0.0.0/8 is loopback).
func (t Target) client(from string, conns int) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(t.CA)
	return t.clientTLS(from, conns, &tls.Config{RootCAs: pool, ServerName: "localhost"})
}

func (t Target) clientTLS(from string, conns int, cfg *tls.Config) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		TLSClientConfig:     cfg,
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// attackerTLS is the TLS configuration of the stalled clients and the
// bomb sender. The load generator shares the CPUs with the daemon, so the
// attackers spend no more than an attacker would: they do not check the
// daemon's certificate (an RSA verification and a chain per handshake)
// and offer only an X25519 key share (making the post-quantum ML-KEM key
// of the default hybrid share was a tenth of the generator's CPU). Both
// would only slow the clients whose latency is measured. The daemon's side
// of each handshake is a full one either way: its RSA signature, a key
// exchange, no session resumption.
var attackerTLS = &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", SessionTicketsDisabled: true,
	CurvePreferences: []tls.CurveID{tls.X25519}}

// Stats are what a group of legitimate clients saw.
type Stats struct {
	Requests, Errors int
	// Missed counts reads not sent in time because every connection was
	// still busy (the client, not the daemon, fell behind the rate).
	Missed      int
	Latencies   []time.Duration
	FirstErrors []string
}

func (s *Stats) add(d time.Duration, err error) {
	s.Requests++
	s.Latencies = append(s.Latencies, d)
	if err != nil {
		s.Errors++
		if len(s.FirstErrors) < 5 {
			s.FirstErrors = append(s.FirstErrors, err.Error())
		}
	}
}

// P99 is the 99th percentile latency.
func (s *Stats) P99() time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), s.Latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[(len(l)*99)/100]
}

// readPaths are the mixed reads, with {node} to fill in.
func readPaths() []string {
	return []string{"/version", "/nodes", "/nodes/{node}/status", "/nodes/{node}/config",
		"/nodes/{node}/dns", "/nodes/{node}/time", "/nodes/{node}/network", "/access/permissions",
		"/nodes/{node}/tasks", "/nodes/{node}/hosts"}
}

// Read sends rate authenticated GETs per second for d from 127.0.0.1,
// alternating ticket and API token, over at most conns connections.
func Read(ctx context.Context, t Target, rate int, d time.Duration, conns int) *Stats {
	c := t.client("127.0.0.1", conns)
	defer c.CloseIdleConnections()
	var mu sync.Mutex
	st := &Stats{}
	paths := readPaths()
	// A read's latency counts from when it was due, so time it waited for
	// a free connection is not hidden.
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, rate)
	warm(c, t, conns)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				path := strings.ReplaceAll(paths[j.i%len(paths)], "{node}", t.Node)
				err := t.get(c, path, j.i%2 == 0)
				mu.Lock()
				st.add(time.Since(j.due), err)
				mu.Unlock()
			}
		}()
	}
	// A ticker drops ticks when this goroutine gets no CPU in time, which
	// would send fewer reads than asked without saying so. Instead every
	// wake-up sends all reads due since the start, and a read that finds
	// every worker busy and the queue full is counted as missed.
	tick := time.NewTicker(time.Millisecond)
	start := time.Now()
	sent := 0
	send := func(now time.Time) {
		due := int(now.Sub(start).Seconds() * float64(rate))
		for ; sent < due; sent++ {
			select {
			case jobs <- job{sent, start.Add(time.Duration(sent) * time.Second / time.Duration(rate))}:
			default:
				mu.Lock()
				st.Missed++
				mu.Unlock()
			}
		}
	}
	end := time.After(d)
	for {
		select {
		case now := <-tick.C:
			send(now)
			continue
		case <-end:
			send(start.Add(d))
		case <-ctx.Done():
		}
		break
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	return st
}

// warm opens the readers' conns connections before the clock starts, as
// a client that already uses the API has them: the measured reads are
// requests on established connections, not the first handshakes, which
// would otherwise queue behind the last stallers' handshakes.
func warm(c *http.Client, t Target, conns int) {
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() { defer wg.Done(); t.get(c, "/version", true) }()
	}
	wg.Wait()
}

func (t Target) get(c *http.Client, path string, ticket bool) error {
	req, err := http.NewRequest("GET", "https://"+t.Addr+"/api2/json"+path, nil)
	if err != nil {
		return err
	}
	if ticket {
		req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(t.Ticket)})
	} else {
		req.Header.Set("Authorization", "PVEAPIToken="+t.Token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return nil
}

// WriteResult is what the writers saw: every acknowledged mark, and how
// many writes lost a digest race (a correct refusal, retried).
type WriteResult struct {
	Stats     Stats
	Acked     []string
	Conflicts int
}

// Write runs n writers for d from 127.0.0.2: each reads the node config with its digest,
// appends its next mark to the description and writes it back with the
// digest, retrying on a digest conflict.
func Write(ctx context.Context, t Target, n int, d time.Duration) *WriteResult {
	c := t.client("127.0.0.2", n)
	defer c.CloseIdleConnections()
	res := &WriteResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; time.Now().Before(stop) && ctx.Err() == nil; {
				mark := fmt.Sprintf("w%d-%d", w, seq)
				start := time.Now()
				conflict, err := t.appendMark(c, mark)
				mu.Lock()
				switch {
				case conflict:
					res.Conflicts++
				default:
					res.Stats.add(time.Since(start), err)
					if err == nil {
						res.Acked = append(res.Acked, mark)
						seq++
					}
				}
				mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	return res
}

// appendMark is one read-modify-write of the description.
func (t Target) appendMark(c *http.Client, mark string) (conflict bool, err error) {
	desc, digest, err := t.Description(c)
	if err != nil {
		return false, err
	}
	form := url.Values{"description": {strings.TrimSpace(desc + " " + mark)}, "digest": {digest}}
	req, _ := http.NewRequest("PUT", "https://"+t.Addr+"/api2/json/nodes/"+t.Node+"/config", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("CSRFPreventionToken", t.CSRF)
	req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(t.Ticket)})
	resp, err := c.Do(req)
	if err != nil {
		return false, fmt.Errorf("PUT config: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		return false, nil
	}
	if strings.Contains(string(body), "file changed by other user") {
		return true, nil
	}
	return false, fmt.Errorf("PUT config: %s %s", resp.Status, body)
}

// Description reads the node config's description and digest.
func (t Target) Description(c *http.Client) (string, string, error) {
	req, _ := http.NewRequest("GET", "https://"+t.Addr+"/api2/json/nodes/"+t.Node+"/config", nil)
	req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(t.Ticket)})
	resp, err := c.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("GET config: %w", err)
	}
	defer resp.Body.Close()
	var env struct {
		Data struct {
			Description string `json:"description"`
			Digest      string `json:"digest"`
		} `json:"data"`
	}
	if resp.StatusCode != 200 {
		return "", "", fmt.Errorf("GET config: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return "", "", fmt.Errorf("GET config: %w", err)
	}
	// The rest (a newline) is read too: a body closed unread costs the
	// connection, and the writers would handshake for every write.
	io.Copy(io.Discard, resp.Body)
	return env.Data.Description, env.Data.Digest, nil
}

// Stall keeps n connections open, spread over local addresses
// 127.0.1.1…, each sending a login request that announces a 50-byte body
// and sends 10 bytes. A connection the server ends is opened again after
// a second. It returns when ctx ends; Held reports how many are open.
type Stall struct {
	open atomic.Int64
	// Reopened counts connections the server ended.
	Reopened atomic.Int64
}

// Held is the number of stalled connections open now.
func (s *Stall) Held() int64 { return s.open.Load() }

// Run runs the stallers until ctx ends.
func (s *Stall) Run(ctx context.Context, t Target, n, perAddr int) {
	var wg sync.WaitGroup
	for i := range n {
		from := fmt.Sprintf("127.0.1.%d", 1+i/perAddr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the first connections over a second.
			sleepCtx(ctx, time.Duration(i)*time.Second/time.Duration(n))
			for ctx.Err() == nil {
				s.stallOnce(ctx, t, from)
				sleepCtx(ctx, time.Second)
			}
		}()
	}
	wg.Wait()
}

func (s *Stall) stallOnce(ctx context.Context, t Target, from string) {
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	raw, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return
	}
	c := tls.Client(raw, attackerTLS)
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if c.Handshake() != nil {
		return
	}
	fmt.Fprintf(c, "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\nusername=a")
	c.SetDeadline(time.Time{})
	s.open.Add(1)
	io.Copy(io.Discard, c) // until the server ends it
	s.open.Add(-1)
	if ctx.Err() == nil {
		s.Reopened.Add(1)
	}
}

// Bomb is the JSON body of the reproduction: 517 KB, ~47,000 unknown keys.
func Bomb() []byte {
	var b strings.Builder
	b.WriteString(`{"username":"a","password":"b"`)
	for i := 0; b.Len() < 517*1000-20; i++ {
		fmt.Fprintf(&b, `,"k%d":1`, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// BombResult counts the answers the bomb sender got, by status.
type BombResult struct {
	mu       sync.Mutex
	Statuses map[int]int
	MaxBody  int
}

// SendBombs posts Bomb() to the login endpoint from 127.0.2.1 with par
// senders, as fast as answered, until ctx ends.
func SendBombs(ctx context.Context, t Target, par int) *BombResult {
	body := Bomb()
	c := t.clientTLS("127.0.2.1", par, attackerTLS)
	defer c.CloseIdleConnections()
	res := &BombResult{Statuses: map[int]int{}}
	var wg sync.WaitGroup
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", "https://"+t.Addr+"/api2/json/access/ticket", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				code, n := 0, 0
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					code, n = resp.StatusCode, len(b)
				}
				res.mu.Lock()
				res.Statuses[code]++
				res.MaxBody = max(res.MaxBody, n)
				res.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
