package certs

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"

	"hostadm/internal/cfs"
)

// authority is the loaded cluster CA.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
	pem  []byte
}

// EnsureCA creates the cluster CA when pve-root-ca.pem is missing. Several
// processes may call it at once: creation is serialised by a store lock, and
// both files are written with cfs.NoVersion so that it happens only once
// even without the lock.
func (s *Service) EnsureCA(ctx context.Context) error {
	unlock, err := s.cfg.Store.Lock(ctx, "pve-root-ca", lockTimeout)
	if err != nil {
		return fmt.Errorf("ensure CA: %w", err)
	}
	defer unlock()
	_, err = s.loadCA(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, cfs.ErrNotFound) {
		return fmt.Errorf("ensure CA: %w", err)
	}
	if err := s.createCA(ctx); err != nil {
		return fmt.Errorf("create CA: %w", err)
	}
	return nil
}

// CACert returns the cluster CA certificate in PEM.
func (s *Service) CACert(ctx context.Context) ([]byte, error) {
	e, err := s.cfg.Store.Get(ctx, CACertPath)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	return e.Data, nil
}

// loadCA reads the CA; the error wraps cfs.ErrNotFound only when the CA
// certificate does not exist.
func (s *Service) loadCA(ctx context.Context) (*authority, error) {
	certE, err := s.cfg.Store.Get(ctx, CACertPath)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	cert, err := parseCert(certE.Data)
	if err != nil {
		return nil, fmt.Errorf("CA certificate %s: %w", CACertPath, err)
	}
	keyE, err := s.cfg.Store.Get(ctx, CAKeyPath)
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, fmt.Errorf("CA certificate exists but its key %s is missing", CAKeyPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read CA key: %w", err)
	}
	key, err := parseKey(keyE.Data)
	if err != nil {
		return nil, fmt.Errorf("CA key %s: %w", CAKeyPath, err)
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("CA key %s does not match %s", CAKeyPath, CACertPath)
	}
	return &authority{cert: cert, key: key, pem: certE.Data}, nil
}

// createCA writes the key first, then the certificate: the certificate is
// the marker that the CA exists, so a crash in between leaves only a key,
// which the next attempt adopts.
func (s *Service) createCA(ctx context.Context) error {
	key, err := s.caKey(ctx)
	if err != nil {
		return err
	}
	der, err := s.signCA(key)
	if err != nil {
		return err
	}
	_, err = s.cfg.Store.Put(ctx, CACertPath, encodeCert(der), cfs.NoVersion)
	if errors.Is(err, cfs.ErrConflict) {
		s.cfg.Logger.Info("cluster CA created by another process")
		_, err = s.loadCA(ctx)
		return err
	}
	if err != nil {
		return fmt.Errorf("write CA certificate: %w", err)
	}
	s.cfg.Logger.Info("created cluster CA", "path", CACertPath)
	return nil
}

// caKey returns the key for a new CA: one left by an earlier, interrupted
// creation (or written by a concurrent one), else a new one.
func (s *Service) caKey(ctx context.Context) (crypto.Signer, error) {
	if e, err := s.cfg.Store.Get(ctx, CAKeyPath); err == nil {
		if key, err := parseKey(e.Data); err == nil {
			return key, nil
		}
	}
	key, err := s.newKey(s.cfg.CAKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	// AnyVersion: only an unparsable leftover can be there, as the
	// certificate does not exist yet.
	if _, err := s.cfg.Store.Put(ctx, CAKeyPath, keyPEM, cfs.AnyVersion); err != nil {
		return nil, fmt.Errorf("write CA key: %w", err)
	}
	return key, nil
}

// signCA returns the DER of a self-signed CA certificate for key, shaped
// like Proxmox's: CN=Proxmox Virtual Environment, OU=<uuid>,
// O=PVE Cluster Manager CA, valid ten years.
func (s *Service) signCA(key crypto.Signer) ([]byte, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "Proxmox Virtual Environment",
			OrganizationalUnit: []string{randomUUID()},
			Organization:       []string{"PVE Cluster Manager CA"},
		},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("sign CA certificate: %w", err)
	}
	return der, nil
}
