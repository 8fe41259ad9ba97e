package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"hostadm/internal/cfs"
)

// EnsureKeys creates what a fresh store lacks: the ticket key pair
// (priv/authkey.key, PKCS#1 PEM, and authkey.pub, PKIX PEM), the CSRF
// secret pve-www.key (an RSA key, as Proxmox generates it) and a default
// user.cfg holding root@pam (Proxmox writes no ACL for root@pam: it is
// always Administrator). Every file is created with cfs.NoVersion, so
// processes racing here agree on one winner; the public key is always
// derived from the stored private key.
func (s *Service) EnsureKeys(ctx context.Context) error {
	priv, err := s.ensureFile(ctx, PathAuthKey, func() ([]byte, error) { return newRSAPEM() })
	if err != nil {
		return err
	}
	k, err := parsePrivateKey(priv)
	if err != nil {
		return fmt.Errorf("auth: parse %s: %w", PathAuthKey, err)
	}
	if _, err := s.ensureFile(ctx, PathAuthPub, func() ([]byte, error) { return publicPEM(k) }); err != nil {
		return err
	}
	if _, err := s.ensureFile(ctx, PathWWWKey, func() ([]byte, error) { return newRSAPEM() }); err != nil {
		return err
	}
	if _, err := s.ensureFile(ctx, PathUserCfg, func() ([]byte, error) {
		var b bytes.Buffer
		err := NewUserConfig().Write(&b)
		return b.Bytes(), err
	}); err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// ensureFile returns the content of path, creating it with gen() if absent.
func (s *Service) ensureFile(ctx context.Context, path string, gen func() ([]byte, error)) ([]byte, error) {
	e, err := s.cfg.Store.Get(ctx, path)
	if err == nil {
		return e.Data, nil
	}
	if !errors.Is(err, cfs.ErrNotFound) {
		return nil, fmt.Errorf("auth: read %s: %w", path, err)
	}
	data, err := gen()
	if err != nil {
		return nil, fmt.Errorf("auth: generate %s: %w", path, err)
	}
	if _, err := s.cfg.Store.Put(ctx, path, data, cfs.NoVersion); err != nil {
		if !errors.Is(err, cfs.ErrConflict) {
			return nil, fmt.Errorf("auth: write %s: %w", path, err)
		}
		// Another process created it first: use theirs.
		e, err := s.cfg.Store.Get(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("auth: read %s: %w", path, err)
		}
		return e.Data, nil
	}
	return data, nil
}

func newRSAPEM() ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
}

// publicPEM is the PKIX PEM of k's public key, as authkey.pub holds it.
func publicPEM(k *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
