package metrics

import (
	"context"
	"fmt"
	"time"
)

// Status is the body of GET /nodes/{node}/status, with Proxmox VE's keys.
// PVEVersion is filled by the API layer.
type Status struct {
	BootInfo      BootInfo  `json:"boot-info"`
	CPU           float64   `json:"cpu"`
	CPUInfo       CPUInfo   `json:"cpuinfo"`
	CurrentKernel Kernel    `json:"current-kernel"`
	Idle          int       `json:"idle"`
	KSM           KSM       `json:"ksm"`
	KVersion      string    `json:"kversion"`
	Loadavg       [3]string `json:"loadavg"`
	Memory        Memory    `json:"memory"`
	PVEVersion    string    `json:"pveversion,omitempty"`
	RootFS        RootFS    `json:"rootfs"`
	Swap          Swap      `json:"swap"`
	Uptime        int64     `json:"uptime"`
	Wait          float64   `json:"wait"`
	// Missing names the keys above whose source could not be read (a
	// file of /proc or /sys missing or unreadable); they hold zero values
	// and the API leaves them out.
	Missing []string `json:"-"`
}

// KSM is the "ksm" object: bytes shared by kernel same-page merging.
type KSM struct {
	Shared uint64 `json:"shared"`
}

// Memory is the "memory" object, in bytes; Used is Total − Available.
type Memory struct {
	Total     uint64 `json:"total"`
	Used      uint64 `json:"used"`
	Free      uint64 `json:"free"`
	Available uint64 `json:"available"`
}

// Swap is the "swap" object, in bytes.
type Swap struct {
	Total uint64 `json:"total"`
	Used  uint64 `json:"used"`
	Free  uint64 `json:"free"`
}

// RootFS is the "rootfs" object: statvfs of / in bytes, where Used counts
// blocks not free (root's reserve included) and Free is Total − Used.
type RootFS struct {
	Total uint64 `json:"total"`
	Used  uint64 `json:"used"`
	Free  uint64 `json:"free"`
	Avail uint64 `json:"avail"`
}

// Status returns the node status. To sustain thousands of requests a second
// it returns a result up to NodeConfig.StatusTTL old (1 s by default): a
// monitoring client polling every second or two sees at most one second of
// staleness, while the files behind it are read once per TTL no matter how
// many clients ask. The CPU summary, kernel and boot mode are read once.
func (n *Node) Status(ctx context.Context) (Status, error) {
	now := n.cfg.Clock()
	if c := n.cache.Load(); n.fresh(c, now) {
		return c.status, nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	// Another caller may have refreshed while this one waited for the lock.
	if c := n.cache.Load(); n.fresh(c, now) {
		return c.status, nil
	}
	st, err := n.statusLocked(ctx)
	if err != nil {
		return Status{}, err
	}
	if n.cfg.StatusTTL > 0 {
		n.cache.Store(&cachedStatus{at: now, status: st})
	}
	return st, nil
}

func (n *Node) fresh(c *cachedStatus, now time.Time) bool {
	if c == nil {
		return false
	}
	age := now.Sub(c.at)
	return age >= 0 && age < n.cfg.StatusTTL
}

// statusLocked reads the dynamic files and builds a Status; callers hold
// n.mu. A source that cannot be read is named in Missing instead of
// failing the whole status: Proxmox shows a node even when some of its
// statistics are unavailable.
func (n *Node) statusLocked(ctx context.Context) (Status, error) {
	if err := ctx.Err(); err != nil {
		return Status{}, fmt.Errorf("node status: %w", err)
	}
	var st Status
	miss := func(err error, keys ...string) bool {
		if err != nil {
			st.Missing = append(st.Missing, keys...)
		}
		return err == nil
	}
	if static, err := n.loadStaticLocked(); miss(err, "cpuinfo", "boot-info", "current-kernel", "kversion") {
		st.BootInfo, st.CPUInfo, st.CurrentKernel, st.KVersion = static.boot, static.cpuinfo, static.kernel, static.kversion
	}
	if stat, err := readParse(n, pathStat, ParseStat); miss(err, "cpu", "wait") {
		st.CPU, st.Wait = n.statusCU.update(stat)
	}
	if mem, err := readParse(n, pathMeminfo, ParseMeminfo); miss(err, "memory", "swap") {
		st.Memory = memoryOf(mem)
		st.Swap = Swap{Total: mem.SwapTotal, Used: mem.SwapUsed(), Free: mem.SwapFree}
	}
	if la, err := readParse(n, pathLoadavg, ParseLoadavg); miss(err, "loadavg") {
		st.Loadavg = la.Text
	}
	if up, err := readParse(n, pathUptime, ParseUptime); miss(err, "uptime") {
		st.Uptime = int64(up.Seconds)
	}
	if ksm, _, err := readOptional(n, pathKSMSharing, ParseKSMPagesSharing); miss(err, "ksm") {
		st.KSM = KSM{Shared: ksm}
	}
	if rfs, _, err := n.rootFSLocked(); miss(err, "rootfs") {
		st.RootFS = rfs
	}
	return st, nil
}

func memoryOf(m Meminfo) Memory {
	return Memory{Total: m.MemTotal, Used: m.MemUsed(), Free: m.MemFree, Available: m.MemAvailable}
}

// rootFSLocked asks StatVFS about the root file system.
func (n *Node) rootFSLocked() (RootFS, VFSStat, error) {
	var v VFSStat
	var err error
	if n.cfg.StatVFS != nil {
		v, err = n.cfg.StatVFS(n.rootPath)
	} else {
		v.Frsize = 1
		v.Blocks, v.Bfree, v.Bavail, err = n.cfg.Statfs(n.rootPath)
	}
	if err != nil {
		return RootFS{}, v, fmt.Errorf("root file system: %w", err)
	}
	total, free, avail := v.Blocks*v.Frsize, v.Bfree*v.Frsize, v.Bavail*v.Frsize
	used := sub(total, free)
	return RootFS{Total: total, Used: used, Free: total - used, Avail: avail}, v, nil
}
