package metrics

import (
	"context"
	"fmt"
	"time"
)

// NodeSample is one round of raw node counters, the input of the metric
// exporters (Graphite, InfluxDB) and of the history. Each file is read once
// per round.
type NodeSample struct {
	// Time is when the round started, in Unix seconds (Proxmox's ctime).
	Time int64
	// At is the same moment at full resolution (cpustat's ctime).
	At   time.Time
	Stat CPUStat
	// CPU and Wait are the busy and iowait fractions (0..1) since the
	// previous Sample, or since boot for the first one.
	CPU, Wait float64
	Mem       Meminfo
	KSMShared uint64 // bytes; 0 without KSM
	Loadavg   Loadavg
	Uptime    Uptime
	NetDevs   []NetDev
	// Pressure entries are nil where the kernel has no PSI.
	Pressure PressureSet
	// ARC is the ZFS ARC; HaveARC is false without the zfs module.
	ARC     ARCStats
	HaveARC bool
	RootFS  RootFS
	// RootVFS is the raw statvfs of the root file system (blockstat).
	RootVFS VFSStat
}

// PressureSet is /proc/pressure/{cpu,io,memory}.
type PressureSet struct {
	CPU, IO, Memory *Pressure
}

// Sample reads one round of counters, keeps it as the latest (see
// LastSample) and returns it. The daemon calls it every few seconds; it
// also advances the CPU usage figure Status reports.
func (n *Node) Sample(ctx context.Context) (NodeSample, error) {
	if err := ctx.Err(); err != nil {
		return NodeSample{}, fmt.Errorf("node sample: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s, err := n.readRoundLocked(true)
	if err != nil {
		return NodeSample{}, fmt.Errorf("node sample: %w", err)
	}
	s.CPU, s.Wait = n.sampleCU.update(s.Stat)
	n.statusCU.update(s.Stat)
	n.last = &s
	return s, nil
}

// LastSample returns the latest Sample result, if there was one.
func (n *Node) LastSample() (NodeSample, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.last == nil {
		return NodeSample{}, false
	}
	return *n.last, true
}

// readRoundLocked reads the files Status needs and, when full is set, the
// ones only exporters need. Callers hold n.mu.
func (n *Node) readRoundLocked(full bool) (NodeSample, error) {
	now := n.cfg.Clock()
	s := NodeSample{Time: now.Unix(), At: now}
	var err error
	if s.Stat, err = readParse(n, pathStat, ParseStat); err != nil {
		return s, err
	}
	if s.Mem, err = readParse(n, pathMeminfo, ParseMeminfo); err != nil {
		return s, err
	}
	if s.Loadavg, err = readParse(n, pathLoadavg, ParseLoadavg); err != nil {
		return s, err
	}
	if s.Uptime, err = readParse(n, pathUptime, ParseUptime); err != nil {
		return s, err
	}
	if s.KSMShared, _, err = readOptional(n, pathKSMSharing, ParseKSMPagesSharing); err != nil {
		return s, err
	}
	if s.RootFS, s.RootVFS, err = n.rootFSLocked(); err != nil {
		return s, err
	}
	if full {
		err = n.readExtrasLocked(&s)
	}
	return s, err
}

// readExtrasLocked reads what only exporters use: interfaces, pressure and
// the ZFS ARC. Missing files are left empty.
func (n *Node) readExtrasLocked(s *NodeSample) error {
	var err error
	if s.NetDevs, _, err = readOptional(n, pathNetDev, ParseNetDev); err != nil {
		return err
	}
	if s.ARC, s.HaveARC, err = readOptional(n, pathARCStats, ParseARCStats); err != nil {
		return err
	}
	for _, ps := range []struct {
		path string
		dst  **Pressure
	}{{pathPSICPU, &s.Pressure.CPU}, {pathPSIIO, &s.Pressure.IO}, {pathPSIMemory, &s.Pressure.Memory}} {
		p, ok, err := readOptional(n, ps.path, ParsePressure)
		if err != nil {
			return err
		}
		if ok {
			*ps.dst = &p
		}
	}
	return nil
}
