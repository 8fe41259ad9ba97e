package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"hostadm/internal/cfs"
)

// settle is how long the Reloader waits after a change for the rest of
// the pair: a certificate and its key are two writes, and reloading between
// them would only log a mismatch.
const settle = 100 * time.Millisecond

// Active returns the pair the HTTPS server should present: the custom
// pveproxy-ssl.pem and .key when both exist (custom is then true), else
// the node's pve-ssl.pem and .key.
func (s *Service) Active(ctx context.Context) (certPEM, keyPEM []byte, custom bool, err error) {
	certPEM, keyPEM, err = s.readPair(ctx, CustomCertPath(s.cfg.Node), CustomKeyPath(s.cfg.Node))
	if err == nil {
		return certPEM, keyPEM, true, nil
	}
	if !errors.Is(err, cfs.ErrNotFound) {
		return nil, nil, false, err
	}
	certPEM, keyPEM, err = s.readPair(ctx, NodeCertPath(s.cfg.Node), NodeKeyPath(s.cfg.Node))
	if err != nil {
		return nil, nil, false, err
	}
	return certPEM, keyPEM, false, nil
}

func (s *Service) readPair(ctx context.Context, certPath, keyPath string) ([]byte, []byte, error) {
	c, err := s.cfg.Store.Get(ctx, certPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read certificate: %w", err)
	}
	k, err := s.cfg.Store.Get(ctx, keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read key: %w", err)
	}
	return c.Data, k.Data, nil
}

// Reloader holds the certificate the HTTPS server presents and replaces it
// when the files in the store change.
type Reloader struct {
	svc    *Service
	cert   atomic.Pointer[tls.Certificate]
	custom atomic.Bool
}

// NewReloader loads the active pair; it fails when there is none usable.
func (s *Service) NewReloader(ctx context.Context) (*Reloader, error) {
	r := &Reloader{svc: s}
	if err := r.Reload(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the active pair again. When the pair is unusable it returns
// the error and keeps presenting the certificate it had.
func (r *Reloader) Reload(ctx context.Context) error {
	certPEM, keyPEM, custom, err := r.svc.Active(ctx)
	if err != nil {
		return fmt.Errorf("reload certificate: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("reload certificate (custom %t): %w", custom, err)
	}
	r.cert.Store(&pair)
	r.custom.Store(custom)
	return nil
}

// Certificate returns the certificate presented now and whether it is the
// custom one.
func (r *Reloader) Certificate() (*tls.Certificate, bool) {
	return r.cert.Load(), r.custom.Load()
}

// GetCertificate is for tls.Config.GetCertificate.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cert.Load(), nil
}

// Run reloads whenever a certificate file of the node changes, until ctx
// ends. A failed reload is logged and the previous certificate kept.
func (r *Reloader) Run(ctx context.Context) error {
	events, err := r.svc.cfg.Store.Watch(ctx, nodeDir(r.svc.cfg.Node))
	if err != nil {
		return fmt.Errorf("watch certificates: %w", err)
	}
	log := r.svc.cfg.Logger
	// A pair written between NewReloader and the start of the watch
	// raises no event: read once more now that the watch is in place.
	changed := true
	for {
		if !changed && !waitForChange(ctx, events) {
			return ctx.Err()
		}
		changed = false
		before, _ := r.Certificate()
		if err := r.Reload(ctx); err != nil {
			log.Error("keeping the old TLS certificate", "err", err)
			continue
		}
		cert, custom := r.Certificate()
		if before != nil && bytes.Equal(before.Certificate[0], cert.Certificate[0]) {
			continue
		}
		log.Info("reloaded TLS certificate", "custom", custom,
			"fingerprint", Fingerprint(encodeCert(cert.Certificate[0])))
	}
}

// waitForChange waits for an event on a certificate file, then lets
// further events settle. It returns false when the watch has ended.
func waitForChange(ctx context.Context, events <-chan cfs.Event) bool {
	for {
		ev, ok := <-events
		if !ok {
			return false
		}
		if isCertFile(ev.Path) {
			break
		}
	}
	timer := time.NewTimer(settle)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return false
			}
		case <-timer.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
}

// isCertFile tells whether a store path is one of the pairs Active reads.
func isCertFile(p string) bool {
	i := strings.LastIndexByte(p, '/')
	switch p[i+1:] {
	case "pve-ssl.pem", "pve-ssl.key", "pveproxy-ssl.pem", "pveproxy-ssl.key":
		return true
	}
	return false
}

// TLSConfig returns the server configuration for the HTTPS API: TLS 1.2
// with forward-secret AEAD suites only, TLS 1.3, and the certificate from r.
// Only HTTP/1.1 is offered, as pveproxy does: Proxmox clients read the
// reason phrase of an error's status line, which HTTP/2 does not have.
func (r *Reloader) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Only consulted for TLS 1.2; TLS 1.3 suites are all AEAD.
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		// X25519MLKEM768 is Go's default hybrid post-quantum exchange; it
		// rests on X25519 and clients without it fall back to the others.
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256},
		NextProtos:       []string{"http/1.1"},
		GetCertificate:   r.GetCertificate,
	}
}
