// Package certs manages the node's TLS certificates the way Proxmox VE
// does: a cluster CA in the cluster file store (pve-root-ca.pem with its key
// in priv/), a node certificate it signs (nodes/NODE/pve-ssl.pem and .key),
// an optional custom certificate that takes precedence
// (nodes/NODE/pveproxy-ssl.pem and .key), and a Reloader that swaps the
// certificate the HTTPS server presents when any of them changes.
package certs

import (
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"hostadm/internal/cfs"
)

// Paths in the cluster file store, as Proxmox names them.
const (
	CACertPath = "pve-root-ca.pem"
	CAKeyPath  = "priv/pve-root-ca.key"
)

// Key types for Config.KeyType.
const (
	KeyRSA   = "rsa"   // as Proxmox: RSA 4096 for the CA, 2048 for nodes
	KeyECDSA = "ecdsa" // P-256; fast to generate, so tests use it
)

// lockTimeout bounds the wait for another process creating the same
// certificate; generating an RSA 4096 key can take seconds on a slow node.
const lockTimeout = 2 * time.Minute

// Config holds what a Service needs.
type Config struct {
	Store     cfs.Store
	Node      string   // node name, as in nodes/NODE/
	Hostname  string   // the node's fully qualified domain name
	Addresses []net.IP // the node's addresses, put in the node certificate
	Clock     func() time.Time
	Logger    *slog.Logger

	KeyType     string // KeyRSA (default) or KeyECDSA
	CAKeyBits   int    // RSA bits of a new CA key; default 4096, at least 2048
	NodeKeyBits int    // RSA bits of a new node key; default 2048, at least 2048
}

// Service creates and reads the node's certificates.
type Service struct {
	cfg Config
}

// New checks cfg, fills in defaults and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("certs: no store")
	}
	if cfg.Node == "" || strings.Contains(cfg.Node, "/") {
		return nil, fmt.Errorf("certs: invalid node name %q", cfg.Node)
	}
	if _, err := cfs.CleanPath(nodeDir(cfg.Node)); err != nil {
		return nil, fmt.Errorf("certs: invalid node name %q: %w", cfg.Node, err)
	}
	if cfg.Hostname == "" {
		cfg.Hostname = cfg.Node
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.setKeyDefaults(); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg}, nil
}

func (c *Config) setKeyDefaults() error {
	switch c.KeyType {
	case "":
		c.KeyType = KeyRSA
	case KeyRSA, KeyECDSA:
	default:
		return fmt.Errorf("certs: unknown key type %q", c.KeyType)
	}
	if c.CAKeyBits == 0 {
		c.CAKeyBits = 4096
	}
	if c.NodeKeyBits == 0 {
		c.NodeKeyBits = 2048
	}
	if c.KeyType == KeyRSA && (c.CAKeyBits < 2048 || c.NodeKeyBits < 2048) {
		return fmt.Errorf("certs: RSA keys need at least 2048 bits (CA %d, node %d)",
			c.CAKeyBits, c.NodeKeyBits)
	}
	return nil
}

func nodeDir(node string) string { return "nodes/" + node + "/" }

// NodeCertPath returns the store path of the node certificate the CA signs.
func NodeCertPath(node string) string { return nodeDir(node) + "pve-ssl.pem" }

// NodeKeyPath returns the store path of the node certificate's key.
func NodeKeyPath(node string) string { return nodeDir(node) + "pve-ssl.key" }

// CustomCertPath returns the store path of the custom (uploaded or ACME)
// certificate, which takes precedence over the node certificate.
func CustomCertPath(node string) string { return nodeDir(node) + "pveproxy-ssl.pem" }

// CustomKeyPath returns the store path of the custom certificate's key.
func CustomKeyPath(node string) string { return nodeDir(node) + "pveproxy-ssl.key" }

// Fingerprint returns the SHA-256 fingerprint of the first certificate in
// certPEM as Proxmox shows it: upper-case hex byte pairs joined by ':'. It
// returns "" when certPEM holds no certificate.
func Fingerprint(certPEM []byte) string {
	for {
		var b *pem.Block
		b, certPEM = pem.Decode(certPEM)
		if b == nil {
			return ""
		}
		if b.Type == "CERTIFICATE" {
			sum := sha256.Sum256(b.Bytes)
			pairs := make([]string, len(sum))
			for i, c := range sum {
				pairs[i] = fmt.Sprintf("%02X", c)
			}
			return strings.Join(pairs, ":")
		}
	}
}
