package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"hostadm/internal/api"
	"hostadm/internal/daemon"
)

// runServe is `hostadm serve`: the node daemon.
func runServe(env *Env, args []string) error {
	fs := flag.NewFlagSet("hostadm serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cfg daemon.Config
	fs.StringVar(&cfg.Root, "root", "/", "host root prefix: every host file is read and written below `DIR`")
	fs.StringVar(&cfg.DataDir, "data-dir", "", "state `DIR` (cluster file store database); default ROOT/var/lib/hostadm")
	fs.StringVar(&cfg.Listen, "listen", ":8006", "HTTPS listen `ADDR`ess (host:port)")
	fs.StringVar(&cfg.Node, "node", "", "this node's `NAME`; default: the host name up to the first dot")
	fs.StringVar(&cfg.MailRelay, "mail-relay", "", "SMTP relay `HOST:PORT` for the daily update mail when there is no /usr/sbin/sendmail")
	applier := fs.String("network-applier", "auto", "`APPLIER` for network changes: auto (ifupdown2's ifreload when installed, else native netlink), ifupdown2 or native")
	fs.StringVar(&cfg.PeerListen, "peer-listen", ":2380", "cluster store (etcd) peer `HOST:PORT`, TLS with certificates signed by the cluster CA; used once the node is in a cluster")
	fs.StringVar(&cfg.Advertise, "advertise", "", "`URL` other cluster nodes reach this node's API at (https://HOST:PORT); default from --listen and the node's address")
	fs.BoolVar(&cfg.Fast, "test-fast", false, "for tests only: ECDSA keys, cheap password hashing, cluster store without fsync")
	fs.StringVar(&cfg.MetricsListen, "metrics-listen", "", "also serve Prometheus's GET /metrics over plain HTTP on `ADDR` (host:port), "+
		"WITHOUT authentication; default off (/metrics on --listen needs an API token)")
	fs.IntVar(&cfg.MaxConns, "max-conns", 4096, "most HTTPS connections open at once (`N`)")
	fs.IntVar(&cfg.MaxConnsPerAddr, "max-conns-per-addr", 64, "most HTTPS connections open at once from one client address, an IPv6 /64 counting as one (`N`)")
	fs.IntVar(&cfg.ConnRate, "conn-rate", 32, "new HTTPS connections a second one client address may open after a burst of 128; more are closed before the TLS handshake (`N`)")
	mount := fs.String("mount", "auto", "serve the cluster file store as a file system at `DIR` (Proxmox's /etc/pve); "+
		"auto: /etc/pve when --root is /, where the kernel offers FUSE; none: no mount")
	logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn, error")
	authDelay := fs.Duration("auth-fail-delay", 3*time.Second, "delay before answering a failed authentication (`DURATION`)")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Usage: hostadm serve [flags]\n\nRuns the node daemon: HTTPS API on /api2/json, web UI at /, background jobs.\nStops cleanly on SIGTERM or SIGINT.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.AuthFailDelay = *authDelay
	switch *applier {
	case "auto":
	case "ifupdown2", "native":
		cfg.NetworkApplier = *applier
	default:
		return fmt.Errorf("--network-applier: '%s' is not auto, ifupdown2 or native", *applier)
	}
	switch *mount {
	case "none", "":
	case "auto":
		if filepath.Clean(cfg.Root) == "/" {
			if _, err := os.Stat("/dev/fuse"); err == nil {
				cfg.Mount = "/etc/pve"
			} else {
				cfg.Logger.Warn("not mounting /etc/pve: the kernel offers no FUSE device", "err", err)
			}
		}
	default:
		cfg.Mount = *mount
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv, err := daemon.Start(ctx, cfg)
	if err != nil {
		return err
	}
	restart := false
	select {
	case <-ctx.Done():
	case err := <-srv.Done():
		return err
	case <-srv.RestartRequested():
		restart = true
	}
	cfg.Logger.Info("shutting down", "restart", restart)
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil || !restart {
		return err
	}
	// A node that created or joined a cluster comes back on the cluster's
	// store, as Proxmox restarts its services after a join: the same
	// process (and PID), the same arguments.
	return syscall.Exec("/proc/self/exe", os.Args, os.Environ())
}

func runVersion(env *Env, _ []string) error {
	fmt.Fprintf(env.Stdout, "hostadm %s (Proxmox VE API %s)\n", api.HostadmVersion, api.PVEVersion)
	return nil
}
