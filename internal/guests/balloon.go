package guests

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BalloonVM is one running VM as the auto-ballooning round sees it.
type BalloonVM struct {
	VMID   int
	Cur    int64 // current balloon size, bytes
	Min    int64 // the config's balloon, bytes
	Max    int64 // the config's memory, bytes
	Shares int
}

// BalloonTargets decides the balloon sizes of one round, as pvestatd's
// auto-ballooning: when host memory use is above targetPct of total, the
// memory the VMs hold above their minimum shrinks by the excess; below it,
// it may grow by the room. The memory above the minimums is then shared
// among the VMs in proportion to their shares (water-filling, each capped
// at its maximum). Only VMs whose target differs by at least 1 MiB are in
// the result.
func BalloonTargets(total, used int64, targetPct int, vms []BalloonVM) map[int]int64 {
	if total <= 0 || len(vms) == 0 {
		return nil
	}
	goal := total * int64(targetPct) / 100
	var sumCur, sumMin, sumMax int64
	for _, v := range vms {
		sumCur, sumMin, sumMax = sumCur+v.Cur, sumMin+v.Min, sumMax+v.Max
	}
	pool := min(max(sumCur+goal-used, sumMin), sumMax)
	alloc := share(pool-sumMin, vms)
	out := map[int]int64{}
	for i, v := range vms {
		t := v.Min + alloc[i]
		if d := t - v.Cur; d >= 1<<20 || d <= -(1<<20) {
			out[v.VMID] = t
		}
	}
	return out
}

// share splits extra among the VMs in proportion to shares, none getting
// more than Max-Min; what a capped VM cannot take goes to the others.
func share(extra int64, vms []BalloonVM) []int64 {
	alloc := make([]int64, len(vms))
	open := make([]int, 0, len(vms))
	for i := range vms {
		if vms[i].Max > vms[i].Min {
			open = append(open, i)
		}
	}
	for extra > 0 && len(open) > 0 {
		var w int64
		for _, i := range open {
			w += int64(max(vms[i].Shares, 0))
		}
		if w == 0 {
			break
		}
		var next []int
		given := int64(0)
		for _, i := range open {
			room := vms[i].Max - vms[i].Min - alloc[i]
			g := extra * int64(max(vms[i].Shares, 0)) / w
			if g >= room {
				g = room
			} else {
				next = append(next, i)
			}
			alloc[i] += g
			given += g
		}
		extra -= given
		if given == 0 || len(next) == len(open) {
			break
		}
		open = next
	}
	return alloc
}

// balloonState is the last round's figures, for /metrics.
type balloonState struct {
	mu      sync.Mutex
	last    time.Time
	target  int // percent
	used    int64
	total   int64
	targets map[int]int64
	actual  map[int]int64
}

// BalloonFigures are the last auto-ballooning round's figures.
type BalloonFigures struct {
	TargetPercent int
	HostTotal     int64
	HostUsed      int64
	Actual        map[int]int64 // balloon size per VM, bytes
	Target        map[int]int64 // the last target set per VM, bytes
}

// Figures returns the last round's figures.
func (s *Service) BalloonFigures() BalloonFigures {
	b := &s.bal
	b.mu.Lock()
	defer b.mu.Unlock()
	f := BalloonFigures{TargetPercent: b.target, HostTotal: b.total, HostUsed: b.used,
		Actual: map[int]int64{}, Target: map[int]int64{}}
	for k, v := range b.actual {
		f.Actual[k] = v
	}
	for k, v := range b.targets {
		f.Target[k] = v
	}
	return f
}

// BalloonRound runs one auto-ballooning round: it reads host memory, the
// node's ballooning-target (default 80 %) and the running VMs' balloons,
// and sets the balloons BalloonTargets decides. Each decision goes to
// the log at debug level.
func (s *Service) BalloonRound(ctx context.Context) error {
	total, used, err := s.hostMem()
	if err != nil {
		return err
	}
	target := s.nodeConfigInt(ctx, "ballooning-target", 80)
	list, err := s.List(ctx)
	if err != nil {
		return err
	}
	var vms []BalloonVM
	actual := map[int]int64{}
	for _, st := range list {
		if st.Status != "running" || st.Balloon == 0 || st.QMPStatus != "running" {
			continue
		}
		actual[st.VMID] = st.Balloon
		if st.BalloonMin < st.MaxMem {
			vms = append(vms, BalloonVM{VMID: st.VMID, Cur: st.Balloon, Min: st.BalloonMin, Max: st.MaxMem, Shares: st.Shares})
		}
	}
	sort.Slice(vms, func(i, j int) bool { return vms[i].VMID < vms[j].VMID })
	targets := BalloonTargets(total, used, target, vms)
	s.cfg.Logger.Debug("auto-ballooning", "host_total", total, "host_used", used, "target_percent", target, "vms", len(vms))
	for vmid, t := range targets {
		s.cfg.Logger.Debug("auto-ballooning: set balloon", "vmid", vmid, "from", actual[vmid], "to", t)
		if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "balloon", Arguments: map[string]int64{"value": t}}); err != nil {
			s.cfg.Logger.Debug("auto-ballooning: balloon failed", "vmid", vmid, "err", err)
		}
	}
	b := &s.bal
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last, b.target, b.total, b.used, b.actual = s.cfg.Clock(), target, total, used, actual
	if b.targets == nil {
		b.targets = map[int]int64{}
	}
	for k := range b.targets {
		if _, ok := actual[k]; !ok {
			delete(b.targets, k)
		}
	}
	for k, v := range targets {
		b.targets[k] = v
	}
	return nil
}

// RunBalloon runs a round every interval until ctx ends.
func (s *Service) RunBalloon(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.BalloonRound(ctx); err != nil {
				s.cfg.Logger.Debug("auto-ballooning round", "err", err)
			}
		}
	}
}

// hostMem reads total and used memory (total - MemAvailable) from the
// root's /proc/meminfo, in bytes.
func (s *Service) hostMem() (int64, int64, error) {
	b, err := s.cfg.Root.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, 0, err
	}
	var total, avail int64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "MemTotal:":
			total = n << 10
		case "MemAvailable:":
			avail = n << 10
		}
	}
	return total, total - avail, nil
}
