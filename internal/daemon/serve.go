package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a running daemon.
type Server struct {
	node     *Node
	http     *http.Server
	listener net.Listener
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
	bg, cancel := context.WithCancel(context.Background())
	s := &Server{node: n, listener: ln, done: make(chan error, 1), cancel: cancel}
	s.http = &http.Server{
		Handler:           n.handler(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          nil,
	}
	go reloader.Run(bg)
	go n.sampleLoop(bg)
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

// sampleLoop keeps the CPU usage figure of node status current.
func (n *Node) sampleLoop(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		n.Services.NodeStat.Sample(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (n *Node) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api2/", n.API)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "hostadm: the web UI is not built into this binary; run `make` to build it. The API is at /api2/json/.")
	})
	return mux
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Node is the server's node.
func (s *Server) Node() *Node { return s.node }

// Shutdown stops accepting requests, lets running requests finish, tells
// running tasks to stop (they are recorded as interrupted) and closes the
// store, all within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	s.cancel()
	err = errors.Join(err, s.node.Close(ctx))
	if serveErr := <-s.done; serveErr != nil {
		err = errors.Join(err, serveErr)
	}
	return err
}

// Done reports the server's end (an error when it failed).
func (s *Server) Done() <-chan error { return s.done }
