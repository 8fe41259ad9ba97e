package guests

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// cpuSample is one reading of a VM's CPU time, for the usage figure.
type cpuSample struct {
	at    time.Time
	ticks uint64
	pid   int
}

// Status is a VM's state as Proxmox's vmstatus reports it.
type Status struct {
	VMID        int
	Name        string
	Node        string
	Status      string // running or stopped
	QMPStatus   string // QEMU's run state; "" when stopped
	PID         int
	Uptime      int64
	CPUs        int
	CPU         float64 // fraction of the VM's vCPUs used since the last reading
	MaxMem      int64
	Mem         int64
	Balloon     int64 // current balloon size in bytes (0 without a balloon)
	BalloonMin  int64
	Shares      int
	Tags        string
	Settings    Settings
	QEMUVersion string
}

// Status returns the state of a VM of the local node.
func (s *Service) Status(ctx context.Context, vmid int) (*Status, error) {
	l, err := s.Load(ctx, vmid)
	if err != nil {
		return nil, err
	}
	return s.status(ctx, l), nil
}

func (s *Service) status(ctx context.Context, l *Loaded) *Status {
	st := SettingsOf(l.Config)
	out := &Status{VMID: l.VMID, Name: st.Name, Node: l.Node, Status: "stopped", CPUs: st.VCPUs(),
		MaxMem: int64(st.MemoryMiB) << 20, BalloonMin: int64(st.BalloonMiB) << 20, Shares: st.Shares,
		Tags: st.Tags, Settings: st}
	if out.Name == "" {
		out.Name = "VM " + strconv.Itoa(l.VMID)
	}
	p := s.Running(l.VMID)
	if p == nil {
		return out
	}
	out.Status, out.PID, out.Mem = "running", p.PID, p.RSS
	out.Uptime = max(s.cfg.Clock().Unix()-s.startedAt(l.VMID, p), 0)
	out.CPU = s.cpuUsage(l.VMID, p, out.CPUs)
	cmds := []qmpCmd{{Execute: "query-status"}, {Execute: "query-version"}}
	if st.BalloonMiB != 0 {
		cmds = append(cmds, qmpCmd{Execute: "query-balloon"})
	}
	res, err := s.qmpRun(ctx, l.VMID, cmds...)
	if err != nil {
		s.cfg.Logger.Debug("vm status over qmp", "vmid", l.VMID, "err", err)
		return out
	}
	var qs qmpStatus
	if json.Unmarshal(res[0], &qs) == nil {
		out.QMPStatus = qs.Status
	}
	var v struct {
		QEMU struct{ Major, Minor, Micro int } `json:"qemu"`
	}
	if json.Unmarshal(res[1], &v) == nil {
		out.QEMUVersion = fmt.Sprintf("%d.%d.%d", v.QEMU.Major, v.QEMU.Minor, v.QEMU.Micro)
	}
	if len(res) > 2 {
		var b balloonInfo
		if json.Unmarshal(res[2], &b) == nil {
			out.Balloon = b.Actual
		}
	}
	return out
}

// cpuUsage is the CPU time used since the last reading, as a fraction of
// the VM's vCPUs (Proxmox's `cpu`); the first reading gives 0.
func (s *Service) cpuUsage(vmid int, p *procInfo, vcpus int) float64 {
	now := s.cfg.Clock()
	s.mu.Lock()
	last, ok := s.cpu[vmid]
	s.cpu[vmid] = cpuSample{at: now, ticks: p.CPUTicks, pid: p.PID}
	s.mu.Unlock()
	if !ok || last.pid != p.PID || vcpus <= 0 {
		return 0
	}
	dt := now.Sub(last.at).Seconds()
	if dt <= 0 || p.CPUTicks < last.ticks {
		return 0
	}
	u := float64(p.CPUTicks-last.ticks) / clkTck / dt / float64(vcpus)
	if u > 1 {
		u = 1
	}
	return u
}

// listWorkers bounds how many VMs List asks at once.
const listWorkers = 16

// List returns the state of every VM of the local node, by VMID. The VMs
// are asked at once, as Proxmox's vmstatus queues its QMP queries: a VM
// whose monitor is slow to answer (QEMU still starting, or busy) costs the
// list one qmpTimeout, not one per VM.
func (s *Service) List(ctx context.Context) ([]*Status, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	var local []int
	for _, r := range idx {
		if r.Node == s.cfg.Node {
			local = append(local, r.VMID)
		}
	}
	got := make([]*Status, len(local))
	var g errgroup.Group
	g.SetLimit(listWorkers)
	for i, vmid := range local {
		g.Go(func() error {
			if l, err := s.loadOn(ctx, s.cfg.Node, vmid); err == nil { // else removed meanwhile
				got[i] = s.status(ctx, l)
			}
			return nil
		})
	}
	g.Wait()
	out := slices.DeleteFunc(got, func(st *Status) bool { return st == nil })
	return out, nil
}

// Map is the status in the API's shape (vm_status / vmlist entries).
func (st *Status) Map() map[string]any {
	m := map[string]any{
		"vmid": st.VMID, "name": st.Name, "status": st.Status, "uptime": st.Uptime,
		"cpus": st.CPUs, "cpu": st.CPU, "maxmem": st.MaxMem, "mem": st.Mem,
		"maxdisk": 0, "disk": 0, "netin": 0, "netout": 0, "diskread": 0, "diskwrite": 0,
		"shares": st.Shares, "template": 0,
	}
	if st.Tags != "" {
		m["tags"] = st.Tags
	}
	if st.Status == "running" {
		m["pid"] = st.PID
		if st.QMPStatus != "" {
			m["qmpstatus"] = st.QMPStatus
		}
		if st.Balloon > 0 {
			m["balloon"] = st.Balloon
			m["ballooninfo"] = map[string]any{"actual": st.Balloon, "max_mem": st.MaxMem}
		}
		if st.QEMUVersion != "" {
			m["running-qemu"] = st.QEMUVersion
		}
	}
	if st.Settings.BalloonMiB != 0 && st.Settings.BalloonMiB != st.Settings.MemoryMiB {
		m["balloon_min"] = st.BalloonMin
	}
	return m
}

// ClusterList returns every VM of the cluster: the state of the local
// node's VMs, and for other nodes' VMs what their configs say, with status
// "unknown" (their nodes report their own state).
func (s *Service) ClusterList(ctx context.Context) ([]*Status, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(idx))
	for _, r := range idx {
		l, err := s.loadOn(ctx, r.Node, r.VMID)
		if err != nil {
			continue
		}
		if r.Node == s.cfg.Node {
			out = append(out, s.status(ctx, l))
			continue
		}
		st := SettingsOf(l.Config)
		name := st.Name
		if name == "" {
			name = "VM " + strconv.Itoa(r.VMID)
		}
		out = append(out, &Status{VMID: r.VMID, Name: name, Node: r.Node, Status: "unknown", CPUs: st.VCPUs(),
			MaxMem: int64(st.MemoryMiB) << 20, Shares: st.Shares, Tags: st.Tags, Settings: st})
	}
	return out, nil
}
