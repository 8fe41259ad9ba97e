package daemon

import (
	"context"
	"errors"
	"fmt"
	"hostadm/internal/cfsfs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"hostadm/internal/acme"
	"hostadm/internal/api"
	"hostadm/internal/apt"
	"hostadm/internal/web"
)

// Server is a running daemon.
type Server struct {
	node     *Node
	http     *http.Server
	listener net.Listener
	conns    *limitListener
	metrics  *metricsServer // --metrics-listen; nil when not configured
	mount    *cfsfs.Server  // --mount; nil when not configured
	done     chan error
	cancel   context.CancelFunc
	loops    sync.WaitGroup // background loops, awaited before the store closes
	stopOnce sync.Once
	stopErr  error
}

// Start creates the certificates if needed, listens and serves in the
// background. Addr tells where it listens.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.runMember = true
	node, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := node.serve(ctx)
	if err != nil {
		node.Close(context.Background())
		return nil, err
	}
	return s, nil
}

func (n *Node) serve(ctx context.Context) (*Server, error) {
	svc := n.Services
	if err := svc.Certs.EnsureCA(ctx); err != nil {
		return nil, err
	}
	if err := svc.Certs.EnsureNodeCert(ctx); err != nil {
		return nil, err
	}
	reloader, err := svc.Certs.NewReloader(ctx)
	if err != nil {
		return nil, err
	}
	tlsCfg := newHandshakeGate(n.Config.Handshakes, handshakeWait).config(reloader.TLSConfig())
	ln, err := net.Listen("tcp", n.Config.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", n.Config.Listen, err)
	}
	limited := newLimitListener(ln, n.Config.MaxConns, n.Config.MaxConnsPerAddr, n.Config.ConnRate)
	s := &Server{node: n, listener: ln, conns: limited, done: make(chan error, 1)}
	if n.Config.MetricsListen != "" {
		if s.metrics, err = n.startMetricsServer(); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if n.Config.Mount != "" {
		if s.mount, err = n.mountStore(ctx); err != nil {
			ln.Close()
			s.metrics.shutdown(ctx)
			return nil, err
		}
	}
	softMemoryLimit()
	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.http = &http.Server{
		Handler:   n.handler(),
		TLSConfig: tlsCfg,
		// Headers (and the TLS handshake) within 10 s; bodies within the
		// api.Limits deadlines, set per request once the caller is known.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// Handshake errors of dropped or refused connections are routine
		// under a flood: debug level, not the standard logger.
		ErrorLog: slog.NewLogLogger(n.Config.Logger.Handler(), slog.LevelDebug),
	}
	kept := newKeptConns(ln.Addr())
	s.http.BaseContext = func(net.Listener) context.Context { return api.WithConnKeeper(context.Background(), kept.keep) }
	s.loop(func() { reloader.Run(bg) })
	s.loop(func() { n.Services.Auth.RunKeyRotation(bg) }) // new authkey every 24 h, the previous one still verifies
	s.loop(func() {                                       // daily ACME renewal check (internal/acme/renew.go)
		n.Services.ACME.RunRenewal(bg, acme.RenewalConfig{Tasks: n.Services.Tasks, Every: n.Config.ACMERenewEvery})
	})
	s.loop(func() { n.history.RunPrune(bg) })     // keeps 90 days, 100 MB of change history
	s.loop(func() { n.Services.Metrics.Run(bg) }) // samples the node (status CPU figure too) and exports
	s.loop(func() { n.Services.Apt.RunDaily(bg, apt.DailyConfig{Tasks: n.Services.Tasks, Logger: n.Config.Logger}) })
	s.loop(func() { n.Services.Guests.RunBalloon(bg, 10*time.Second) }) // pvestatd's auto-ballooning
	s.loop(func() { n.Services.Guests.RunIncoming(bg) })                // live migrations to this node
	s.loop(func() { n.Services.Cluster.Run(bg) })                       // defragmentation of the cluster store
	s.loop(func() { n.API.WatchNetworkRollback(bg) })                   // resumes a pending network rollback (internal/network/rollback.go)
	s.loop(func() { n.Services.Network.RunKernelModel(bg) })            // the native applier's view of the kernel (internal/network/model_linux.go)
	go s.http.Serve(kept)                                               // ends with the server; its error is the one below
	go func() {
		err := s.http.Serve(newHandshakeListener(limited, tlsCfg, handshakeTimeout))
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	n.Config.Logger.Info("hostadm serving", "listen", ln.Addr().String(), "node", n.Config.Node)
	return s, nil
}

// softMemoryLimit makes the garbage collector work harder as the heap
// nears 100 MiB (unless GOMEMLIMIT says otherwise): under a flood of
// connections most of the heap is short-lived garbage of handshakes and
// refused requests, which the default pacing lets grow to twice the live
// heap. It is a target, not a cap: live memory above it still works.
func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
}

// loop runs a background loop that Shutdown waits for.
func (s *Server) loop(f func()) {
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		f()
	}()
}

func (n *Node) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", n.API.PrometheusHandler()) // Prometheus scrapes, with an API token
	mux.Handle("/", web.Handler())
	// The API sees its paths as sent: ServeMux would clean "//" and ".."
	// with a redirect, where Proxmox answers the request itself.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api2" || strings.HasPrefix(r.URL.Path, "/api2/") {
			n.API.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// MetricsAddr is where GET /metrics is served without authentication,
// nil unless Config.MetricsListen is set.
func (s *Server) MetricsAddr() net.Addr {
	if s.metrics == nil {
		return nil
	}
	return s.metrics.ln.Addr()
}

// OpenConns reports the HTTPS connections held now, overall and from
// addr's client (its IPv4 address or IPv6 /64).
func (s *Server) OpenConns(addr net.Addr) (total, client int) { return s.conns.Open(addr) }

// Node is the server's node.
func (s *Server) Node() *Node { return s.node }

// Shutdown stops accepting requests, lets running requests finish, tells
// running tasks to stop (they are recorded as interrupted) and closes the
// store, all within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { s.stopErr = s.shutdown(ctx) })
	return s.stopErr
}

func (s *Server) shutdown(ctx context.Context) error {
	err := errors.Join(s.http.Shutdown(ctx), s.metrics.shutdown(ctx))
	s.cancel()
	loopsDone := make(chan struct{})
	go func() {
		s.loops.Wait()
		close(loopsDone)
	}()
	select {
	case <-loopsDone:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("background loops did not stop: %w", ctx.Err()))
	}
	if s.mount != nil {
		err = errors.Join(err, s.mount.Unmount())
	}
	err = errors.Join(err, s.node.Close(ctx))
	select {
	case serveErr := <-s.done:
		err = errors.Join(err, serveErr)
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	return err
}

// RestartRequested is signalled when the node asks to be restarted: it
// created or joined a cluster and must come up on the cluster's store.
func (s *Server) RestartRequested() <-chan struct{} { return s.node.restart }

// Done reports the server's end (an error when it failed).
func (s *Server) Done() <-chan error { return s.done }
