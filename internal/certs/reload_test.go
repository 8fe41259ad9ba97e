package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/cfs"
)

func TestActivePrefersCustom(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, "")
	s := newService(t, store, nil)
	ensure(t, s)
	nodeCert, _ := store.Get(ctx, NodeCertPath("pve1"))
	customCert, customKey := selfSigned(t, "custom.example.com")

	store.Put(ctx, CustomCertPath("pve1"), customCert, cfs.NoVersion)
	if c, _, custom, err := s.Active(ctx); err != nil || custom || !bytes.Equal(c, nodeCert.Data) {
		t.Errorf("with only the custom certificate: custom=%t err=%v; want the node pair", custom, err)
	}
	store.Put(ctx, CustomKeyPath("pve1"), customKey, cfs.NoVersion)
	if c, k, custom, err := s.Active(ctx); err != nil || !custom || !bytes.Equal(c, customCert) || !bytes.Equal(k, customKey) {
		t.Errorf("with the custom pair: custom=%t err=%v; want the custom pair", custom, err)
	}
}

// selfSigned makes a stand-alone certificate and key, as a user would upload.
func selfSigned(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	other := newService(t, openStore(t, ""), func(c *Config) { c.Hostname = cn })
	ensure(t, other)
	certPEM, keyPEM, _, err := other.Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

// syncBuffer collects log output written from the reloader's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReloader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "config.db")
	store := openStore(t, path)
	var logs syncBuffer
	s := newService(t, store, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	ensure(t, s)
	r, err := s.NewReloader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	if cn := leafCN(t, r); cn != "pve1.example.com" {
		t.Fatalf("starts with %q, want the node certificate", cn)
	}

	// Written by "another process": the CLI's handle on the same file.
	cli := openStore(t, path)
	customCert, customKey := selfSigned(t, "custom.example.com")
	cli.Put(ctx, CustomKeyPath("pve1"), customKey, cfs.NoVersion)
	cli.Put(ctx, CustomCertPath("pve1"), customCert, cfs.NoVersion)
	eventually(t, "the custom certificate", func() bool { return leafCN(t, r) == "custom.example.com" })
	if _, custom := r.Certificate(); !custom {
		t.Error("Certificate does not report the custom pair")
	}

	if strings.Contains(logs.String(), "keeping the old") {
		t.Fatalf("a reload failed before the broken pair:\n%s", logs.String())
	}

	// A certificate that does not match the key: keep the old pair.
	otherCert, _ := selfSigned(t, "broken.example.com")
	cli.Put(ctx, CustomCertPath("pve1"), otherCert, cfs.AnyVersion)
	eventually(t, "the failed reload to be logged", func() bool {
		return strings.Contains(logs.String(), "keeping the old TLS certificate")
	})
	if cn := leafCN(t, r); cn != "custom.example.com" {
		t.Errorf("after a broken pair presents %q, want the previous custom certificate", cn)
	}

	// Removing the custom pair falls back to the node certificate.
	cli.Delete(ctx, CustomCertPath("pve1"), cfs.AnyVersion)
	eventually(t, "the node certificate", func() bool { return leafCN(t, r) == "pve1.example.com" })

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func leafCN(t *testing.T, r *Reloader) string {
	t.Helper()
	c, err := r.GetCertificate(nil)
	if err != nil || c == nil || c.Leaf == nil {
		t.Fatalf("GetCertificate = %v, %v", c, err)
	}
	return c.Leaf.Subject.CommonName
}

// TestTLSHandshake serves TLSConfig on loopback and connects as a client
// that trusts only the cluster CA.
func TestTLSHandshake(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, "")
	s := newService(t, store, nil)
	ensure(t, s)
	r, err := s.NewReloader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", r.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	caPEM, err := s.CACert(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	tests := []struct {
		name    string
		cfg     *tls.Config
		version uint16 // 0: the handshake must fail
	}{
		{"tls1.3", &tls.Config{RootCAs: roots, NextProtos: []string{"h2", "http/1.1"}}, tls.VersionTLS13},
		{"tls1.2", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}, tls.VersionTLS12},
		{"tls1.1", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11}, 0},
		{"cbc only", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}, 0},
		{"untrusted", &tls.Config{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tls.Dial("tcp", ln.Addr().String(), tt.cfg)
			if tt.version == 0 {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded, want a failure")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st := conn.ConnectionState()
			conn.Close()
			if st.NegotiatedProtocol == "h2" || st.Version != tt.version {
				t.Errorf("protocol %q version %x", st.NegotiatedProtocol, st.Version)
			}
		})
	}
}
