// Package daemon wires hostadm together: it opens the cluster file store
// and builds every service over one host root, for `hostadm serve` and for
// the CLI's in-process mode alike, and runs the HTTPS server with its
// background loops.
package daemon

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"hostadm/internal/history"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hostadm/internal/access"
	"hostadm/internal/acme"
	"hostadm/internal/api"
	"hostadm/internal/apt"
	"hostadm/internal/boot"
	"hostadm/internal/certs"
	"hostadm/internal/cfs"
	"hostadm/internal/cluster"
	"hostadm/internal/disks"
	"hostadm/internal/disks/storage"
	"hostadm/internal/guests"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg"
	"hostadm/internal/metrics"
	"hostadm/internal/network"
	"hostadm/internal/nodecfg"
	"hostadm/internal/tasks"
)

// Config says where a node's state lives.
type Config struct {
	Root    string // host root prefix, "/" in production
	DataDir string // default ROOT/var/lib/hostadm
	Node    string // default: the host name
	Listen  string // default ":8006"
	Logger  *slog.Logger
	Runner  host.Runner // default: host.ExecRunner
	// AuthFailDelay slows every 401 (Proxmox: 3 s).
	AuthFailDelay time.Duration
	// PAMConfDir, when set, makes the pam realm read its service file from
	// this directory (tests); PAMService overrides the service name.
	PAMConfDir string
	PAMService string
	// Fast makes key generation and password hashing cheap (tests only).
	Fast bool
	// StorePoll is how often the store is polled for changes made by
	// other processes (default 500 ms).
	StorePoll time.Duration
	// NetworkApplier forces the network applier ("ifupdown2" or "native");
	// "" picks ifupdown2 when installed, else native.
	NetworkApplier string
	// NetworkNetNS names the network namespace the native applier works
	// in ("" = the daemon's own); tests give one they made, so that no
	// apply or rollback of theirs reaches the host's links.
	NetworkNetNS string
	// PowerDelay is how long reboot and shutdown wait after answering
	// (default 2 s, as Proxmox).
	PowerDelay time.Duration
	// MailRelay is the SMTP relay (host:port) for the daily update mail
	// when the host has no sendmail.
	MailRelay string
	// MetricsListen, when set, is a second address where GET /metrics is
	// served over plain HTTP without authentication (Prometheus); the
	// default is none: /metrics is on Listen with an API token only.
	MetricsListen string
	// MaxConns and MaxConnsPerAddr cap the HTTPS connections open at once,
	// overall and per client address (IPv6: per /64); 0 = 4096 and 64.
	MaxConns        int
	MaxConnsPerAddr int
	// ConnRate is how many new HTTPS connections a second one client
	// address may open after a burst of 128 (0 = 32); more are closed
	// before the TLS handshake.
	ConnRate int
	// Handshakes is how many TLS handshakes compute at once (0 = a quarter
	// of the CPUs, see handshakeGate); the others wait for a turn.
	Handshakes int
	// Mount is where the store is served as a file system (Proxmox's
	// /etc/pve); "" serves none. Serve's --mount defaults to /etc/pve when
	// the root is "/".
	Mount string
	// Limits bound each request's work (api.DefaultLimits when zero).
	Limits api.Limits
	// QEMUAccel forces QEMU's accelerator ("kvm" or "tcg"); "" uses KVM
	// when /dev/kvm can be opened.
	QEMUAccel string
	// PeerListen is the etcd member's peer address once the node is in a
	// cluster (default ":2380"); Advertise is how the other nodes reach
	// this node's API (default https://HOST:PORT from Listen and the
	// node's address).
	PeerListen string
	Advertise  string
	// runMember is set by Start: the daemon runs the node's etcd member
	// and routes the whole API at once. A node only opened (the CLI)
	// connects to the member and routes the API's areas as it calls them.
	runMember bool
	// ACME settings for tests: the CA roots trusted for the ACME server
	// (nil: the system's), the standalone http-01 port (80), the DNS
	// servers asked instead of the system's, and how often the renewal
	// check runs (a day).
	ACMERoots      *x509.CertPool
	ACMEHTTPPort   int
	ACMEResolvers  []string
	ACMERenewEvery time.Duration
}

// Node is an opened hostadm node: its store and services.
type Node struct {
	Config   Config
	Services *api.Services
	API      *api.API
	store    cfs.Store        // records every write in history
	rawStore cfs.Store        // the store itself, for reverts
	rawRoot  host.Root        // the root without its journal, for reverts
	history  *history.History // who changed which file
	cluster  *cluster.Runtime // nil on a standalone node
	restart  chan struct{}    // a create or join asks for a restart
}

// Open opens the store and builds the services. It creates what a first
// start needs: the data dir, the auth keys, the default user config. The
// certificates are created by Serve, not here, so the CLI stays fast.
func Open(ctx context.Context, cfg Config) (*Node, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	root, err := host.NewRoot(cfg.Root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	n := &Node{Config: cfg, restart: make(chan struct{}, 1)}
	if err := n.openStore(ctx); err != nil {
		return nil, err
	}
	hist, err := history.Open(history.Config{File: filepath.Join(cfg.DataDir, "history.db"), Node: cfg.Node, Logger: cfg.Logger})
	if err != nil {
		n.closeStore()
		return nil, err
	}
	// Every write through the store and under the root is recorded with
	// its actor; the raw ones are for the revert, which records itself.
	n.history, n.rawStore, n.rawRoot = hist, n.store, root
	n.store = hist.Store(n.store)
	if err := n.build(ctx, root.WithJournal(hist.HostJournal())); err != nil {
		n.closeStore()
		hist.Close()
		return nil, err
	}
	return n, nil
}

// openStore opens the cluster's etcd store when the node is in a cluster
// (starting its member in the daemon), else the SQLite store.
func (n *Node) openStore(ctx context.Context) error {
	cfg := n.Config
	sqlitePath := filepath.Join(cfg.DataDir, "cfs.db")
	rt, err := cluster.Open(ctx, cluster.OpenConfig{DataDir: cfg.DataDir, PeerListen: cfg.PeerListen,
		RunMember: cfg.runMember, Fast: cfg.Fast, SQLitePath: sqlitePath})
	if err != nil {
		return err
	}
	if rt != nil {
		n.cluster, n.store = rt, rt.Store
		return nil
	}
	n.store, err = cfs.OpenSQLite(sqlitePath, cfs.WithPollInterval(cfg.StorePoll))
	return err
}

func (n *Node) closeStore() error {
	if n.cluster != nil {
		return n.cluster.Close()
	}
	return n.store.Close()
}

// requestRestart asks the daemon to restart itself a moment later, after
// the task that asked has been recorded.
func (n *Node) requestRestart() {
	go func() {
		time.Sleep(300 * time.Millisecond)
		select {
		case n.restart <- struct{}{}:
		default:
		}
	}()
}

func (cfg *Config) defaults() error {
	if cfg.Root == "" {
		cfg.Root = "/"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(cfg.Root, "var/lib/hostadm")
	}
	if cfg.Listen == "" {
		cfg.Listen = ":8006"
	}
	if cfg.PeerListen == "" {
		cfg.PeerListen = ":2380"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Runner == nil {
		cfg.Runner = host.ExecRunner{}
	}
	if cfg.StorePoll == 0 {
		cfg.StorePoll = 500 * time.Millisecond
	}
	if cfg.PowerDelay == 0 {
		cfg.PowerDelay = 2 * time.Second
	}
	if cfg.Node == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("node name: %w", err)
		}
		cfg.Node, _, _ = strings.Cut(h, ".")
	}
	return nil
}

func (n *Node) build(ctx context.Context, root host.Root) error {
	cfg := n.Config
	authCfg := access.Config{Store: n.store, Logger: cfg.Logger, PAMConfDir: cfg.PAMConfDir, PAMService: cfg.PAMService}
	if cfg.Fast {
		authCfg.KDF = access.KDFParams{MemoryKiB: 64, Time: 1, Threads: 1}
	}
	authSvc, err := access.New(authCfg)
	if err != nil {
		return err
	}
	if err := authSvc.EnsureKeys(ctx); err != nil {
		return err
	}
	tm, err := tasks.NewManager(tasks.Config{
		Dir: root.Path("/var/log/pve/tasks"), Node: cfg.Node, Logger: cfg.Logger,
		// Whether a task's process lives is a fact of this machine, not of
		// the host root: the daemon and the CLI are real processes.
		ProcDir:  "/proc",
		OnFinish: n.taskFinished, // finished tasks for the metrics
	})
	if err != nil {
		return err
	}
	certCfg := certs.Config{Store: n.store, Node: cfg.Node, Hostname: hostname(cfg.Node), Addresses: hostAddresses(), Logger: cfg.Logger}
	if cfg.Fast {
		certCfg.KeyType = certs.KeyECDSA
	}
	certSvc, err := certs.New(certCfg)
	if err != nil {
		return err
	}
	n.Services = &api.Services{
		Node: cfg.Node, Root: root, Runner: cfg.Runner, Store: n.store,
		Auth: authSvc, Tasks: tm, Certs: certSvc,
		NodeStat:   metrics.NewNode(metrics.NodeConfig{Root: root}),
		Network:    network.New(network.Config{Root: root, Runner: cfg.Runner, Logger: cfg.Logger, Applier: cfg.NetworkApplier, NetNS: cfg.NetworkNetNS}),
		Logger:     cfg.Logger,
		PowerDelay: cfg.PowerDelay,
		History:    n.history, RawRoot: n.rawRoot, RawStore: n.rawStore,
	}
	n.Services.Storage = storage.New(n.store, cfg.Node)
	n.Services.Disks = disks.New(disks.Config{Root: root, Runner: cfg.Runner, Logger: cfg.Logger})
	n.Services.HostCfg = hostcfg.New(hostcfg.Config{Root: root, Runner: cfg.Runner, Logger: cfg.Logger})
	n.Services.NodeCfg = nodecfg.New(nodecfg.Config{Store: n.store, Root: root, Node: cfg.Node, Logger: cfg.Logger})
	n.Services.Guests = guests.New(guests.Config{Root: root, Store: n.store, Node: cfg.Node, Logger: cfg.Logger,
		Tasks: tm, Accel: cfg.QEMUAccel, Nodes: n.clusterNodes, Online: n.nodeOnline, NodeAddr: n.nodeAddr})
	n.Services.Metrics = metrics.NewService(metrics.ServiceConfig{
		Node: cfg.Node, NodeStat: n.Services.NodeStat, Store: n.store, Logger: cfg.Logger,
		HistoryDir: filepath.Join(cfg.DataDir, "rrd"),
		Storages: storageSource{svc: n.Services.Storage,
			prober: storage.Prober{Root: root, Runner: cfg.Runner}},
		Guests: guestSource{svc: n.Services.Guests},
	})
	n.Services.Boot = boot.New(boot.Config{Root: root, Runner: cfg.Runner, Logger: cfg.Logger})
	n.Services.Metrics.Registry().MustRegister(n.Services.Guests.Collector())
	n.Services.Apt = apt.New(apt.Config{Root: root, Runner: cfg.Runner, Logger: cfg.Logger, Store: n.store,
		Mail: apt.MailConfig{Hostname: hostname(cfg.Node), Relay: cfg.MailRelay, Users: authSvc}})
	clusterCfg := cluster.Config{DataDir: cfg.DataDir, Node: cfg.Node, PeerListen: cfg.PeerListen,
		Advertise: advertiseURL(cfg), Store: n.store, Runtime: n.cluster, Certs: certSvc, Logger: cfg.Logger}
	if cfg.runMember {
		clusterCfg.Restart = n.requestRestart
	}
	n.Services.Cluster = cluster.New(clusterCfg)
	if err := n.buildACME(certSvc); err != nil {
		return err
	}
	// see runMember
	a, err := api.New(api.Config{Services: n.Services, AuthFailDelay: cfg.AuthFailDelay, Limits: cfg.Limits,
		Lazy: !cfg.runMember})
	if err != nil {
		return err
	}
	n.API = a
	return nil
}

// buildACME adds the ACME service and its metrics.
func (n *Node) buildACME(certSvc *certs.Service) error {
	cfg := n.Config
	ac := acme.Config{Store: n.store, Node: cfg.Node, Certs: certSvc, NodeCfg: n.Services.NodeCfg, Logger: cfg.Logger,
		RootCAs: cfg.ACMERoots, HTTPPort: cfg.ACMEHTTPPort, Resolvers: cfg.ACMEResolvers}
	if cfg.Fast {
		ac.AccountKeyBits, ac.CertKeyType, ac.LoopbackOnly = 2048, "ec256", true
	}
	svc, err := acme.New(ac)
	if err != nil {
		return err
	}
	n.Services.ACME = svc
	return n.Services.Metrics.Registry().Register(svc.Collector())
}

// Store is the node's cluster file store.
func (n *Node) Store() cfs.Store { return n.store }

// Close stops running tasks (they are recorded as interrupted) and closes
// the store.
func (n *Node) Close(ctx context.Context) error {
	var errs []error
	if n.Services != nil && n.Services.Tasks != nil {
		errs = append(errs, n.Services.Tasks.Shutdown(ctx))
	}
	errs = append(errs, n.closeStore(), n.history.Close())
	return errors.Join(errs...)
}

func hostname(node string) string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return node
	}
	return h
}

// hostAddresses are the host's unicast addresses, for the certificate's
// subject alternative names.
func hostAddresses() []net.IP {
	var out []net.IP
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
			out = append(out, n.IP)
		}
	}
	return out
}

// advertiseURL is --advertise, or https://ADDRESS:PORT from --listen with the
// node's first non-loopback address when --listen names no host.
func advertiseURL(cfg Config) string {
	if cfg.Advertise != "" {
		return cfg.Advertise
	}
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = hostname(cfg.Node)
		for _, a := range hostAddresses() {
			if !a.IsLoopback() {
				host = a.String()
				break
			}
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}
