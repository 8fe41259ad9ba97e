package access

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"hostadm/internal/cfs"
)

// lockTimeout bounds the wait for the store lock, as cfs_lock_file's 10 s.
const lockTimeout = 10 * time.Second

// txn is one locked read-modify-write of the auth files. Files are read
// with their versions and written back with them as the expectation, so
// a writer that ignores the lock still cannot be overwritten silently.
type txn struct {
	users  *UserConfig
	tokens *TokenSecrets
	shadow *Shadow
	ver    map[string]int64
	order  []string // dirty files, in write order
}

func (t *txn) dirty(path string) {
	for _, p := range t.order {
		if p == path {
			return
		}
	}
	t.order = append(t.order, path)
}

// modify runs fn under the "user.cfg" store lock (Proxmox's
// lock_user_config) and writes the files fn marked dirty, in that order.
func (s *Service) modify(ctx context.Context, op string, fn func(*txn) error) error {
	unlock, err := s.cfg.Store.Lock(ctx, PathUserCfg, lockTimeout)
	if err != nil {
		return fmt.Errorf("%s: lock user.cfg: %w", op, err)
	}
	defer unlock()
	t := &txn{ver: map[string]int64{}}
	for _, p := range []string{PathUserCfg, PathTokenCfg, PathShadowCfg} {
		e, err := s.cfg.Store.Get(ctx, p)
		if err != nil && !errors.Is(err, cfs.ErrNotFound) {
			return fmt.Errorf("%s: read %s: %w", op, p, err)
		}
		t.ver[p] = e.Version
		r := bytes.NewReader(e.Data)
		switch p {
		case PathUserCfg:
			t.users, err = ParseUserConfig(r)
		case PathTokenCfg:
			t.tokens, err = ParseTokenSecrets(r)
		case PathShadowCfg:
			t.shadow, err = ParseShadow(r)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := fn(t); err != nil {
		return prefixed(op, err)
	}
	defer s.invalidate()
	for _, p := range t.order {
		var b bytes.Buffer
		switch p {
		case PathUserCfg:
			err = t.users.Write(&b)
		case PathTokenCfg:
			err = t.tokens.Write(&b)
		case PathShadowCfg:
			err = t.shadow.Write(&b)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if _, err := s.cfg.Store.Put(ctx, p, b.Bytes(), t.ver[p]); err != nil {
			return fmt.Errorf("%s: write %s: %w", op, p, err)
		}
	}
	return nil
}
