package cfs

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Etcd is the clustered Store: every file is one etcd key below a prefix,
// its version is the key's mod_revision, and the store revision is etcd's.
//
// Reads are linearizable while the cluster has quorum and fall back to the
// local member's copy (serializable) when it has not, so a node cut off from
// the others keeps answering reads; writes then fail with ErrNoQuorum, as
// pmxcfs turns /etc/pve read-only. A key's value is the file's modification
// time (see etcdValue) followed by its content, since etcd keeps no times.
type Etcd struct {
	cli          *clientv3.Client
	prefix       string
	lockPrefix   string
	writeTimeout time.Duration
	readTimeout  time.Duration
	lockTTL      int

	locks   localLocks
	sessMu  sync.Mutex
	session *session
}

// EtcdConfig says how to reach the cluster.
type EtcdConfig struct {
	Endpoints []string    // client URLs, normally the local member's
	TLS       *tls.Config // nil for plain http (tests)
	// Prefix is the key prefix of the files (default "/pve/"); locks live
	// beside it under "/pve-locks/" (derived from Prefix).
	Prefix string
	// WriteTimeout bounds a write that waits for a quorum that is not
	// there (default 5 s); it then fails with ErrNoQuorum.
	WriteTimeout time.Duration
	// LockTTL is the lease time of a lock whose holder died, in seconds
	// (default 15).
	LockTTL int
}

var _ Store = (*Etcd)(nil)

// OpenEtcd connects to the cluster. It does not wait for quorum.
func OpenEtcd(cfg EtcdConfig) (*Etcd, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "/pve/"
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = 15
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   cfg.Endpoints,
		TLS:         cfg.TLS,
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
		// Large enough for MaxFileSize plus the key and framing.
		MaxCallSendMsgSize: 2 * MaxFileSize,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to etcd %v: %w", cfg.Endpoints, err)
	}
	return &Etcd{
		cli:          cli,
		prefix:       cfg.Prefix,
		lockPrefix:   cfg.Prefix[:len(cfg.Prefix)-1] + "-locks/",
		writeTimeout: cfg.WriteTimeout,
		readTimeout:  2 * time.Second,
		lockTTL:      cfg.LockTTL,
		locks:        localLocks{held: map[string]chan struct{}{}},
	}, nil
}

// Client is the underlying etcd client, for the cluster package's member
// management (membership, status, snapshots).
func (s *Etcd) Client() *clientv3.Client { return s.cli }

// Close ends the lock session and the connection.
func (s *Etcd) Close() error {
	s.sessMu.Lock()
	if s.session != nil {
		s.session.close()
		s.session = nil
	}
	s.sessMu.Unlock()
	return s.cli.Close()
}

func (s *Etcd) key(p string) string { return s.prefix + p }

// Get returns the file at path, or ErrNotFound.
func (s *Etcd) Get(ctx context.Context, path string) (Entry, error) {
	p, err := checkPath(path)
	if err != nil {
		return Entry{}, fmt.Errorf("get %q: %w", path, err)
	}
	resp, err := s.read(ctx, s.key(p))
	if err != nil {
		return Entry{}, fmt.Errorf("get %s: %w", p, err)
	}
	if len(resp.Kvs) == 0 {
		return Entry{}, fmt.Errorf("get %s: %w", p, ErrNotFound)
	}
	kv := resp.Kvs[0]
	data, mtime := splitEtcdValue(kv.Value)
	return Entry{Path: p, Data: data, Version: kv.ModRevision, ModTime: mtime}, nil
}

// List returns the files whose path starts with prefix, sorted by path,
// without their data.
func (s *Etcd) List(ctx context.Context, prefix string) ([]Entry, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	resp, err := s.read(ctx, s.key(prefix), clientv3.WithPrefix(), clientv3.WithKeysOnly(),
		clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	var out []Entry
	for _, kv := range resp.Kvs {
		out = append(out, Entry{Path: string(kv.Key[len(s.prefix):]), Version: kv.ModRevision})
	}
	return out, nil
}

// Revision returns etcd's revision as the local member knows it.
func (s *Etcd) Revision(ctx context.Context) (int64, error) {
	resp, err := s.cli.Get(ctx, s.prefix, clientv3.WithCountOnly(), clientv3.WithSerializable())
	if err != nil {
		return 0, fmt.Errorf("read store revision: %w", err)
	}
	return resp.Header.Revision, nil
}

// read is a linearizable read while there is a leader, else the local copy.
// WithRequireLeader makes the member refuse at once when it knows it has no
// leader; a leader that lost its quorum but has not noticed yet is caught
// by the timeout.
func (s *Etcd) read(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	rctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), s.readTimeout)
	resp, err := s.cli.Get(rctx, key, opts...)
	cancel()
	if err == nil || ctx.Err() != nil || !noQuorum(err) {
		return resp, err
	}
	return s.cli.Get(ctx, key, append(opts, clientv3.WithSerializable())...)
}

// noQuorum tells whether err means the member has no working leader.
func noQuorum(err error) bool {
	return errors.Is(err, rpctypes.ErrNoLeader) || errors.Is(err, rpctypes.ErrGRPCNoLeader) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, rpctypes.ErrTimeout) ||
		errors.Is(err, rpctypes.ErrGRPCTimeout) || errors.Is(err, rpctypes.ErrTimeoutDueToLeaderFail) ||
		errors.Is(err, rpctypes.ErrGRPCTimeoutDueToLeaderFail) || errors.Is(err, rpctypes.ErrTimeoutDueToConnectionLost) ||
		rpctypes.ErrorDesc(err) == rpctypes.ErrGRPCNoLeader.Error() ||
		errors.Is(err, rpctypes.ErrGRPCNotSupportedForLearner)
}

// Quorate tells whether a linearizable read succeeds, that is whether the
// cluster has a leader with a quorum behind it.
func (s *Etcd) Quorate(ctx context.Context) bool {
	rctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), s.readTimeout)
	defer cancel()
	_, err := s.cli.Get(rctx, s.prefix, clientv3.WithCountOnly())
	return err == nil
}

// etcdMagic starts every value written by this backend; the eight bytes
// after it are the modification time (Unix seconds, big endian). A value
// without it (written before the times were kept) reads as it is, with a
// zero time.
const etcdMagic = "\x00hcfs1\x00"

// etcdValue is what Put stores for data written at t.
func etcdValue(t time.Time, data []byte) string {
	b := make([]byte, 0, len(etcdMagic)+8+len(data))
	b = append(b, etcdMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return string(append(b, data...))
}

// splitEtcdValue returns the content and modification time of a value.
func splitEtcdValue(v []byte) ([]byte, time.Time) {
	n := len(etcdMagic) + 8
	if len(v) < n || string(v[:len(etcdMagic)]) != etcdMagic {
		if v == nil {
			v = []byte{}
		}
		return v, time.Time{}
	}
	return v[n:], time.Unix(int64(binary.BigEndian.Uint64(v[len(etcdMagic):n])), 0)
}
