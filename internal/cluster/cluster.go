// Package cluster joins hostadm nodes into a cluster the way Proxmox VE's
// pvecm does, on etcd instead of corosync and pmxcfs: creating a cluster,
// joining it through another node's API (its certificate fingerprint
// checked first), removing nodes, quorum and which nodes are online. Each
// clustered node runs an embedded etcd member (cfs.Member) with a
// certificate signed by the cluster CA; the shared store is cfs.Etcd.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"hostadm/internal/certs"
	"hostadm/internal/cfs"
)

// Config holds what a Service needs.
type Config struct {
	DataDir string
	Node    string
	// PeerListen is the member's peer address (--peer-listen, host:port);
	// Advertise is how other nodes reach this node's API (--advertise).
	PeerListen string
	Advertise  string
	Store      cfs.Store
	Runtime    *Runtime // nil on a standalone node
	Certs      *certs.Service
	Logger     *slog.Logger
	// Restart asks the daemon to restart itself on the new store after a
	// create or a join; nil where there is no daemon (the CLI).
	Restart func()
}

// Service is the node's view of its cluster.
type Service struct {
	cfg    Config
	online onlineCache
}

// Errors of membership operations.
var (
	ErrNotClustered = errors.New("node is not in a cluster")
	ErrClustered    = errors.New("cluster config already exists on this node")
)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, online: onlineCache{seen: map[string]probe{}}}
}

// Clustered tells whether this node is in a cluster.
func (s *Service) Clustered() bool { return s.cfg.Runtime != nil }

// Node is the local node's name.
func (s *Service) Node() string { return s.cfg.Node }

// ClusterName is the cluster's name, "" on a standalone node.
func (s *Service) ClusterName() string {
	if s.cfg.Runtime == nil {
		return ""
	}
	return s.cfg.Runtime.Local.Cluster
}

// Membership returns the node list; nil on a standalone node.
func (s *Service) Membership(ctx context.Context) (*Membership, error) {
	if s.cfg.Runtime == nil {
		return nil, nil
	}
	m, _, err := readMembership(ctx, s.cfg.Store)
	return m, err
}

// Quorate tells whether this node's member sees a quorum; a standalone node
// always has one.
func (s *Service) Quorate() bool {
	rt := s.cfg.Runtime
	if rt == nil {
		return true
	}
	if rt.Member != nil {
		return rt.Member.HasLeader()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return rt.Store.Quorate(ctx)
}

// NodeAPI returns the API base URL (https://host:port) of a member node.
func (s *Service) NodeAPI(ctx context.Context, node string) (string, bool) {
	m, err := s.Membership(ctx)
	if err != nil || m == nil || m.Nodes[node] == nil {
		return "", false
	}
	return m.Nodes[node].API, true
}

// peerURL derives the member's peer URL from --peer-listen, taking the
// host from --advertise when the listen address has none.
func peerURL(peerListen, advertise string) (string, error) {
	host, port, err := net.SplitHostPort(peerListen)
	if err != nil {
		return "", fmt.Errorf("--peer-listen %q: %w", peerListen, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		u, err := url.Parse(advertise)
		if err != nil || u.Hostname() == "" {
			return "", fmt.Errorf("--advertise %q: no host to reach the peer port at", advertise)
		}
		host = u.Hostname()
	}
	return "https://" + net.JoinHostPort(host, port), nil
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func randomToken(name string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return name + "-" + hex.EncodeToString(b)
}

// onlineCache remembers recent reachability probes of other nodes.
type onlineCache struct {
	mu   sync.Mutex
	seen map[string]probe
}

type probe struct {
	at     time.Time
	online bool
}

// Online tells whether node answers on its API address; the local node is
// always online. Answers are cached for a second.
func (s *Service) Online(ctx context.Context, node string) bool {
	if node == s.cfg.Node {
		return true
	}
	api, ok := s.NodeAPI(ctx, node)
	if !ok {
		return false
	}
	s.online.mu.Lock()
	p, ok := s.online.seen[node]
	s.online.mu.Unlock()
	if ok && time.Since(p.at) < time.Second {
		return p.online
	}
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", hostPort(api))
	if err == nil {
		conn.Close()
	}
	s.online.mu.Lock()
	s.online.seen[node] = probe{at: time.Now(), online: err == nil}
	s.online.mu.Unlock()
	return err == nil
}

// hostPort is the host:port of an https URL (port 443 when none).
func hostPort(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return u.Host
}
