// Package daemontest starts a whole hostadm daemon in-process for tests:
// a temporary host root with the /proc files node status reads, the daemon
// on 127.0.0.1:0 over TLS, and helpers to log in and mint users and tokens.
package daemontest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon"
	"hostadm/internal/host"
)

// Node is the local node's name in every test daemon.
const Node = "testnode"

// Env is a running test daemon.
type Env struct {
	T       testing.TB
	Root    string // host root
	DataDir string
	URL     string // https://127.0.0.1:PORT
	Server  *daemon.Server
	Client  *http.Client // trusts the daemon's CA
	stopped bool
}

// Options tune Start.
type Options struct {
	PAMConfDir string
	PAMService string
	// Files are written under the root (path relative to it: contents),
	// as WriteFile does, before Prepare runs and the daemon starts.
	Files map[string]string
	// Prepare may add files under the root before the daemon starts.
	Prepare func(root string)
	// Runner replaces the command runner (a host.Recorder, say).
	Runner host.Runner
	// Tune may change the daemon's configuration before it starts (limits).
	Tune func(*daemon.Config)
}

// Start brings up a daemon over a fresh root and stops it when the test ends.
func Start(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	root := t.TempDir()
	WriteProc(t, root)
	for path, data := range o.Files {
		WriteFile(t, root, path, data)
	}
	if o.Prepare != nil {
		o.Prepare(root)
	}
	return startAt(t, root, o)
}

// Restart starts a new daemon over the root of a stopped one.
func Restart(t testing.TB, old *Env) *Env {
	t.Helper()
	old.stopped = true
	return startAt(t, old.Root, Options{})
}

func startAt(t testing.TB, root string, o Options) *Env {
	env := &Env{T: t, Root: root, DataDir: filepath.Join(root, "var/lib/hostadm")}
	level := slog.LevelError
	if os.Getenv("HOSTADM_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	cfg := daemon.Config{
		Root: root, Node: Node, Listen: "127.0.0.1:0", Fast: true,
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		PAMConfDir: o.PAMConfDir, PAMService: o.PAMService,
		StorePoll: 50 * time.Millisecond, Runner: o.Runner, PowerDelay: 10 * time.Millisecond,
		QEMUAccel: "tcg", // the guest tests run QEMU under TCG, KVM or not
	}
	if o.Tune != nil {
		o.Tune(&cfg)
	}
	srv, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start daemon: %v", err)
	}
	env.Server = srv
	env.URL = "https://" + srv.Addr().String()
	t.Cleanup(func() {
		if env.stopped {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	env.Client = env.newClient()
	return env
}

func (e *Env) newClient() *http.Client {
	ca, err := e.Server.Node().Services.Certs.CACert(context.Background())
	if err != nil {
		e.T.Fatalf("CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}},
	}
}

// CACertPEM is the daemon's CA certificate.
func (e *Env) CACertPEM() []byte {
	ca, err := e.Server.Node().Services.Certs.CACert(context.Background())
	if err != nil {
		e.T.Fatalf("CA: %v", err)
	}
	return ca
}

// Auth is how a test request authenticates.
type Auth struct {
	Ticket string
	CSRF   string
	Token  string // user@realm!name=secret
	NoCSRF bool
}

// Response is a decoded API answer.
type Response struct {
	Status  int
	Reason  string // the status line's reason phrase
	Body    []byte
	Data    any
	Message string
	Errors  map[string]string
	Total   *int
	Header  http.Header
}

// Do sends one request: GET/DELETE parameters go in the query, POST/PUT
// parameters as a form body.
func (e *Env) Do(auth Auth, method, path string, params url.Values) *Response {
	e.T.Helper()
	target := e.URL + "/api2/json" + path
	var body io.Reader
	if method == "GET" || method == "DELETE" {
		if len(params) > 0 {
			target += "?" + params.Encode()
		}
	} else if params != nil {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	auth.apply(req)
	return e.Send(req)
}

func (a Auth) apply(req *http.Request) {
	if a.Ticket != "" {
		req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(a.Ticket)})
		if !a.NoCSRF && req.Method != "GET" {
			req.Header.Set("CSRFPreventionToken", a.CSRF)
		}
	}
	if a.Token != "" {
		req.Header.Set("Authorization", "PVEAPIToken="+a.Token)
	}
}

// Send sends a prepared request and decodes the envelope.
func (e *Env) Send(req *http.Request) *Response {
	e.T.Helper()
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Body: b, Header: resp.Header}
	r.Reason = strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	var env struct {
		Data    any               `json:"data"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
		Total   *int              `json:"total"`
	}
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &env); err != nil {
			e.T.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.URL, b, err)
		}
	}
	r.Data, r.Message, r.Errors, r.Total = env.Data, env.Message, env.Errors, env.Total
	return r
}

// Login posts credentials and returns the ticket and CSRF token.
func (e *Env) Login(username, password string) Auth {
	e.T.Helper()
	r := e.Do(Auth{}, "POST", "/access/ticket", url.Values{"username": {username}, "password": {password}})
	if r.Status != 200 {
		e.T.Fatalf("login %s: %d %s %s", username, r.Status, r.Reason, r.Body)
	}
	m := r.Data.(map[string]any)
	return Auth{Ticket: m["ticket"].(string), CSRF: m["CSRFPreventionToken"].(string)}
}

// Root is root@pam with a ticket minted directly by the auth service (the
// test machine's root password is unknown).
func (e *Env) RootAuth() Auth {
	svc := e.Server.Node().Services.Auth
	return Auth{Ticket: svc.CreateTicket("root@pam"), CSRF: svc.CSRFToken("root@pam")}
}

// AddUser creates a pve-realm user with a password and optional roles on
// ACL paths ("/nodes/testnode": "PVEAuditor").
func (e *Env) AddUser(userid, password string, acl map[string]string) Auth {
	e.T.Helper()
	root := e.RootAuth()
	e.MustOK(root, "POST", "/access/users", url.Values{"userid": {userid}, "password": {password}})
	for path, role := range acl {
		e.MustOK(root, "PUT", "/access/acl", url.Values{"path": {path}, "roles": {role}, "users": {userid}})
	}
	return e.Login(userid, password)
}

// MustOK sends a request and fails the test unless it answers 200.
func (e *Env) MustOK(auth Auth, method, path string, params url.Values) *Response {
	e.T.Helper()
	r := e.Do(auth, method, path, params)
	if r.Status != 200 {
		e.T.Fatalf("%s %s: %d %s: %s", method, path, r.Status, r.Reason, r.Body)
	}
	return r
}

// WriteFile writes data to path under root (mode 0644), making the parent
// directories.
func WriteFile(t testing.TB, root, path, data string) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteProc writes the /proc and /sys files node status reads, taken from
// the metrics package's captured fixtures.
func WriteProc(t testing.TB, root string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	fixtures := filepath.Join(filepath.Dir(self), "../../metrics/testdata")
	files := map[string]string{
		"proc/stat": "stat.vm-amd64", "proc/meminfo": "meminfo.vm-amd64",
		"proc/loadavg": "loadavg.vm-amd64", "proc/uptime": "uptime.vm-amd64",
		"proc/cpuinfo": "cpuinfo.vm-amd64-epyc", "proc/net/dev": "netdev.vm-amd64",
	}
	for dst, src := range files {
		b, err := os.ReadFile(filepath.Join(fixtures, src))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(root, dst), b)
	}
	write(t, filepath.Join(root, "sys/kernel/mm/ksm/pages_sharing"), []byte("256\n"))
}

func write(t testing.TB, path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ApplyTo adds the credentials to a hand-made request.
func (a Auth) ApplyTo(req *http.Request) { a.apply(req) }
