package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"strings"

	"hostadm/internal/cfs"
)

// Info describes one certificate the way Proxmox's certificates/info
// endpoint does.
type Info struct {
	Filename      string   `json:"filename"`
	Fingerprint   string   `json:"fingerprint"`
	Subject       string   `json:"subject"`
	Issuer        string   `json:"issuer"`
	NotBefore     int64    `json:"notbefore"`
	NotAfter      int64    `json:"notafter"`
	SAN           []string `json:"san"`
	PEM           string   `json:"pem"`
	PublicKeyType string   `json:"public-key-type"`
	PublicKeyBits int      `json:"public-key-bits"`
}

// Infos returns the info of every certificate file that exists among the
// cluster CA, the node certificate and the custom certificate, in that
// order (as Proxmox lists them).
func (s *Service) Infos(ctx context.Context) ([]Info, error) {
	var out []Info
	for _, p := range []string{CACertPath, NodeCertPath(s.cfg.Node), CustomCertPath(s.cfg.Node)} {
		e, err := s.cfg.Store.Get(ctx, p)
		if errors.Is(err, cfs.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("certificate info: %w", err)
		}
		info, err := InfoOf(p[strings.LastIndexByte(p, '/')+1:], e.Data)
		if err != nil {
			return nil, fmt.Errorf("certificate info %s: %w", p, err)
		}
		out = append(out, info)
	}
	return out, nil
}

// InfoOf describes the first certificate in pemData.
func InfoOf(filename string, pemData []byte) (Info, error) {
	cert, err := parseCert(pemData)
	if err != nil {
		return Info{}, err
	}
	typ, bits := publicKeyInfo(cert)
	return Info{
		Filename:      filename,
		Fingerprint:   Fingerprint(encodeCert(cert.Raw)),
		Subject:       oneLineName(cert.RawSubject),
		Issuer:        oneLineName(cert.RawIssuer),
		NotBefore:     cert.NotBefore.Unix(),
		NotAfter:      cert.NotAfter.Unix(),
		SAN:           sanList(cert),
		PEM:           string(encodeCert(cert.Raw)),
		PublicKeyType: typ,
		PublicKeyBits: bits,
	}, nil
}

// publicKeyInfo names the key algorithm as OpenSSL does.
func publicKeyInfo(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "rsaEncryption", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "id-ecPublicKey", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "ED25519", 256
	}
	return c.PublicKeyAlgorithm.String(), 0
}

// sanList lists DNS names and IP addresses; IPv6 addresses are written as
// eight groups of four hex digits, as OpenSSL prints them for Proxmox.
func sanList(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ipText(ip))
	}
	return out
}

func ipText(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = fmt.Sprintf("%04x", uint16(ip[2*i])<<8|uint16(ip[2*i+1]))
	}
	return strings.Join(groups, ":")
}

// attrName is OpenSSL's short name of a usual name attribute.
func attrName(oid asn1.ObjectIdentifier) string {
	switch oid.String() {
	case "2.5.4.3":
		return "CN"
	case "2.5.4.6":
		return "C"
	case "2.5.4.7":
		return "L"
	case "2.5.4.8":
		return "ST"
	case "2.5.4.10":
		return "O"
	case "2.5.4.11":
		return "OU"
	case "2.5.4.5":
		return "serialNumber"
	case "1.2.840.113549.1.9.1":
		return "emailAddress"
	case "0.9.2342.19200300.100.1.25":
		return "DC"
	}
	return oid.String()
}

// oneLineName renders a DER name in OpenSSL's X509_NAME_oneline form,
// "/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=host", in the
// order the certificate holds the attributes.
func oneLineName(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var b strings.Builder
	for _, rdn := range seq {
		for _, atv := range rdn {
			fmt.Fprintf(&b, "/%s=%v", attrName(atv.Type), atv.Value)
		}
	}
	return b.String()
}
