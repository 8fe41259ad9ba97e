package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hostadm/internal/cfs"
)

// AuthKeyLifetime is how long a ticket-signing key signs new tickets, as
// Proxmox's authkey_lifetime: then a new key pair replaces it and the old
// public key stays as authkey.pub.old, so tickets signed before the
// rotation stay valid for their whole lifetime (2 h, far below a day).
const AuthKeyLifetime = 24 * time.Hour

// RotateKeys replaces the ticket-signing key pair when authkey.pub is
// older than AuthKeyLifetime (by its time in the store, so the age
// survives restarts and is shared by every process using the store). It
// tells whether it rotated. The old public key is saved first and the
// new public key written before the new private key, so that every
// ticket signed at any moment verifies against one of the two.
func (s *Service) RotateKeys(ctx context.Context) (bool, error) {
	unlock, err := s.cfg.Store.Lock(ctx, "authkey", lockTimeout)
	if err != nil {
		return false, fmt.Errorf("auth: rotate key: lock: %w", err)
	}
	defer unlock()
	pub, err := s.cfg.Store.Get(ctx, PathAuthPub)
	if err != nil {
		return false, fmt.Errorf("auth: rotate key: %w", err)
	}
	if s.now().Sub(pub.ModTime) < AuthKeyLifetime {
		return false, nil
	}
	privPEM, err := newRSAPEM()
	if err != nil {
		return false, fmt.Errorf("auth: rotate key: %w", err)
	}
	k, err := parsePrivateKey(privPEM)
	if err != nil {
		return false, fmt.Errorf("auth: rotate key: %w", err)
	}
	newPub, err := publicPEM(k)
	if err != nil {
		return false, fmt.Errorf("auth: rotate key: %w", err)
	}
	if err := s.putLatest(ctx, PathAuthPubOld, pub.Data); err != nil {
		return false, err
	}
	if _, err := s.cfg.Store.Put(ctx, PathAuthPub, newPub, pub.Version); err != nil {
		return false, fmt.Errorf("auth: rotate key: write %s: %w", PathAuthPub, err)
	}
	if err := s.putLatest(ctx, PathAuthKey, privPEM); err != nil {
		return false, err
	}
	s.invalidate()
	s.cfg.Logger.InfoContext(ctx, "ticket signing key rotated")
	return true, nil
}

// putLatest writes path over whatever version is there.
func (s *Service) putLatest(ctx context.Context, path string, data []byte) error {
	e, err := s.cfg.Store.Get(ctx, path)
	ver := e.Version
	if errors.Is(err, cfs.ErrNotFound) {
		ver = cfs.NoVersion
	} else if err != nil {
		return fmt.Errorf("auth: rotate key: read %s: %w", path, err)
	}
	if _, err := s.cfg.Store.Put(ctx, path, data, ver); err != nil {
		return fmt.Errorf("auth: rotate key: write %s: %w", path, err)
	}
	return nil
}

// RunKeyRotation checks the key's age at once and then every hour until
// ctx ends (the daemon runs it in the background).
func (s *Service) RunKeyRotation(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := s.RotateKeys(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "ticket key rotation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
