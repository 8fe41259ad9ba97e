package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"hostadm/internal/apt"
	"hostadm/internal/web"
)

// Server is a running daemon.
type Server struct {
	node     *Node
	http     *http.Server
	listener net.Listener
	metrics  *metricsServer // --metrics-listen; nil when not configured
	done     chan error
	cancel   context.CancelFunc
}

// Start creates the certificates if needed, listens and serves in the
// background. Addr tells where it listens.
func Start(ctx context.Context, cfg Config) (*Server, error) {
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
	tlsCfg := reloader.TLSConfig()
	ln, err := net.Listen("tcp", n.Config.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", n.Config.Listen, err)
	}
	s := &Server{node: n, listener: ln, done: make(chan error, 1)}
	if n.Config.MetricsListen != "" {
		if s.metrics, err = n.startMetricsServer(); err != nil {
			ln.Close()
			return nil, err
		}
	}
	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.http = &http.Server{
		Handler:           n.handler(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          nil,
	}
	go reloader.Run(bg)
	go n.Services.Metrics.Run(bg) // samples the node (status CPU figure too) and exports
	go n.Services.Apt.RunDaily(bg, apt.DailyConfig{Tasks: n.Services.Tasks, Logger: n.Config.Logger})
	go n.API.WatchNetworkRollback(bg) // resumes a pending network rollback (internal/network/rollback.go)
	go func() {
		err := s.http.Serve(tls.NewListener(ln, tlsCfg))
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	n.Config.Logger.Info("hostadm serving", "listen", ln.Addr().String(), "node", n.Config.Node)
	return s, nil
}

func (n *Node) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api2/", n.API)
	mux.Handle("/metrics", n.API.PrometheusHandler()) // Prometheus scrapes, with an API token
	mux.Handle("/", web.Handler())
	return mux
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

// Node is the server's node.
func (s *Server) Node() *Node { return s.node }

// Shutdown stops accepting requests, lets running requests finish, tells
// running tasks to stop (they are recorded as interrupted) and closes the
// store, all within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	err := errors.Join(s.http.Shutdown(ctx), s.metrics.shutdown(ctx))
	s.cancel()
	err = errors.Join(err, s.node.Close(ctx))
	if serveErr := <-s.done; serveErr != nil {
		err = errors.Join(err, serveErr)
	}
	return err
}

// Done reports the server's end (an error when it failed).
func (s *Server) Done() <-chan error { return s.done }
