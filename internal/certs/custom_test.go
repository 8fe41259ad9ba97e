package certs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"hostadm/internal/certs/certtest"
	"hostadm/internal/schema"
)

func TestSetCustomRefusesBadInput(t *testing.T) {
	s := newService(t, openStore(t, ""), nil)
	ensure(t, s)
	ctx := context.Background()
	now := time.Now()
	good, goodKey := certtest.Leaf(t, []string{"pve1.example.com"}, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	_, otherKey := certtest.Leaf(t, []string{"pve1.example.com"}, now.Add(-time.Hour), now.Add(time.Hour))
	expired, expiredKey := certtest.Leaf(t, []string{"pve1.example.com"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	future, futureKey := certtest.Leaf(t, []string{"pve1.example.com"}, now.Add(24*time.Hour), now.Add(48*time.Hour))
	foreign, foreignKey := certtest.Leaf(t, []string{"www.example.org"}, now.Add(-time.Hour), now.Add(time.Hour))
	if _, err := s.SetCustom(ctx, Custom{Chain: good, Key: goodKey}); err != nil {
		t.Fatalf("first upload: %v", err)
	}
	cases := []struct {
		name, param, msg string
		c                Custom
	}{
		{"key does not match", "key", "does not match", Custom{Chain: good, Key: otherKey, Force: true}},
		{"expired", "certificates", "expired at", Custom{Chain: expired, Key: expiredKey, Force: true}},
		{"not yet valid", "certificates", "not valid before", Custom{Chain: future, Key: futureKey, Force: true}},
		{"garbage", "certificates", "no PEM certificate", Custom{Chain: []byte("hello"), Key: goodKey, Force: true}},
		{"garbage key", "key", "cannot read the private key", Custom{Chain: good, Key: []byte("nope"), Force: true}},
		{"other name", "certificates", "not this node", Custom{Chain: foreign, Key: foreignKey}},
		{"no force", "force", "force flag is not set", Custom{Chain: good, Key: goodKey}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SetCustom(ctx, tc.c)
			var pe schema.ParamError
			if !errors.As(err, &pe) || !strings.Contains(pe[tc.param], tc.msg) {
				t.Fatalf("got %v, want %s: ...%s...", err, tc.param, tc.msg)
			}
			cert, key, custom, err := s.Active(ctx)
			if err != nil || !custom || !bytes.Equal(cert, good) || !bytes.Equal(key, goodKey) {
				t.Fatalf("the first pair did not stay (custom %v, err %v)", custom, err)
			}
		})
	}
}

func TestSetCustomKeepsKeyAndDeletes(t *testing.T) {
	s := newService(t, openStore(t, ""), nil)
	ensure(t, s)
	ctx := context.Background()
	now := time.Now()
	chain, key := certtest.Leaf(t, []string{"pve1"}, now.Add(-time.Hour), now.Add(time.Hour))
	if _, err := s.SetCustom(ctx, Custom{Chain: chain}); err == nil {
		t.Fatal("upload without any key was accepted")
	}
	info, err := s.SetCustom(ctx, Custom{Chain: append([]byte("leading text\n"), chain...), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if info.Filename != "pveproxy-ssl.pem" || info.PublicKeyType != "id-ecPublicKey" || info.PublicKeyBits != 256 ||
		info.Subject != "/O=hostadm test/CN=pve1" || len(info.SAN) != 1 || info.SAN[0] != "pve1" {
		t.Fatalf("info %+v", info)
	}
	got, _ := s.CustomCert(ctx)
	if !bytes.Equal(got, chain) {
		t.Fatal("leading text was not stripped")
	}
	// A new chain for the same key needs no key.
	chain2 := reSign(t, key, now)
	if _, err := s.SetCustom(ctx, Custom{Chain: chain2, Force: true}); err != nil {
		t.Fatalf("upload with the existing key: %v", err)
	}
	if err := s.DeleteCustom(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, custom, err := s.Active(ctx); err != nil || custom {
		t.Fatalf("after delete custom=%v err=%v", custom, err)
	}
	if err := s.DeleteCustom(ctx); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

func TestInfos(t *testing.T) {
	s := newService(t, openStore(t, ""), nil)
	ensure(t, s)
	infos, err := s.Infos(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Filename != "pve-root-ca.pem" || infos[1].Filename != "pve-ssl.pem" {
		t.Fatalf("infos %+v", infos)
	}
	n := infos[1]
	if n.Subject != "/O=Proxmox Virtual Environment/OU=PVE Cluster Node/CN=pve1.example.com" {
		t.Errorf("subject %q", n.Subject)
	}
	wantSAN := "2001:0db8:0000:0000:0000:0000:0000:0010"
	found := false
	for _, x := range n.SAN {
		found = found || x == wantSAN
	}
	if !found || n.Issuer != infos[0].Subject || !strings.HasSuffix(n.Issuer, "/CN=Proxmox Virtual Environment") {
		t.Errorf("san %v issuer %q", n.SAN, n.Issuer)
	}
	if len(strings.Split(n.Fingerprint, ":")) != 32 || n.NotAfter <= n.NotBefore {
		t.Errorf("fingerprint %q validity %d..%d", n.Fingerprint, n.NotBefore, n.NotAfter)
	}
}

// reSign returns a new self-signed certificate for pve1 over an existing key.
func reSign(t *testing.T, keyPEM []byte, now time.Time) []byte {
	t.Helper()
	key, err := parseKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "pve1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), DNSNames: []string{"pve1"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return encodeCert(der)
}
