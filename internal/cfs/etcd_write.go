package cfs

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Put writes path when its mod_revision matches expect, in one etcd
// transaction, and returns the new version.
func (s *Etcd) Put(ctx context.Context, path string, data []byte, expect int64) (int64, error) {
	p, err := checkPut(path, data)
	if err != nil {
		return 0, err
	}
	if expect < AnyVersion {
		return 0, fmt.Errorf("put %s: invalid expected version %d", p, expect)
	}
	k := s.key(p)
	var cmps []clientv3.Cmp
	if expect != AnyVersion {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", expect))
	}
	resp, err := s.txn(ctx, cmps, clientv3.OpPut(k, etcdValue(time.Now(), data)), k)
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", p, err)
	}
	if !resp.Succeeded {
		return 0, fmt.Errorf("put %s: %w", p, conflict(resp, expect))
	}
	return resp.Header.Revision, nil
}

// Delete removes path when it exists and its mod_revision matches expect.
func (s *Etcd) Delete(ctx context.Context, path string, expect int64) error {
	p, err := checkPath(path)
	if err != nil {
		return fmt.Errorf("delete %q: %w", path, err)
	}
	if expect < AnyVersion {
		return fmt.Errorf("delete %s: invalid expected version %d", p, expect)
	}
	k := s.key(p)
	cmps := []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(k), ">", 0)}
	if expect != AnyVersion {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", expect))
	}
	resp, err := s.txn(ctx, cmps, clientv3.OpDelete(k), k)
	if err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	if resp.Succeeded {
		return nil
	}
	if cur := currentRev(resp); cur == 0 {
		return fmt.Errorf("delete %s: %w", p, ErrNotFound)
	}
	return fmt.Errorf("delete %s: %w", p, conflict(resp, expect))
}

// txn runs If(cmps) Then(op) Else(Get key) with the write timeout; a write
// that cannot reach a quorum fails with ErrNoQuorum.
func (s *Etcd) txn(ctx context.Context, cmps []clientv3.Cmp, op clientv3.Op, key string) (*clientv3.TxnResponse, error) {
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), s.writeTimeout)
	defer cancel()
	resp, err := s.cli.Txn(wctx).If(cmps...).Then(op).Else(clientv3.OpGet(key, clientv3.WithKeysOnly())).Commit()
	if err != nil {
		if ctx.Err() == nil && noQuorum(err) {
			return nil, ErrNoQuorum
		}
		return nil, err
	}
	return resp, nil
}

// currentRev is the mod_revision the Else branch read, 0 when missing.
func currentRev(resp *clientv3.TxnResponse) int64 {
	for _, r := range resp.Responses {
		if g := r.GetResponseRange(); g != nil && len(g.Kvs) > 0 {
			return g.Kvs[0].ModRevision
		}
	}
	return 0
}

func conflict(resp *clientv3.TxnResponse, expect int64) error {
	cur := currentRev(resp)
	if expect == NoVersion {
		return fmt.Errorf("exists with version %d: %w", cur, ErrConflict)
	}
	return fmt.Errorf("expected version %d, have %d: %w", expect, cur, ErrConflict)
}
