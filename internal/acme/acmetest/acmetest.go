// Package acmetest runs the real servers the ACME tests need, on loopback
// ports the tests pick: Pebble (Let's Encrypt's ACME test server, built
// from the module's tool dependency) and Debian's BIND 9 with a zone that
// accepts TSIG-signed dynamic updates. Each process is stopped by its PID
// when the test ends.
package acmetest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Zone is the test zone BIND serves; every name in it resolves to
// 127.0.0.1.
const Zone = "example.test"

// Bind is a running named.
type Bind struct {
	Addr    string // 127.0.0.1:PORT (UDP and TCP)
	Port    int
	KeyFile string // TSIG key file, as tsig-keygen writes it
	Dir     string
}

// StartBind starts named with Zone on a free loopback port. It skips the
// test when BIND is not installed (scripts/deps.sh installs it).
func StartBind(t testing.TB) *Bind {
	t.Helper()
	named, err := exec.LookPath("named")
	if err != nil {
		t.Skip("named (Debian package bind9) is not installed; scripts/deps.sh test installs it")
	}
	dir := t.TempDir()
	key, err := exec.Command("tsig-keygen", "-a", "hmac-sha256", "hostadm-test").Output()
	if err != nil {
		t.Fatalf("tsig-keygen: %v", err)
	}
	b := &Bind{Port: freePort(t, "udp"), Dir: dir, KeyFile: filepath.Join(dir, "tsig.key")}
	b.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port))
	mustWrite(t, b.KeyFile, key)
	mustWrite(t, filepath.Join(dir, Zone+".zone"), []byte(zoneFile()))
	mustWrite(t, filepath.Join(dir, "named.conf"), []byte(fmt.Sprintf(namedConf, dir, b.Port, dir, dir, b.KeyFile, Zone, dir, Zone)))
	start(t, exec.Command(named, "-g", "-c", filepath.Join(dir, "named.conf")), "named").waitDNS(t, b.Addr)
	return b
}

const namedConf = `options {
	directory "%s";
	listen-on port %d { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file "%s/named.pid";
	session-keyfile "%s/session.key";
	recursion no;
	allow-query { any; };
	dnssec-validation no;
	notify no;
};
controls { };
include "%s";
zone "%s" {
	type primary;
	file "%s/%s.zone";
	allow-update { key "hostadm-test"; };
};
`

func zoneFile() string {
	return `$TTL 5
@	IN SOA ns.` + Zone + `. hostmaster.` + Zone + `. 1 60 60 600 5
	IN NS ns.` + Zone + `.
	IN A 127.0.0.1
ns	IN A 127.0.0.1
*	IN A 127.0.0.1
; alias mode: the CA looks here and follows the CNAME to the alias's record
_acme-challenge.aliased	IN CNAME _acme-challenge.target
`
}

// TXT returns the TXT values of name as the server answers now.
func (b *Bind) TXT(name string) ([]string, error) {
	r, err := query(b.Addr, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var vals []string
	for _, rr := range r.Answer {
		if txt, ok := rr.(*dns.TXT); ok {
			vals = append(vals, strings.Join(txt.Txt, ""))
		}
	}
	return vals, nil
}

func query(addr, name string, t uint16) (*dns.Msg, error) {
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), t)
	c := &dns.Client{Timeout: time.Second}
	r, _, err := c.Exchange(m, addr)
	return r, err
}

// Pebble is a running Pebble.
type Pebble struct {
	Directory string // https://127.0.0.1:PORT/dir
	Roots     *x509.CertPool
	HTTPPort  int // where Pebble expects the http-01 answer
}

// PebbleOptions tune StartPebble.
type PebbleOptions struct {
	DNS      string // resolver Pebble uses (BIND's address)
	Validity int    // seconds; 0: 90 days
	// EAB, when set, makes Pebble require external account binding with
	// these key IDs and their base64url HMAC keys.
	EAB map[string]string
}

// StartPebble builds and starts Pebble on free loopback ports.
func StartPebble(t testing.TB, o PebbleOptions) *Pebble {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "pebble")
	goCmd := "go" // `go test` puts the running toolchain's go first on PATH
	if out, err := exec.Command(goCmd, "build", "-o", bin, "github.com/letsencrypt/pebble/v2/cmd/pebble").CombinedOutput(); err != nil {
		t.Fatalf("build pebble: %v\n%s", err, out)
	}
	mod, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}", "github.com/letsencrypt/pebble/v2").Output()
	if err != nil {
		t.Fatalf("locate pebble module: %v", err)
	}
	certs := filepath.Join(strings.TrimSpace(string(mod)), "test/certs")
	validity := o.Validity
	if validity == 0 {
		validity = 90 * 24 * 3600
	}
	p := &Pebble{HTTPPort: freePort(t, "tcp")}
	apiPort := freePort(t, "tcp")
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress":           net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort)),
		"managementListenAddress": net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t, "tcp"))),
		"certificate":             filepath.Join(certs, "localhost/cert.pem"),
		"privateKey":              filepath.Join(certs, "localhost/key.pem"),
		"httpPort":                p.HTTPPort, "tlsPort": freePort(t, "tcp"),
		"ocspResponderURL": "", "externalAccountBindingRequired": false,
		"retryAfter": map[string]int{"authz": 1, "order": 1},
		"profiles":   map[string]any{"default": map[string]any{"description": "test", "validityPeriod": validity}},
	}}
	if o.EAB != nil {
		pc := conf["pebble"].(map[string]any)
		pc["externalAccountBindingRequired"], pc["externalAccountMACKeys"] = true, o.EAB
	}
	b, _ := json.Marshal(conf)
	mustWrite(t, filepath.Join(dir, "pebble.json"), b)
	args := []string{"-config", filepath.Join(dir, "pebble.json")}
	if o.DNS != "" {
		args = append(args, "-dnsserver", o.DNS)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	srv := start(t, cmd, "pebble")
	pem, err := os.ReadFile(filepath.Join(certs, "pebble.minica.pem"))
	if err != nil {
		t.Fatal(err)
	}
	p.Roots = x509.NewCertPool()
	p.Roots.AppendCertsFromPEM(pem)
	p.Directory = fmt.Sprintf("https://127.0.0.1:%d/dir", apiPort)
	srv.waitTCP(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort)))
	return p
}

// server is a process a test started: its output so far and whether it
// has ended.
type server struct {
	name string
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (s *server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// start runs cmd with its output kept for the failure message and kills
// it by PID when the test ends.
func start(t testing.TB, cmd *exec.Cmd, name string) *server {
	t.Helper()
	s := &server{name: name, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	pid := cmd.Process.Pid
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
		<-s.done
		if t.Failed() && os.Getenv("HOSTADM_TEST_LOG") != "" {
			t.Logf("%s output:\n%s", name, s.output())
		}
	})
	return s
}

// waitUp polls ready until it answers true, for up to a minute (a loaded
// CI machine starts named slowly); it fails at once, with the server's
// output, when the server ends first.
func (s *server) waitUp(t testing.TB, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if ready() {
			return
		}
		select {
		case <-s.done:
			t.Fatalf("%s ended before %s:\n%s", s.name, what, s.output())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s: no %s within a minute:\n%s", s.name, what, s.output())
}

func freePort(t testing.TB, network string) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if network == "udp" {
			pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				continue
			}
			pc.Close()
		}
		return port
	}
	t.Fatal("no free port")
	return 0
}

func (s *server) waitTCP(t testing.TB, addr string) {
	t.Helper()
	s.waitUp(t, "listener on "+addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (s *server) waitDNS(t testing.TB, addr string) {
	t.Helper()
	s.waitUp(t, "answer on "+addr, func() bool {
		r, err := query(addr, Zone, dns.TypeSOA)
		return err == nil && len(r.Answer) > 0
	})
}

func mustWrite(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
