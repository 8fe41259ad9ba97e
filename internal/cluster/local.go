package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hostadm/internal/cfs"
)

// Local is what a clustered node keeps outside the shared store, in
// DATADIR/cluster/: enough to start its member and find the others.
type Local struct {
	Cluster        string `json:"cluster"`
	Node           string `json:"node"`
	NodeID         int    `json:"nodeid"`
	PeerURL        string `json:"peer_url"`
	Token          string `json:"token"`
	InitialCluster string `json:"initial_cluster"`
	// New is set on the node that founded the cluster until its first start;
	// Seed then copies its standalone store into the cluster.
	New  bool `json:"new,omitempty"`
	Seed bool `json:"seed,omitempty"`
	// Promote is set on a joining node until its learner member has been
	// promoted to a voting member.
	Promote bool `json:"promote,omitempty"`
	// ForceNew makes the next start found a one-member cluster from this
	// member's data (pvecm expected 1 on a node left alone).
	ForceNew bool `json:"force_new,omitempty"`
	// Self is this node's entry for the membership file, written at the
	// founding start.
	Self *NodeInfo `json:"self,omitempty"`
}

// Files in DATADIR/cluster.
const (
	localFile  = "local.json"
	caFile     = "ca.pem"
	certFile   = "node.pem"
	keyFile    = "node.key"
	clientFile = "client-url" // where the running member serves this node's clients
)

func clusterDir(dataDir string) string { return filepath.Join(dataDir, "cluster") }

// LoadLocal reads the local cluster config; ok is false on a standalone node.
func LoadLocal(dataDir string) (l Local, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(clusterDir(dataDir), localFile))
	if errors.Is(err, os.ErrNotExist) {
		return Local{}, false, nil
	}
	if err != nil {
		return Local{}, false, fmt.Errorf("read cluster config: %w", err)
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return Local{}, false, fmt.Errorf("cluster config %s: %w", localFile, err)
	}
	return l, true, nil
}

// saveLocal writes the local config and, when given, the TLS files.
func saveLocal(dataDir string, l Local, caPEM, certPEM, keyPEM []byte) error {
	dir := clusterDir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{{caFile, caPEM}, {certFile, certPEM}, {keyFile, keyPEM}}
	for _, f := range files {
		if f.data != nil {
			if err := writeAtomic(filepath.Join(dir, f.name), f.data); err != nil {
				return err
			}
		}
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, localFile), append(b, '\n'))
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// clientTLS is the TLS config of this node's store client: its node
// certificate against the cluster CA.
func clientTLS(dataDir string) (*tls.Config, error) {
	dir := clusterDir(dataDir)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, certFile), filepath.Join(dir, keyFile))
	if err != nil {
		return nil, fmt.Errorf("cluster certificate: %w", err)
	}
	pool, err := caPool(filepath.Join(dir, caFile))
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func caPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cluster CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("cluster CA %s: no certificate", path)
	}
	return pool, nil
}

// Runtime is a clustered node's open store: the member when this process
// runs it (the daemon), and the client.
type Runtime struct {
	Local  Local
	Member *cfs.Member // nil in the CLI
	Store  *cfs.Etcd
}

// OpenConfig says how to open a clustered node's store.
type OpenConfig struct {
	DataDir    string
	PeerListen string // host:port of the member's peer listener
	RunMember  bool   // the daemon runs the member; the CLI only connects
	Fast       bool   // tests: no fsync, short election timeouts
	// SQLitePath is the standalone store a founding node copies from.
	SQLitePath string
}

// Open opens the store of a clustered node; nil, nil on a standalone node.
func Open(ctx context.Context, cfg OpenConfig) (*Runtime, error) {
	l, ok, err := LoadLocal(cfg.DataDir)
	if err != nil || !ok {
		return nil, err
	}
	tlsCfg, err := clientTLS(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{Local: l}
	url, err := rt.startMember(ctx, cfg)
	if err != nil {
		return nil, err
	}
	rt.Store, err = cfs.OpenEtcd(cfs.EtcdConfig{Endpoints: []string{url}, TLS: tlsCfg})
	if err != nil {
		rt.Close()
		return nil, err
	}
	if l.Promote && cfg.RunMember {
		if err := rt.promote(ctx, cfg.DataDir); err != nil {
			rt.Close()
			return nil, err
		}
	}
	if l.ForceNew && cfg.RunMember {
		if err := rt.dropOthers(ctx, cfg.DataDir); err != nil {
			rt.Close()
			return nil, err
		}
	}
	if l.Seed && cfg.RunMember {
		if err := rt.seed(ctx, cfg); err != nil {
			rt.Close()
			return nil, fmt.Errorf("copy the node's store into the new cluster: %w", err)
		}
	}
	return rt, nil
}

// startMember starts the member (daemon) or finds the running one (CLI)
// and returns its client URL.
func (rt *Runtime) startMember(ctx context.Context, cfg OpenConfig) (string, error) {
	dir := clusterDir(cfg.DataDir)
	if !cfg.RunMember {
		b, err := os.ReadFile(filepath.Join(dir, clientFile))
		if err != nil {
			return "", fmt.Errorf("this node is in a cluster but its daemon is not running: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	l := rt.Local
	mc := cfs.MemberConfig{
		Name: l.Node, Dir: filepath.Join(cfg.DataDir, "etcd"),
		PeerListen: cfg.PeerListen, PeerURL: l.PeerURL, ClientListen: "127.0.0.1:0",
		InitialCluster: l.InitialCluster, NewCluster: l.New, Token: l.Token,
		CertFile: filepath.Join(dir, certFile), KeyFile: filepath.Join(dir, keyFile), CAFile: filepath.Join(dir, caFile),
		UnsafeNoFsync: cfg.Fast, ForceNewCluster: l.ForceNew,
	}
	if cfg.Fast {
		mc.ElectionTimeout = 500 * time.Millisecond
	}
	m, err := cfs.StartMember(ctx, mc)
	if err != nil {
		return "", err
	}
	rt.Member = m
	if err := writeAtomic(filepath.Join(dir, clientFile), []byte(m.ClientURL()+"\n")); err != nil {
		m.Close()
		return "", err
	}
	return m.ClientURL(), nil
}

// Close closes the client and stops the member.
func (rt *Runtime) Close() error {
	var errs []error
	if rt.Store != nil {
		errs = append(errs, rt.Store.Close())
	}
	if rt.Member != nil {
		errs = append(errs, rt.Member.Close())
	}
	return errors.Join(errs...)
}

// seed copies every file of the founding node's standalone store into the
// cluster and writes the membership file, once.
func (rt *Runtime) seed(ctx context.Context, cfg OpenConfig) error {
	old, err := cfs.OpenSQLite(cfg.SQLitePath)
	if err != nil {
		return err
	}
	defer old.Close()
	entries, err := old.List(ctx, "")
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := old.Get(ctx, e.Path)
		if err != nil {
			return err
		}
		if _, err := rt.Store.Put(ctx, e.Path, f.Data, cfs.AnyVersion); err != nil {
			return err
		}
	}
	m := &Membership{Name: rt.Local.Cluster, Version: 1, Nodes: map[string]*NodeInfo{rt.Local.Node: rt.Local.Self}}
	if err := putMembership(ctx, rt.Store, m, cfs.AnyVersion); err != nil {
		return err
	}
	rt.Local.Seed, rt.Local.New = false, false
	return saveLocal(cfg.DataDir, rt.Local, nil, nil, nil)
}

// promote makes a joining node's learner member a voter once it has caught
// up; until then it cannot write (nor serve linearizable reads).
func (rt *Runtime) promote(ctx context.Context, dataDir string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		err := rt.Member.Promote(ctx)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("promote the cluster member: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	rt.Local.Promote = false
	return saveLocal(dataDir, rt.Local, nil, nil, nil)
}

// dropOthers finishes a forced new cluster: only this node is left in the
// membership file.
func (rt *Runtime) dropOthers(ctx context.Context, dataDir string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := updateMembership(ctx, rt.Store, func(m *Membership) error {
		for name := range m.Nodes {
			if name != rt.Local.Node {
				delete(m.Nodes, name)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drop the other nodes: %w", err)
	}
	rt.Local.ForceNew = false
	return saveLocal(dataDir, rt.Local, nil, nil, nil)
}
