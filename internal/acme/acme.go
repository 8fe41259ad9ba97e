// Package acme obtains the node's certificate from an ACME CA (Let's
// Encrypt) the way Proxmox VE does: accounts in priv/acme/<name>, challenge
// plugins in priv/acme/plugins.cfg (standalone http-01 and dns-01 by
// acme.sh API name), the node's domains in its config (acme, acmedomainN),
// orders, renewals and revocations run as tasks, and a daily renewal
// check. The ACME protocol itself is lego's (github.com/go-acme/lego/v4).
package acme

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"hostadm/internal/certs"
	"hostadm/internal/cfs"
	"hostadm/internal/nodecfg"
)

// Known directories, as Proxmox lists them.
const (
	DirLetsEncrypt        = "https://acme-v02.api.letsencrypt.org/directory"
	DirLetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"
)

// Store paths.
const (
	accountDir  = "priv/acme/"
	PluginsPath = "priv/acme/plugins.cfg"
	lockName    = "acme"
	lockWait    = 10 * time.Second
)

// Config holds what a Service needs.
type Config struct {
	Store   cfs.Store
	Node    string
	Certs   *certs.Service
	NodeCfg *nodecfg.Service
	Logger  *slog.Logger
	Clock   func() time.Time
	// RootCAs, when set, are the CAs trusted for the ACME server's HTTPS
	// (tests trust Pebble's); nil means the system's.
	RootCAs *x509.CertPool
	// HTTPPort is where the standalone http-01 listener binds (80).
	HTTPPort int
	// Resolvers, when set, are the DNS servers ("host:port") asked for
	// the preflight and the dns-01 propagation check, instead of the
	// system resolver and the zone's authoritative servers.
	Resolvers []string
	// AccountKeyBits is the RSA size of new account keys (4096, as Proxmox).
	AccountKeyBits int
	// CertKeyType is the key of ordered certificates: "rsa2048" (default),
	// "rsa4096" or "ec256".
	CertKeyType string
	// LoopbackOnly refuses ACME directories not on loopback: test daemons
	// must never reach a real CA (an endpoint called without a directory
	// defaults to Let's Encrypt).
	LoopbackOnly bool
}

// Service manages ACME accounts, plugins and the node's ACME certificate.
type Service struct {
	cfg   Config
	http  *http.Client
	renew *renewState
}

// checkDirectory enforces LoopbackOnly.
func (s *Service) checkDirectory(dir string) error {
	if !s.cfg.LoopbackOnly {
		return nil
	}
	u, err := url.Parse(dir)
	if err != nil {
		return fmt.Errorf("ACME directory %q: %w", dir, err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("ACME directory %s refused: this daemon only talks to loopback ACME servers", dir)
	}
	return nil
}

// New checks cfg and fills in defaults.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Certs == nil || cfg.NodeCfg == nil || cfg.Node == "" {
		return nil, errors.New("acme: store, certs, node config and node name are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.HTTPPort == 0 {
		cfg.HTTPPort = 80
	}
	if cfg.AccountKeyBits == 0 {
		cfg.AccountKeyBits = 4096
	}
	if cfg.CertKeyType == "" {
		cfg.CertKeyType = "rsa2048"
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:           http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		},
	}
	return &Service{cfg: cfg, http: client, renew: newRenewState()}, nil
}
