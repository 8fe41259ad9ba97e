package guests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"hostadm/internal/cfs"
)

// Live migration meets in the cluster store: the source writes a request
// under the target's nodes/TARGET/qemu-migrate/VMID.json; the target's
// watcher (RunIncoming) starts QEMU with -incoming on its cluster address
// and writes back where it listens; the source runs QEMU's migration over
// TCP, watching that the target node stays online. Once QEMU reports it
// completed, the source commits: it turns the request's state from
// "listening" to "commit" (a compare-and-swap the restarted target races
// against when it gives up an incoming VM), puts the config on the target
// node and removes its own. The VM belongs to the target once the source's
// config is gone; only then does the target let it run. Any failure before
// that leaves the VM running on the source with its config there.

// migrateRequest is the rendezvous file.
type migrateRequest struct {
	VMID   int    `json:"vmid"`
	Source string `json:"source"`
	State  string `json:"state"` // request, listening, commit, running, failed
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
func (s *Service) Migrate(ctx context.Context, vmid int, opts MigrateOptions, log TaskLog) error {
	target := opts.Target
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
		if err := s.migrateLive(ctx, l, opts, p, log); err != nil {
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

// moveConfig puts the config on the target node and removes it here. The
// removal here is the point of no return: the target lets the VM run only
// once its own copy exists and this one is gone, so when the removal fails
// the target's copy is withdrawn and the VM stays here.
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

func (s *Service) migrateLive(ctx context.Context, l *Loaded, opts MigrateOptions, p *procInfo, log TaskLog) error {
	vmid, target := l.VMID, opts.Target
	req := migrateRequest{VMID: vmid, Source: s.cfg.Node, State: "request", Started: s.startedAt(vmid, p)}
	b, _ := json.Marshal(req)
	rpath := migratePath(target, vmid)
	if _, err := s.cfg.Store.Put(ctx, rpath, b, cfs.NoVersion); err != nil {
		return fmt.Errorf("ask node '%s' to receive VM %d: %w", target, vmid, err)
	}
	defer s.cfg.Store.Delete(context.WithoutCancel(ctx), rpath, cfs.AnyVersion) //nolint:errcheck // the target gives up without it
	log.Printf("starting VM %d on remote node '%s'", vmid, target)
	uri, version, err := s.waitListening(ctx, rpath, target)
	if err != nil {
		return err
	}
	log.Printf("starting online/live migration on %s", uri)
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "migrate-set-parameters", Arguments: migrateParams(opts.BWLimit)},
		qmpCmd{Execute: "migrate", Arguments: map[string]string{"uri": uri}}); err != nil {
		return err
	}
	log.Printf("start migrate command to %s", uri)
	info, err := s.waitMigrated(ctx, vmid, target, log)
	if err == nil {
		log.Printf("migration status: completed")
		log.Printf("migration downtime: %d ms", info.Downtime)
		err = s.commit(ctx, l, target, rpath, version)
	}
	if err != nil {
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

// commit hands the VM over after QEMU completed: the target must still be
// online and must not have given the incoming VM up (the request's state
// moves from "listening" at version to "commit"), then the config moves.
func (s *Service) commit(ctx context.Context, l *Loaded, target, rpath string, version int64) error {
	if !s.online(ctx, target) {
		return fmt.Errorf("target node '%s' went offline", target)
	}
	e, err := s.cfg.Store.Get(ctx, rpath)
	if err != nil {
		return fmt.Errorf("migration request: %w", err)
	}
	var r migrateRequest
	if err := json.Unmarshal(e.Data, &r); err != nil {
		return fmt.Errorf("migration request: %w", err)
	}
	if e.Version != version || r.State != "listening" {
		return fmt.Errorf("target node '%s' gave the VM up (%s %s)", target, r.State, r.Error)
	}
	r.State = "commit"
	b, _ := json.Marshal(r)
	if _, err := s.cfg.Store.Put(ctx, rpath, b, version); err != nil {
		return fmt.Errorf("target node '%s' gave the VM up: %w", target, err)
	}
	return s.moveConfig(ctx, l, target)
}

// online tells whether a cluster node is reachable (always, without a
// cluster).
func (s *Service) online(ctx context.Context, node string) bool {
	return s.cfg.Online == nil || s.cfg.Online(ctx, node)
}

// migrateParams are QEMU's migration parameters: a 100 ms downtime
// target and the bandwidth cap (bwlimit KiB/s; 0: 16 GiB/s, as Proxmox
// sets instead of QEMU's 128 MiB/s). The cap is always set: QEMU keeps
// parameters from one migration to the next, so a capped attempt that
// failed would otherwise slow every later one down.
func migrateParams(bwlimit int64) map[string]any {
	if bwlimit <= 0 {
		bwlimit = 16 << 20
	}
	return map[string]any{"downtime-limit": 100, "max-bandwidth": bwlimit << 10}
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

// waitListening waits until the target's QEMU listens and returns its
// address and the request's version then; it gives up when the target
// fails, goes offline or takes longer than 30 s.
func (s *Service) waitListening(ctx context.Context, rpath, target string) (string, int64, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		e, err := s.cfg.Store.Get(ctx, rpath)
		if err != nil {
			return "", 0, fmt.Errorf("migration request: %w", err)
		}
		var r migrateRequest
		if json.Unmarshal(e.Data, &r) == nil {
			switch r.State {
			case "listening":
				return r.URI, e.Version, nil
			case "failed":
				return "", 0, fmt.Errorf("target: %s", r.Error)
			}
		}
		if !s.online(ctx, target) {
			return "", 0, fmt.Errorf("target node '%s' went offline", target)
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			return "", 0, err
		}
	}
	return "", 0, errors.New("the target node did not start the VM in time")
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

// waitMigrated waits until QEMU reports the migration completed; it
// cancels the migration when it fails or the target node goes offline (a
// target whose daemon died would never take the VM over).
func (s *Service) waitMigrated(ctx context.Context, vmid int, target string, log TaskLog) (migrateInfo, error) {
	last := time.Now()
	for {
		if !s.online(ctx, target) {
			_, _ = s.qmpRun(context.WithoutCancel(ctx), vmid, qmpCmd{Execute: "migrate_cancel"})
			return migrateInfo{}, fmt.Errorf("target node '%s' went offline", target)
		}
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
