package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hostadm/internal/cfs"
	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/metrics/wire"
)

// DefaultInterval is the collection rhythm, pvestatd's 10 seconds.
const DefaultInterval = 10 * time.Second

// ServiceConfig is what a Service is built from.
type ServiceConfig struct {
	Node     string // the local node's name
	NodeStat *Node
	Store    cfs.Store
	Logger   *slog.Logger
	Clock    func() time.Time
	// Interval is the collection rhythm; 0 means DefaultInterval.
	Interval time.Duration
	// QueueLen is each metric server's queue in rounds (export default).
	QueueLen int
	// HistoryDir holds the round-robin history behind rrddata (the daemon
	// passes DATADIR/rrd); empty keeps no history.
	HistoryDir string
	// Storages and Guests supply the round's storage and guest data; nil
	// sends none (see sources.go).
	Storages StorageSource
	Guests   GuestSource
}

// Service runs the collection loop: every Interval it samples the node,
// builds the round's data objects, hands them to the exporters without
// waiting for them, and keeps them for the pull export.
type Service struct {
	cfg       ServiceConfig
	Exporters *export.Manager
	pull      *pullCache
	hist      *history
	shist     *storageHistory
	src       sourceState
	loop      loopStats
	tasks     *taskStats
	reg       *prometheus.Registry
	// promHandler serves reg (see Handler).
	promHandler http.Handler

	reloadMu sync.Mutex
}

// NewService builds a Service; nothing runs until Run.
func NewService(cfg ServiceConfig) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	s := &Service{
		cfg:       cfg,
		Exporters: export.NewManager(export.Config{Logger: cfg.Logger, Clock: cfg.Clock, QueueLen: cfg.QueueLen}),
		pull:      newPullCache(pullGenerations),
		hist:      newHistory(cfg.HistoryDir, cfg.Node, cfg.Logger),
		shist:     newStorageHistory(cfg.HistoryDir, cfg.Node, cfg.Logger),
		loop:      newLoopStats(),
		tasks:     newTaskStats(),
	}
	s.reg = s.newRegistry()
	s.promHandler = s.newHandler()
	return s
}

// Node is the local node's name.
func (s *Service) Node() string { return s.cfg.Node }

// Reload reads status.cfg and the tokens and restarts what changed.
func (s *Service) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	servers, err := statuscfg.Servers(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	s.Exporters.Apply(servers)
	return nil
}

// Run collects every Interval until ctx ends, reloading the servers when
// status.cfg or a token changes (also by another process).
func (s *Service) Run(ctx context.Context) {
	defer s.Exporters.Close()
	if err := s.hist.open(); err != nil {
		s.cfg.Logger.Error("metric history", "err", err.Error())
	}
	s.shist.start()
	defer func() {
		if err := errors.Join(s.hist.close(), s.shist.close()); err != nil {
			s.cfg.Logger.Error("metric history", "err", err.Error())
		}
	}()
	changes := s.watch(ctx)
	if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
		s.cfg.Logger.Error("metric servers", "err", err.Error())
	}
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.CollectOnce(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("metric collection", "err", err.Error())
		}
		if !s.waitTick(ctx, t.C, changes) {
			return
		}
	}
}

// waitTick waits for the next tick, reloading the servers whenever their
// configuration changes meanwhile (collection keeps to the ticker). It is
// false when ctx ends.
func (s *Service) waitTick(ctx context.Context, tick <-chan time.Time, changes <-chan struct{}) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changes:
			if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Error("metric servers", "err", err.Error())
			}
		case <-tick:
			return true
		}
	}
}

// watch merges change events of status.cfg and the tokens into one channel.
func (s *Service) watch(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	for _, prefix := range []string{statuscfg.Path, statuscfg.PrivDir + "/"} {
		ch, err := s.cfg.Store.Watch(ctx, prefix)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("watch metric servers", "prefix", prefix, "err", err.Error())
		}
		if err != nil {
			continue
		}
		go func() {
			for range ch {
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}()
	}
	return out
}

// CollectOnce runs one round: sample, build objects, publish, remember.
func (s *Service) CollectOnce(ctx context.Context) (err error) {
	start := time.Now()
	defer func() { s.loop.observe(time.Since(start), err) }()
	smp, err := s.cfg.NodeStat.Sample(ctx)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	objs := append([]wire.Object{NodeObject(s.cfg.Node, &smp)}, s.sourceObjects(ctx, smp.Time)...)
	s.Exporters.Publish(&export.Round{Time: smp.Time, Objects: objs})
	s.pull.add(s.cfg.Node, &smp, s.lastStorages())
	if err := s.hist.add(&smp); err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	return nil
}
