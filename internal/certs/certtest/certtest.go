// Package certtest makes certificates for tests: a self-signed leaf for
// the names asked, with the validity asked, and helpers to read the
// certificate a TLS server presents.
package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Leaf returns a self-signed ECDSA certificate and its key, as PEM, for
// names, valid from notBefore to notAfter.
func Leaf(t testing.TB, names []string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0], Organization: []string{"hostadm test"}},
		NotBefore:    notBefore, NotAfter: notAfter,
		DNSNames:    names,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// Served returns the leaf certificate a TLS server at addr presents, by a
// real handshake (not verified: the caller compares it).
func Served(addr string) (*x509.Certificate, error) {
	addr = strings.TrimPrefix(addr, "https://")
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return nil, fmt.Errorf("tls dial %s: %w", addr, err)
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, fmt.Errorf("tls dial %s: no certificate", addr)
	}
	return certs[0], nil
}

// Fingerprint is the SHA-256 of a certificate's DER, as upper-case hex
// pairs joined by ':', the way Proxmox shows it.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// WaitServed waits until the server at addr presents the certificate with
// the fingerprint want, and fails the test after ten seconds.
func WaitServed(t testing.TB, addr, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		c, err := Served(addr)
		if err == nil {
			got = Fingerprint(c)
			if got == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server %s presents %s, want %s", addr, got, want)
}
