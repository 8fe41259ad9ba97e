package guests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"hostadm/internal/cfs"
)

// Live migration meets in the cluster store: the source writes a request
// under the target's nodes/TARGET/qemu-migrate/VMID.json; the target's
// watcher (RunIncoming) starts QEMU with -incoming on its cluster address
// and writes back where it listens; the source runs QEMU's migration over
// TCP, and only once QEMU reports it completed moves the config to the
// target node, which then lets the VM run. Any failure before that leaves
// the VM running on the source with its config there.

// migrateRequest is the rendezvous file.
type migrateRequest struct {
	VMID   int    `json:"vmid"`
	Source string `json:"source"`
	State  string `json:"state"` // request, listening, failed
	URI    string `json:"uri,omitempty"`
	Error  string `json:"error,omitempty"`
	// Started is when the VM first started (epoch), so its uptime carries over.
	Started int64 `json:"started"`
}

func migratePath(node string, vmid int) string {
	return fmt.Sprintf("nodes/%s/qemu-migrate/%d.json", node, vmid)
}

// nodeAddr is the address the node listens on for migrations.
func (s *Service) nodeAddr(ctx context.Context, node string) string {
	if s.cfg.NodeAddr != nil {
		if a, err := s.cfg.NodeAddr(ctx, node); err == nil && a != "" {
			return a
		}
	}
	return "127.0.0.1"
}

// Migrate moves a VM of the local node to target: its config only when it
// is stopped, the running VM with QEMU's live migration otherwise.
func (s *Service) Migrate(ctx context.Context, vmid int, target string, online bool, log TaskLog) error {
	if err := s.CheckMigrateTarget(ctx, target); err != nil {
		return err
	}
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	l, err := s.Load(ctx, vmid)
	if err != nil {
		return err
	}
	start := time.Now()
	log.Printf("starting migration of VM %d to node '%s' (%s)", vmid, target, s.nodeAddr(ctx, target))
	p := s.Running(vmid)
	if p != nil {
		if err := s.migrateLive(ctx, l, target, p, log); err != nil {
			log.Printf("migration aborted (duration %s): %v", hms(time.Since(start)), err)
			return fmt.Errorf("migration aborted")
		}
	} else if err := s.moveConfig(ctx, l, target); err != nil {
		return err
	}
	log.Printf("migration finished successfully (duration %s)", hms(time.Since(start)))
	return nil
}

func hms(d time.Duration) string {
	s := int(d.Seconds())
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// moveConfig puts the config on the target node and removes it here.
func (s *Service) moveConfig(ctx context.Context, l *Loaded, target string) error {
	data := l.Config.Bytes()
	if _, err := s.cfg.Store.Put(ctx, ConfPath(target, l.VMID), data, cfs.NoVersion); err != nil {
		return fmt.Errorf("move config of VM %d to node '%s': %w", l.VMID, target, err)
	}
	if err := s.cfg.Store.Delete(ctx, ConfPath(l.Node, l.VMID), l.Version); err != nil {
		_ = s.cfg.Store.Delete(ctx, ConfPath(target, l.VMID), cfs.AnyVersion)
		return fmt.Errorf("remove config of VM %d here: %w", l.VMID, err)
	}
	return nil
}

func (s *Service) migrateLive(ctx context.Context, l *Loaded, target string, p *procInfo, log TaskLog) error {
	vmid := l.VMID
	req := migrateRequest{VMID: vmid, Source: s.cfg.Node, State: "request", Started: s.startedAt(vmid, p)}
	b, _ := json.Marshal(req)
	rpath := migratePath(target, vmid)
	if _, err := s.cfg.Store.Put(ctx, rpath, b, cfs.NoVersion); err != nil {
		return fmt.Errorf("ask node '%s' to receive VM %d: %w", target, vmid, err)
	}
	defer s.cfg.Store.Delete(context.WithoutCancel(ctx), rpath, cfs.AnyVersion) //nolint:errcheck // the target gives up without it
	log.Printf("starting VM %d on remote node '%s'", vmid, target)
	uri, err := s.waitListening(ctx, rpath)
	if err != nil {
		return err
	}
	log.Printf("starting online/live migration on %s", uri)
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "migrate-set-parameters", Arguments: s.migrateParams()},
		qmpCmd{Execute: "migrate", Arguments: map[string]string{"uri": uri}}); err != nil {
		return err
	}
	log.Printf("start migrate command to %s", uri)
	info, err := s.waitMigrated(ctx, vmid, log)
	if err != nil {
		s.resumeSource(ctx, vmid, log)
		return err
	}
	log.Printf("migration status: completed")
	log.Printf("migration downtime: %d ms", info.Downtime)
	if err := s.moveConfig(ctx, l, target); err != nil {
		s.resumeSource(ctx, vmid, log)
		return err
	}
	if err := s.waitState(ctx, rpath, "running"); err != nil {
		log.Warn("VM %d on node '%s': %v", vmid, target, err)
	} else {
		log.Printf("VM %d runs on node '%s'", vmid, target)
	}
	_, _ = s.qmpRun(ctx, vmid, qmpCmd{Execute: "quit"})
	if !s.waitGone(ctx, vmid, 10*time.Second) {
		s.kill(vmid)
	}
	s.cleanupRuntime(vmid)
	return nil
}

// migrateParams limits the bandwidth when the service is told to (tests
// slow a migration down to interrupt it).
func (s *Service) migrateParams() map[string]any {
	m := map[string]any{"downtime-limit": 100}
	if s.cfg.MigrateBandwidth > 0 {
		m["max-bandwidth"] = s.cfg.MigrateBandwidth
	}
	return m
}

// setState records the target's progress in the request file.
func (s *Service) setState(ctx context.Context, rpath, state string) {
	e, err := s.cfg.Store.Get(ctx, rpath)
	if err != nil {
		return
	}
	var r migrateRequest
	if json.Unmarshal(e.Data, &r) != nil {
		return
	}
	r.State = state
	b, _ := json.Marshal(r)
	_, _ = s.cfg.Store.Put(ctx, rpath, b, e.Version)
}

// waitState waits until the target reports the VM running.
func (s *Service) waitState(ctx context.Context, rpath, want string) error {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		e, err := s.cfg.Store.Get(ctx, rpath)
		if err != nil {
			return err
		}
		var r migrateRequest
		if json.Unmarshal(e.Data, &r) == nil && r.State == want {
			return nil
		}
		if r.State == "failed" {
			return fmt.Errorf("not resumed: %s", r.Error)
		}
		if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return errors.New("not resumed in time")
}

func (s *Service) waitListening(ctx context.Context, rpath string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		e, err := s.cfg.Store.Get(ctx, rpath)
		if err != nil {
			return "", fmt.Errorf("migration request: %w", err)
		}
		var r migrateRequest
		if json.Unmarshal(e.Data, &r) == nil {
			switch r.State {
			case "listening":
				return r.URI, nil
			case "failed":
				return "", fmt.Errorf("target: %s", r.Error)
			}
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			return "", err
		}
	}
	return "", errors.New("the target node did not start the VM in time")
}

// migrateInfo is query-migrate's answer (the parts used).
type migrateInfo struct {
	Status   string `json:"status"`
	Downtime int64  `json:"downtime"`
	RAM      struct {
		Transferred int64   `json:"transferred"`
		Total       int64   `json:"total"`
		MBps        float64 `json:"mbps"`
	} `json:"ram"`
	ErrorDesc string `json:"error-desc"`
}

func (s *Service) waitMigrated(ctx context.Context, vmid int, log TaskLog) (migrateInfo, error) {
	last := time.Now()
	for {
		out, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "query-migrate"})
		if err != nil {
			_, _ = s.qmpRun(context.WithoutCancel(ctx), vmid, qmpCmd{Execute: "migrate_cancel"})
			return migrateInfo{}, err
		}
		var mi migrateInfo
		if err := json.Unmarshal(out[0], &mi); err != nil {
			return mi, fmt.Errorf("query-migrate: %w", err)
		}
		switch mi.Status {
		case "completed":
			return mi, nil
		case "failed", "cancelled":
			msg := mi.ErrorDesc
			if msg == "" {
				msg = mi.Status
			}
			return mi, fmt.Errorf("migration status error: %s", msg)
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			log.Printf("migration active, transferred %s of %s VM-state, %.1f MiB/s",
				mib(mi.RAM.Transferred), mib(mi.RAM.Total), mi.RAM.MBps/8)
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			_, _ = s.qmpRun(context.WithoutCancel(ctx), vmid, qmpCmd{Execute: "migrate_cancel"})
			return mi, err
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// resumeSource lets the VM run again here after a failed migration.
func (s *Service) resumeSource(ctx context.Context, vmid int, log TaskLog) {
	ctx = context.WithoutCancel(ctx)
	if st, err := s.QueryStatus(ctx, vmid); err == nil && st != "running" {
		if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "cont"}); err != nil {
			log.Warn("could not resume VM %d after the failed migration: %v", vmid, err)
			return
		}
	}
	log.Printf("VM %d keeps running on node '%s'", vmid, s.cfg.Node)
}

// RunIncoming is the target side: it answers migration requests for this
// node until ctx ends.
func (s *Service) RunIncoming(ctx context.Context) {
	prefix := "nodes/" + s.cfg.Node + "/qemu-migrate/"
	ch, err := s.cfg.Store.Watch(ctx, prefix)
	if err != nil {
		s.cfg.Logger.Warn("migration watcher", "err", err)
		return
	}
	for ev := range ch {
		if ev.Deleted || !strings.HasSuffix(ev.Path, ".json") {
			continue
		}
		vmid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(ev.Path, prefix), ".json"))
		if err != nil {
			continue
		}
		go s.receive(ctx, vmid)
	}
}

// receive starts the incoming QEMU for a request, then waits for the
// config to arrive (success: the VM runs) or the request to vanish
// without it (failure: the incoming QEMU goes).
func (s *Service) receive(ctx context.Context, vmid int) {
	rpath := migratePath(s.cfg.Node, vmid)
	e, err := s.cfg.Store.Get(ctx, rpath)
	if err != nil {
		return
	}
	var r migrateRequest
	if json.Unmarshal(e.Data, &r) != nil || r.State != "request" {
		return
	}
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	fail := func(err error) {
		r.State, r.Error = "failed", err.Error()
		b, _ := json.Marshal(r)
		_, _ = s.cfg.Store.Put(ctx, rpath, b, e.Version)
	}
	src, err := s.loadOn(ctx, r.Source, vmid)
	if err != nil {
		fail(err)
		return
	}
	if s.Running(vmid) != nil {
		fail(fmt.Errorf("VM %d already running on node '%s'", vmid, s.cfg.Node))
		return
	}
	uri, err := s.freeURI(ctx)
	if err != nil {
		fail(err)
		return
	}
	pid, err := s.launch(ctx, vmid, SettingsOf(src.Config), uri)
	if err != nil {
		fail(err)
		return
	}
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "migrate-incoming", Arguments: map[string]string{"uri": uri}}); err != nil {
		s.kill(vmid)
		fail(err)
		return
	}
	s.writeStarted(vmid, pid, r.Started)
	r.State, r.URI = "listening", uri
	b, _ := json.Marshal(r)
	if _, err := s.cfg.Store.Put(ctx, rpath, b, e.Version); err != nil {
		s.kill(vmid)
		return
	}
	s.awaitConfig(ctx, vmid, rpath)
}

func (s *Service) awaitConfig(ctx context.Context, vmid int, rpath string) {
	for {
		if _, err := s.cfg.Store.Get(ctx, ConfPath(s.cfg.Node, vmid)); err == nil {
			state := "running"
			if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "cont"}); err != nil {
				s.cfg.Logger.Warn("resume migrated VM", "vmid", vmid, "err", err)
				state = "failed"
			}
			s.setState(ctx, rpath, state)
			return
		}
		if _, err := s.cfg.Store.Get(ctx, rpath); errors.Is(err, cfs.ErrNotFound) || s.Running(vmid) == nil || ctx.Err() != nil {
			if _, err := s.cfg.Store.Get(context.WithoutCancel(ctx), ConfPath(s.cfg.Node, vmid)); err != nil {
				s.kill(vmid) // the migration failed: the source keeps the VM
				s.cleanupRuntime(vmid)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeURI picks a free TCP port on the node's migration address.
func (s *Service) freeURI(ctx context.Context) (string, error) {
	addr := s.nodeAddr(ctx, s.cfg.Node)
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		return "", fmt.Errorf("no migration port on %s: %w", addr, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return "tcp:" + net.JoinHostPort(addr, strconv.Itoa(port)), nil
}

// startedAt is when the VM first started: carried over from a migration,
// else its process start.
func (s *Service) startedAt(vmid int, p *procInfo) int64 {
	if b, err := os.ReadFile(s.runPath(vmid, ".started")); err == nil {
		var pid int
		var at int64
		if _, err := fmt.Sscan(string(b), &pid, &at); err == nil && pid == p.PID {
			return at
		}
	}
	return bootTime() + int64(p.StartTick/clkTck)
}

func (s *Service) writeStarted(vmid, pid int, at int64) {
	if at > 0 {
		_ = os.WriteFile(s.runPath(vmid, ".started"), []byte(fmt.Sprintf("%d %d\n", pid, at)), 0o644)
	}
}
