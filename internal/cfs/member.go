package cfs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"hostadm/internal/cfs/promdefer"
)

// MemberConfig describes the embedded etcd member a clustered node runs.
type MemberConfig struct {
	Name string // the node name; also the etcd member name
	Dir  string // the member's data directory
	// PeerListen is host:port for the other members (Raft traffic);
	// PeerURL is how they reach it (https://host:port).
	PeerListen string
	PeerURL    string
	// ClientListen is host:port for this node's own clients (the daemon
	// and the CLI); port 0 picks a free one, see ClientURL.
	ClientListen string
	// InitialCluster is "name=peerURL,..." with every member, this one
	// included; NewCluster tells whether it founds a cluster or joins an
	// existing one. Both are ignored once Dir holds data.
	InitialCluster string
	NewCluster     bool
	Token          string // the cluster's unique token (its name plus a random part)
	// TLS files: this node's certificate (for serving and as a client) and
	// the cluster CA. Peers and clients must present a certificate the CA
	// signed. Empty means plain http (tests of the store only).
	CertFile, KeyFile, CAFile string
	// ForceNewCluster restarts a lone member as a one-member cluster,
	// dropping the others from the membership (pvecm expected 1).
	ForceNewCluster bool
	// ElectionTimeout is how long followers wait for the leader before
	// electing another (default 1 s; heartbeats every tenth of it). It
	// also bounds how soon a member that lost its quorum notices.
	ElectionTimeout time.Duration
	// UnsafeNoFsync skips fsync: for tests only.
	UnsafeNoFsync bool
	// CompactRetention is how much history the member keeps before it
	// compacts automatically (default one hour).
	CompactRetention time.Duration
}

// Member is a running embedded etcd member.
type Member struct {
	e    *embed.Etcd
	url  string
	once sync.Once
	err  error
}

// StartMember starts the member and waits until it has joined the cluster
// (or found it) or ctx ends.
func StartMember(ctx context.Context, cfg MemberConfig) (*Member, error) {
	ec, err := memberConfig(cfg)
	if err != nil {
		return nil, err
	}
	// the member serves /metrics from Prometheus's default registry: the
	// collectors etcd's packages registered while hostadm initialised
	// were held back until now (see promdefer)
	promdefer.Activate()
	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, fmt.Errorf("start etcd member %s: %w", cfg.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd member %s: %w", cfg.Name, err)
	case <-ctx.Done():
		e.Server.Stop()
		e.Close()
		return nil, fmt.Errorf("etcd member %s did not become ready: %w", cfg.Name, ctx.Err())
	}
	scheme := "http"
	if cfg.CertFile != "" {
		scheme = "https"
	}
	return &Member{e: e, url: scheme + "://" + e.Clients[0].Addr().String()}, nil
}

func memberConfig(cfg MemberConfig) (*embed.Config, error) {
	scheme := "http"
	if cfg.CertFile != "" {
		scheme = "https"
	}
	if cfg.CompactRetention == 0 {
		cfg.CompactRetention = time.Hour
	}
	ec := embed.NewConfig()
	ec.Name, ec.Dir = cfg.Name, cfg.Dir
	// etcd logs a lot; hostadm reports what matters itself.
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	ec.LogLevel = "error"
	ec.UnsafeNoFsync = cfg.UnsafeNoFsync
	if cfg.ElectionTimeout > 0 {
		ec.ElectionMs = uint(cfg.ElectionTimeout.Milliseconds())
		ec.TickMs = max(ec.ElectionMs/10, 10)
	}
	ec.ForceNewCluster = cfg.ForceNewCluster
	ec.InitialCluster = cfg.InitialCluster
	ec.InitialClusterToken = cfg.Token
	ec.ClusterState = embed.ClusterStateFlagExisting
	if cfg.NewCluster {
		ec.ClusterState = embed.ClusterStateFlagNew
	}
	ec.AutoCompactionMode = "periodic"
	ec.AutoCompactionRetention = cfg.CompactRetention.String()
	ec.Metrics = "basic"
	// A member may be added as a learner and promoted once it caught up.
	ec.StrictReconfigCheck = true
	var err error
	if ec.ListenPeerUrls, err = urls(scheme + "://" + cfg.PeerListen); err != nil {
		return nil, err
	}
	if ec.AdvertisePeerUrls, err = urls(cfg.PeerURL); err != nil {
		return nil, err
	}
	if ec.ListenClientUrls, err = urls(scheme + "://" + cfg.ClientListen); err != nil {
		return nil, err
	}
	ec.AdvertiseClientUrls = ec.ListenClientUrls
	if cfg.CertFile != "" {
		tls := transport.TLSInfo{CertFile: cfg.CertFile, KeyFile: cfg.KeyFile,
			TrustedCAFile: cfg.CAFile, ClientCertAuth: true,
			// Peers are known by their CA-signed certificate, not by
			// the source address they happen to connect from.
			SkipClientSANVerify: true}
		ec.PeerTLSInfo, ec.ClientTLSInfo = tls, tls
	}
	return ec, nil
}

func urls(s string) ([]url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", s, err)
	}
	return []url.URL{*u}, nil
}

// ClientURL is where this node's clients reach the member.
func (m *Member) ClientURL() string { return m.url }

// ID is the member's etcd ID.
func (m *Member) ID() uint64 { return uint64(m.e.Server.MemberID()) }

// HasLeader tells whether the member currently follows a leader, which it
// does only while a quorum of the cluster is reachable.
func (m *Member) HasLeader() bool { return m.e.Server.Leader() != 0 }

// Stopped is closed when the member stops by itself, for example after it
// was removed from the cluster.
func (m *Member) Stopped() <-chan struct{} { return m.e.Server.StopNotify() }

// Err reports a fatal error of the member.
func (m *Member) Err() <-chan error { return m.e.Err() }

// Close stops the member.
func (m *Member) Close() error {
	m.once.Do(func() {
		m.e.Close()
		select {
		case <-m.e.Server.StopNotify():
		case <-time.After(10 * time.Second):
			m.err = errors.New("etcd member did not stop")
		}
	})
	return m.err
}

// Promote turns this member from a learner into a voter. A learner may be
// promoted only once it has caught up with the leader; until then Promote
// fails and the caller retries.
func (m *Member) Promote(ctx context.Context) error {
	if !m.e.Server.IsLearner() {
		return nil
	}
	_, err := m.e.Server.PromoteMember(ctx, m.ID())
	return err
}
