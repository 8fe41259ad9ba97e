package certs

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
)

// SignPeer makes a key and a certificate, signed by the cluster CA, for the
// etcd member of node: usable as server and as client (members connect to
// each other both ways), naming hosts and ips plus the loopback addresses
// the node's own clients use. It returns both in PEM.
func (s *Service) SignPeer(ctx context.Context, node string, hosts []string, ips []net.IP) (certPEM, keyPEM []byte, err error) {
	ca, err := s.loadCA(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("sign peer certificate: %w", err)
	}
	key, err := s.newKey(s.cfg.NodeKeyBits)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := s.cfg.Clock()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: node, OrganizationalUnit: []string{"PVE Cluster Node"},
			Organization: []string{"Proxmox Virtual Environment"}},
		NotBefore:   now.Add(-clockSkew),
		NotAfter:    now.AddDate(10, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    uniqueStrings(append(append([]string(nil), hosts...), node, "localhost")...),
		IPAddresses: uniqueIPs(ips, net.IPv4(127, 0, 0, 1), net.IPv6loopback),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign peer certificate: %w", err)
	}
	if keyPEM, err = encodeKey(key); err != nil {
		return nil, nil, err
	}
	return encodeCert(der), keyPEM, nil
}
