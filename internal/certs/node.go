package certs

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"time"

	"hostadm/internal/cfs"
)

// clockSkew back-dates new certificates so that a client whose clock is a
// little behind does not reject them as not yet valid.
const clockSkew = 5 * time.Minute

// EnsureNodeCert creates nodes/NODE/pve-ssl.pem and .key, signed by the
// cluster CA, when they are missing, do not form a pair, do not verify
// against the current CA (it was re-created, or the certificate expired), or
// do not name the configured host name. EnsureCA must have run.
func (s *Service) EnsureNodeCert(ctx context.Context) error {
	ca, err := s.loadCA(ctx)
	if err != nil {
		return fmt.Errorf("ensure node certificate: %w", err)
	}
	unlock, err := s.cfg.Store.Lock(ctx, "pve-ssl-"+s.cfg.Node, lockTimeout)
	if err != nil {
		return fmt.Errorf("ensure node certificate: %w", err)
	}
	defer unlock()
	certE, certErr := s.cfg.Store.Get(ctx, NodeCertPath(s.cfg.Node))
	keyE, keyErr := s.cfg.Store.Get(ctx, NodeKeyPath(s.cfg.Node))
	for _, err := range []error{certErr, keyErr} {
		if err != nil && !errors.Is(err, cfs.ErrNotFound) {
			return fmt.Errorf("ensure node certificate: %w", err)
		}
	}
	if certErr == nil && keyErr == nil {
		err := s.checkNodeCert(ca, certE.Data, keyE.Data)
		if err == nil {
			return nil
		}
		s.cfg.Logger.Warn("replacing node certificate", "node", s.cfg.Node, "reason", err)
	}
	if err := s.createNodeCert(ctx, ca, certE.Version, keyE.Version); err != nil {
		return fmt.Errorf("create node certificate: %w", err)
	}
	return nil
}

// checkNodeCert tells why a node certificate needs replacing, if it does.
func (s *Service) checkNodeCert(ca *authority, certPEM, keyPEM []byte) error {
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return err
	}
	cert, err := parseCert(certPEM)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	_, err = cert.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: s.cfg.Clock(),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return err
	}
	return cert.VerifyHostname(s.cfg.Hostname)
}

// createNodeCert writes a new key and certificate, each only when its
// version is still the one seen (0: missing). The key goes first; a reader
// in between sees a mismatched pair and keeps what it had.
func (s *Service) createNodeCert(ctx context.Context, ca *authority, certVer, keyVer int64) error {
	key, err := s.newKey(s.cfg.NodeKeyBits)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	der, err := s.signNode(ca, key)
	if err != nil {
		return err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, NodeKeyPath(s.cfg.Node), keyPEM, keyVer); err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := s.cfg.Store.Put(ctx, NodeCertPath(s.cfg.Node), encodeCert(der), certVer); err != nil {
		return fmt.Errorf("write certificate: %w", err)
	}
	s.cfg.Logger.Info("created node certificate", "node", s.cfg.Node,
		"path", NodeCertPath(s.cfg.Node))
	return nil
}

// signNode returns the DER of a node certificate for key, shaped like
// Proxmox's: OU=PVE Cluster Node, O=Proxmox Virtual Environment,
// CN=<hostname>, valid two years, for TLS servers.
func (s *Service) signNode(ca *authority, key crypto.Signer) ([]byte, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         s.cfg.Hostname,
			OrganizationalUnit: []string{"PVE Cluster Node"},
			Organization:       []string{"Proxmox Virtual Environment"},
		},
		NotBefore:   now.Add(-clockSkew),
		NotAfter:    now.AddDate(2, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    uniqueStrings(s.cfg.Hostname, s.cfg.Node, "localhost"),
		IPAddresses: uniqueIPs(s.cfg.Addresses, net.IPv4(127, 0, 0, 1), net.IPv6loopback),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("sign node certificate: %w", err)
	}
	return der, nil
}

func uniqueStrings(in ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func uniqueIPs(addrs []net.IP, extra ...net.IP) []net.IP {
	var out []net.IP
	for _, ip := range append(append([]net.IP(nil), addrs...), extra...) {
		if ip == nil || ip.IsUnspecified() {
			continue
		}
		if !containsIP(out, ip) {
			out = append(out, ip)
		}
	}
	return out
}

func containsIP(list []net.IP, ip net.IP) bool {
	for _, x := range list {
		if x.Equal(ip) {
			return true
		}
	}
	return false
}

// publicKeysEqual reports whether two public keys are the same key.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	ak, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ak.Equal(b)
}
