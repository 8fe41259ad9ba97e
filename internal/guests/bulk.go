package guests

import (
	"bytes"
	"context"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"hostadm/internal/nodecfg/nodeconf"
)

// PlanEntry is one VM of a bulk action, in the order the action takes.
type PlanEntry struct {
	VMID    int    `json:"vmid"`
	Name    string `json:"name,omitempty"`
	Order   int    `json:"order"` // math.MaxInt32 stands for "unset" (last)
	Up      int    `json:"up"`    // -1 when unset
	Down    int    `json:"down"`  // -1 when unset
	OnBoot  bool   `json:"onboot"`
	Running bool   `json:"running"`
}

// BulkOptions are the parameters of startall, stopall, suspendall and migrateall.
type BulkOptions struct {
	Force      bool  // startall: also VMs without onboot
	VMs        []int // only these VMIDs (nil: all)
	MaxWorkers int   // 0: datacenter max_workers, else min(max(1, cpus-1), 8)
	Timeout    int   // stopall: per-VM shutdown timeout when the VM has no down=; < 0: 180
	ForceStop  bool  // stopall: stop hard after the timeout
	Target     string
}

// UnsetOrder sorts VMs without a startup order after all others, like
// Proxmox's LONG_MAX.
const UnsetOrder = math.MaxInt32

// plan lists the local node's VMs for a bulk action (Proxmox's
// get_start_stop_list): filtered by opts.VMs, and by onboot when onlyOnBoot.
func (s *Service) plan(ctx context.Context, onlyOnBoot bool, vms []int) ([]PlanEntry, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	allowed := map[int]bool{}
	for _, v := range vms {
		allowed[v] = true
	}
	var out []PlanEntry
	for _, r := range idx {
		if r.Node != s.cfg.Node || (vms != nil && !allowed[r.VMID]) {
			continue
		}
		l, err := s.loadOn(ctx, r.Node, r.VMID)
		if err != nil {
			continue
		}
		st := SettingsOf(l.Config)
		if onlyOnBoot && !st.OnBoot {
			continue
		}
		e := PlanEntry{VMID: r.VMID, Name: st.Name, Order: st.Startup.Order, Up: st.Startup.Up,
			Down: st.Startup.Down, OnBoot: st.OnBoot, Running: s.Running(r.VMID) != nil}
		if e.Order < 0 {
			e.Order = UnsetOrder
		}
		out = append(out, e)
	}
	return out, nil
}

// StartPlan is the order startall uses: ascending startup order, then VMID.
func (s *Service) StartPlan(ctx context.Context, opts BulkOptions) ([]PlanEntry, error) {
	p, err := s.plan(ctx, !opts.Force, opts.VMs)
	sort.SliceStable(p, func(i, j int) bool {
		if p[i].Order != p[j].Order {
			return p[i].Order < p[j].Order
		}
		return p[i].VMID < p[j].VMID
	})
	return p, err
}

// StopPlan is the order stopall and suspendall use: descending startup
// order, then descending VMID.
func (s *Service) StopPlan(ctx context.Context, opts BulkOptions) ([]PlanEntry, error) {
	p, err := s.plan(ctx, false, opts.VMs)
	sort.SliceStable(p, func(i, j int) bool {
		if p[i].Order != p[j].Order {
			return p[i].Order > p[j].Order
		}
		return p[i].VMID > p[j].VMID
	})
	return p, err
}

// MissingVMs returns the VMIDs of vms that are not VMs of the local node.
func (s *Service) MissingVMs(ctx context.Context, vms []int) ([]int, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	here := map[int]bool{}
	for _, r := range idx {
		if r.Node == s.cfg.Node {
			here[r.VMID] = true
		}
	}
	var out []int
	for _, v := range vms {
		if !here[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

// maxWorkers is Proxmox's get_max_workers.
func (s *Service) maxWorkers(opts BulkOptions) int {
	switch {
	case opts.MaxWorkers > 0:
		return opts.MaxWorkers
	case s.cfg.MaxWorkers > 0:
		return s.cfg.MaxWorkers
	}
	return min(max(1, runtime.NumCPU()-1), 8)
}

// pool runs subtasks with at most n at a time and logs how each ended.
type pool struct {
	s       *Service
	log     TaskLog
	n       int
	verb    string // "Starting", "Stopping", ...
	running []worker
	failed  int
}

type worker struct {
	vmid int
	upid string
	done chan string
}

func (p *pool) add(ctx context.Context, vmid int, upid string) {
	w := worker{vmid: vmid, upid: upid, done: make(chan string, 1)}
	go func() { w.done <- p.s.waitTask(context.WithoutCancel(ctx), upid) }()
	p.running = append(p.running, w)
}

// wait blocks until fewer than limit subtasks run.
func (p *pool) wait(limit int) {
	for len(p.running) >= limit && len(p.running) > 0 {
		w := p.running[0]
		p.running = p.running[1:]
		st := <-w.done
		if st != "OK" && !strings.HasPrefix(st, "WARNINGS") {
			p.failed++
			p.log.Printf("%s VM %d failed: %s", p.verb, w.vmid, st)
		}
		p.log.Printf("subtask %s: %s", w.upid, st)
	}
}

// StartAll is the startall task body.
func (s *Service) StartAll(ctx context.Context, user string, opts BulkOptions, log TaskLog) error {
	if err := s.onbootDelay(ctx, opts, log); err != nil {
		return err
	}
	plan, err := s.StartPlan(ctx, opts)
	if err != nil {
		return err
	}
	p := &pool{s: s, log: log, n: s.maxWorkers(opts), verb: "Starting"}
	for i, e := range plan {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.Running(e.VMID) == nil {
			log.Printf("Starting VM %d", e.VMID)
			upid, err := s.Spawn(ctx, user, e.VMID, Action{Type: "qmstart"})
			if err != nil {
				log.Warn("%v", err)
			} else {
				p.add(ctx, e.VMID, upid)
				delay := 3 // Proxmox's default for VMs, to reduce load
				if e.Up >= 0 {
					delay = e.Up
				}
				if e.Up > 0 {
					log.Printf("Waiting for %d seconds (startup delay)", e.Up)
				}
				if err := s.cfg.Sleep(ctx, time.Duration(delay)*time.Second); err != nil {
					return err
				}
				p.wait(p.n)
			}
		}
		if i == len(plan)-1 || plan[i+1].Order != e.Order {
			p.wait(1) // an order group ends when all its starts have
		}
	}
	if !opts.Force && opts.VMs == nil {
		s.markBooted() // the on-boot startall of this boot ran
	}
	return nil
}

// StopAll is the stopall task body.
func (s *Service) StopAll(ctx context.Context, user string, opts BulkOptions, log TaskLog) error {
	plan, err := s.StopPlan(ctx, opts)
	if err != nil {
		return err
	}
	p := &pool{s: s, log: log, n: s.maxWorkers(opts), verb: "Stopping"}
	s.runningInOrder(ctx, user, plan, p, "", func(e PlanEntry) Action {
		timeout := opts.Timeout
		if e.Down >= 0 {
			timeout = e.Down
		} else if timeout < 0 {
			timeout = 180
		}
		log.Printf("Stopping VM %d (timeout = %d seconds)", e.VMID, timeout)
		return Action{Type: "qmshutdown", Timeout: timeout, Force: opts.ForceStop}
	})
	s.cfg.Logger.Info("all VMs and CTs stopped")
	return nil
}

// SuspendAll is the suspendall task body. Proxmox suspends to disk;
// hostadm's VMs have no state storage, so they are paused in RAM.
func (s *Service) SuspendAll(ctx context.Context, user string, opts BulkOptions, log TaskLog) error {
	plan, err := s.StopPlan(ctx, opts)
	if err != nil {
		return err
	}
	p := &pool{s: s, log: log, n: s.maxWorkers(opts), verb: "Suspending"}
	s.runningInOrder(ctx, user, plan, p, "VM %d not running, skipping suspension", func(e PlanEntry) Action {
		log.Printf("Suspending VM %d", e.VMID)
		return Action{Type: "qmsuspend"}
	})
	s.cfg.Logger.Info("all VMs suspended")
	return nil
}

// runningInOrder spawns act's action for each running VM of plan through
// the worker pool, one order group at a time (a group ends when all its
// actions have); a VM not running is skipped, with skipMsg logged when set.
func (s *Service) runningInOrder(ctx context.Context, user string, plan []PlanEntry, p *pool, skipMsg string, act func(PlanEntry) Action) {
	for i, e := range plan {
		if s.Running(e.VMID) == nil {
			if skipMsg != "" {
				p.log.Printf(skipMsg, e.VMID)
			}
		} else if upid, err := s.Spawn(ctx, user, e.VMID, act(e)); err != nil {
			p.log.Warn("%v", err)
		} else {
			p.add(ctx, e.VMID, upid)
			p.wait(p.n)
		}
		if i == len(plan)-1 || plan[i+1].Order != e.Order {
			p.wait(1)
		}
	}
}

// bootMarker records that startall ran in this boot (the boot id).
const bootMarker = "/run/hostadm/startall-boot-id"

func currentBootID() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(b))
}

// firstOfBoot tells whether no startall ran since the host booted.
func (s *Service) firstOfBoot() bool {
	b, err := s.cfg.Root.ReadFile(bootMarker)
	return err != nil || strings.TrimSpace(string(b)) != currentBootID()
}

func (s *Service) markBooted() {
	if err := os.MkdirAll(s.cfg.Root.Path("/run/hostadm"), 0o755); err == nil {
		_ = s.cfg.Root.WriteFile(bootMarker, []byte(currentBootID()+"\n"), 0o644)
	}
}

// onbootDelay waits the node's startall-onboot-delay before the first
// on-boot startall of a boot (what Proxmox's pve-startall-delay does
// before pve-guests.service calls startall); explicit calls with force or
// a VM list never wait.
func (s *Service) onbootDelay(ctx context.Context, opts BulkOptions, log TaskLog) error {
	if opts.Force || opts.VMs != nil || !s.firstOfBoot() {
		return nil
	}
	d := s.nodeConfigInt(ctx, "startall-onboot-delay", 0)
	if d <= 0 {
		return nil
	}
	log.Printf("Delaying on-boot 'startall' command for %d second(s).", d)
	return s.cfg.Sleep(ctx, time.Duration(d)*time.Second)
}

// nodeConfigInt reads an integer key of the local node's config.
func (s *Service) nodeConfigInt(ctx context.Context, key string, def int) int {
	e, err := s.cfg.Store.Get(ctx, "nodes/"+s.cfg.Node+"/config")
	if err != nil {
		return def
	}
	c, err := nodeconf.Parse(bytes.NewReader(e.Data))
	if err != nil {
		return def
	}
	if v, ok := c.Values[key]; ok {
		return atoi(v, def)
	}
	return def
}
