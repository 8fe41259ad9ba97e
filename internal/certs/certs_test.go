package certs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/cfs"
)

func openStore(t *testing.T, path string) *cfs.SQLite {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "config.db")
	}
	s, err := cfs.OpenSQLite(path, cfs.WithPollInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newService returns a service with fast ECDSA keys; edit lets a test
// change the config first.
func newService(t *testing.T, store cfs.Store, edit func(*Config)) *Service {
	t.Helper()
	cfg := Config{
		Store:     store,
		Node:      "pve1",
		Hostname:  "pve1.example.com",
		Addresses: []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("2001:db8::10"), net.ParseIP("127.0.0.1")},
		KeyType:   KeyECDSA,
		Logger:    slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func ensure(t *testing.T, s *Service) {
	t.Helper()
	ctx := context.Background()
	if err := s.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureNodeCert(ctx); err != nil {
		t.Fatal(err)
	}
}

func versions(t *testing.T, store cfs.Store, paths ...string) []int64 {
	t.Helper()
	var out []int64
	for _, p := range paths {
		e, err := store.Get(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, e.Version)
	}
	return out
}

var allPaths = []string{CACertPath, CAKeyPath, NodeCertPath("pve1"), NodeKeyPath("pve1")}

func TestEnsureCreatesOnce(t *testing.T) {
	store := openStore(t, "")
	s := newService(t, store, nil)
	ensure(t, s)
	before := versions(t, store, allPaths...)
	ensure(t, s)
	if after := versions(t, store, allPaths...); !slices.Equal(before, after) {
		t.Errorf("second Ensure rewrote files: versions %v, then %v", before, after)
	}
	wantPaths := []string{"nodes/pve1/pve-ssl.key", "nodes/pve1/pve-ssl.pem", "priv/pve-root-ca.key", "pve-root-ca.pem"}
	list, _ := store.List(context.Background(), "")
	var got []string
	for _, e := range list {
		got = append(got, e.Path)
	}
	if !slices.Equal(got, wantPaths) {
		t.Errorf("store holds %q, want %q", got, wantPaths)
	}
}

func TestCertificateContents(t *testing.T) {
	store := openStore(t, "")
	now := time.Now().UTC().Truncate(time.Second)
	s := newService(t, store, func(c *Config) { c.Clock = func() time.Time { return now } })
	ensure(t, s)
	ca := mustCert(t, store, CACertPath)
	node := mustCert(t, store, NodeCertPath("pve1"))

	if !ca.IsCA || ca.Subject.CommonName != "Proxmox Virtual Environment" ||
		!slices.Equal(ca.Subject.Organization, []string{"PVE Cluster Manager CA"}) ||
		len(ca.Subject.OrganizationalUnit) != 1 || len(ca.Subject.OrganizationalUnit[0]) != 36 {
		t.Errorf("CA subject %q, IsCA %t", ca.Subject, ca.IsCA)
	}
	if want := now.AddDate(10, 0, 0); !ca.NotAfter.Equal(want) {
		t.Errorf("CA NotAfter %v, want %v", ca.NotAfter, want)
	}
	if want := now.AddDate(2, 0, 0); !node.NotAfter.Equal(want) {
		t.Errorf("node NotAfter %v, want %v", node.NotAfter, want)
	}
	if got, want := node.Subject.String(), "CN=pve1.example.com,OU=PVE Cluster Node,O=Proxmox Virtual Environment"; got != want {
		t.Errorf("node subject %q, want %q", got, want)
	}
	if want := []string{"pve1.example.com", "pve1", "localhost"}; !slices.Equal(node.DNSNames, want) {
		t.Errorf("DNS SANs %q, want %q", node.DNSNames, want)
	}
	var ips []string
	for _, ip := range node.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"192.0.2.10", "2001:db8::10", "127.0.0.1", "::1"}; !slices.Equal(ips, want) {
		t.Errorf("IP SANs %q, want %q", ips, want)
	}
	if node.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v is not random-looking", node.SerialNumber)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, name := range []string{"pve1.example.com", "pve1", "localhost", "192.0.2.10", "::1"} {
		_, err := node.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		if err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
}

func mustCert(t *testing.T, store cfs.Store, p string) *x509.Certificate {
	t.Helper()
	e, err := store.Get(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCert(e.Data)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return c
}

// TestEnsureRace runs two "processes" (two store handles on one file) that
// both start at once: one CA and one node certificate must come out.
func TestEnsureRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.db")
	stores := []cfs.Store{openStore(t, path), openStore(t, path)}
	var wg sync.WaitGroup
	for _, st := range stores {
		s := newService(t, st, nil)
		wg.Go(func() {
			ctx := context.Background()
			if err := errors.Join(s.EnsureCA(ctx), s.EnsureNodeCert(ctx)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if v := versions(t, stores[0], allPaths...); slices.Max(v) > 4 {
		t.Errorf("files written more than once: versions %v", v)
	}
}

func TestNodeCertReplaced(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, store cfs.Store, s *Service) *Service
	}{
		{"new CA", func(t *testing.T, store cfs.Store, s *Service) *Service {
			ctx := context.Background()
			store.Delete(ctx, CACertPath, cfs.AnyVersion)
			store.Delete(ctx, CAKeyPath, cfs.AnyVersion)
			if err := s.EnsureCA(ctx); err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"expired", func(t *testing.T, store cfs.Store, s *Service) *Service {
			later := time.Now().AddDate(3, 0, 0)
			return newService(t, store, func(c *Config) { c.Clock = func() time.Time { return later } })
		}},
		{"renamed host", func(t *testing.T, store cfs.Store, s *Service) *Service {
			return newService(t, store, func(c *Config) { c.Hostname = "pve1.example.net" })
		}},
		{"key lost", func(t *testing.T, store cfs.Store, s *Service) *Service {
			store.Delete(context.Background(), NodeKeyPath("pve1"), cfs.AnyVersion)
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := openStore(t, "")
			s := newService(t, store, nil)
			ensure(t, s)
			old := versions(t, store, NodeCertPath("pve1"))[0]
			s = tt.change(t, store, s)
			if err := s.EnsureNodeCert(context.Background()); err != nil {
				t.Fatal(err)
			}
			if now := versions(t, store, NodeCertPath("pve1"))[0]; now == old {
				t.Errorf("node certificate not replaced")
			}
			if _, _, _, err := s.Active(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestEnsureNodeCertWithoutCA(t *testing.T) {
	s := newService(t, openStore(t, ""), nil)
	if err := s.EnsureNodeCert(context.Background()); err == nil {
		t.Fatal("EnsureNodeCert without a CA succeeded")
	}
}

func TestRSAKeys(t *testing.T) {
	store := openStore(t, "")
	s := newService(t, store, func(c *Config) { c.KeyType = ""; c.CAKeyBits = 2048 })
	ensure(t, s)
	if bits := mustCert(t, store, NodeCertPath("pve1")).PublicKey; fmt.Sprintf("%T", bits) != "*rsa.PublicKey" {
		t.Errorf("node key is %T, want RSA", bits)
	}
	for _, bits := range []int{1024, 512} {
		if _, err := New(Config{Store: store, Node: "n", CAKeyBits: bits}); err == nil {
			t.Errorf("New accepted a %d-bit RSA CA key", bits)
		}
	}
}

func TestNewRejects(t *testing.T) {
	store := openStore(t, "")
	for _, cfg := range []Config{
		{Node: "n"},
		{Store: store},
		{Store: store, Node: "a/b"},
		{Store: store, Node: ".."},
		{Store: store, Node: "n", KeyType: "dsa"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestFingerprint(t *testing.T) {
	der := []byte("not really DER, but hashed all the same")
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var pairs []string
	for i := 0; i < len(h); i += 2 {
		pairs = append(pairs, h[i:i+2])
	}
	pemData := append([]byte("junk before\n"), encodeCert(der)...)
	if got, want := Fingerprint(pemData), strings.Join(pairs, ":"); got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
	if got := Fingerprint([]byte("no pem")); got != "" {
		t.Errorf("Fingerprint(no pem) = %q, want empty", got)
	}
	if !bytes.Contains([]byte(Fingerprint(pemData)), []byte(":")) || len(Fingerprint(pemData)) != 95 {
		t.Errorf("Fingerprint has the wrong shape")
	}
}
