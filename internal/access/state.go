package access

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"hostadm/internal/cfs"
)

// state is an immutable snapshot of the auth files, swapped atomically so
// that request-path reads take no lock. Each file is reparsed only when its
// cfs version changed.
type state struct {
	rev     int64
	checked time.Time        // wall time of the last Revision check
	files   map[string]int64 // path → version (0 = absent)

	users   *UserConfig
	tokens  *TokenSecrets
	shadow  *Shadow
	domains []Domain

	priv    *rsa.PrivateKey
	pub     *rsa.PublicKey
	pubOld  *rsa.PublicKey
	csrfKey []byte // derived from pve-www.key
}

var statePaths = []string{PathUserCfg, PathTokenCfg, PathShadowCfg, PathDomains,
	PathAuthKey, PathAuthPub, PathAuthPubOld, PathWWWKey}

// invalidate makes the next snapshot() consult the store.
func (s *Service) invalidate() {
	if st := s.state.Load(); st != nil {
		cp := *st
		cp.checked = time.Time{}
		s.state.Store(&cp)
	}
}

// snapshot returns the current state, revalidating it against the store's
// revision when it is older than Config.Revalidate (or force is set).
func (s *Service) snapshot(ctx context.Context, force bool) (*state, error) {
	st := s.state.Load()
	if st != nil && !force && s.cfg.Revalidate > 0 && time.Since(st.checked) < s.cfg.Revalidate {
		return st, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if cur := s.state.Load(); cur != st && cur != nil && !force {
		return cur, nil // someone else just refreshed
	}
	st = s.state.Load()
	rev, err := s.cfg.Store.Revision(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: store revision: %w", err)
	}
	// A forced look reads the files even when the revision did not move:
	// the revision may come from a member that lags (a serializable etcd
	// read), while the file reads are linearizable.
	if st != nil && st.rev == rev && !force {
		cp := *st
		cp.checked = time.Now()
		s.state.Store(&cp)
		return &cp, nil
	}
	next, err := s.load(ctx, st, rev)
	if err != nil {
		return nil, err
	}
	s.state.Store(next)
	return next, nil
}

func (s *Service) load(ctx context.Context, old *state, rev int64) (*state, error) {
	st := &state{rev: rev, checked: time.Now(), files: map[string]int64{}}
	if old != nil {
		*st = *old
		st.rev, st.checked, st.files = rev, time.Now(), map[string]int64{}
	}
	for _, p := range statePaths {
		e, err := s.cfg.Store.Get(ctx, p)
		if errors.Is(err, cfs.ErrNotFound) {
			e, err = cfs.Entry{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("auth: read %s: %w", p, err)
		}
		st.files[p] = e.Version
		if old != nil && old.files[p] == e.Version && old.files != nil {
			continue
		}
		if err := st.apply(p, e.Data); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *state) apply(p string, data []byte) error {
	var err error
	switch p {
	case PathUserCfg:
		st.users, err = ParseUserConfig(bytes.NewReader(data))
	case PathTokenCfg:
		st.tokens, err = ParseTokenSecrets(bytes.NewReader(data))
	case PathShadowCfg:
		st.shadow, err = ParseShadow(bytes.NewReader(data))
	case PathDomains:
		st.domains = parseDomains(data)
	case PathAuthKey:
		st.priv = nil
		if len(data) > 0 {
			st.priv, err = parsePrivateKey(data)
		}
	case PathAuthPub, PathAuthPubOld:
		var k *rsa.PublicKey
		if len(data) > 0 {
			k, err = parsePublicKey(data)
		}
		if p == PathAuthPub {
			st.pub = k
		} else {
			st.pubOld = k
		}
	case PathWWWKey:
		st.csrfKey = nil
		if len(data) > 0 {
			st.csrfKey = csrfSecret(data)
		}
	}
	if err != nil {
		return fmt.Errorf("auth: parse %s: %w", p, err)
	}
	return nil
}

func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

func parsePublicKey(data []byte) (*rsa.PublicKey, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PublicKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// userEnabled is check_user_enabled: the user exists, is enabled and has
// not expired. It returns the reason when not.
// root@pam is always enabled, as in Proxmox: no user administrator can
// lock the superuser out.
func (st *state) userEnabled(userid string, now time.Time) (string, bool) {
	if userid == RootUser {
		return "", true
	}
	u := st.users.Users[userid]
	if u == nil {
		return fmt.Sprintf("no such user ('%s')", userid), false
	}
	if !u.Enable {
		return fmt.Sprintf("user '%s' is disabled", userid), false
	}
	if u.Expire > 0 && u.Expire < now.Unix() {
		return fmt.Sprintf("user '%s' access expired", userid), false
	}
	return "", true
}
