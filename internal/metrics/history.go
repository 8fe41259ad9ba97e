package metrics

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"hostadm/internal/metrics/rrd"
)

// NodeLayout is the history kept per node: Proxmox VE 9's pve-node-9.0
// data sources, in its order, at its resolutions (1 min for a day, 30 min
// for 30 days, 6 h for 360 days, 1 week for about 10 years). Each ring has
// one row more than Proxmox's so a full timeframe never reaches the row
// being filled. About 1.9 MB per node.
func NodeLayout() rrd.Layout {
	ds := []rrd.DS{}
	for _, n := range []string{"loadavg", "maxcpu", "cpu", "iowait", "memtotal", "memused",
		"swaptotal", "swapused", "roottotal", "rootused"} {
		ds = append(ds, rrd.DS{Name: n, Kind: rrd.Gauge})
	}
	ds = append(ds, rrd.DS{Name: "netin", Kind: rrd.Derive}, rrd.DS{Name: "netout", Kind: rrd.Derive})
	for _, n := range []string{"memavailable", "arcsize", "pressurecpusome", "pressureiosome",
		"pressureiofull", "pressurememorysome", "pressurememoryfull"} {
		ds = append(ds, rrd.DS{Name: n, Kind: rrd.Gauge})
	}
	return rrd.Layout{
		DS: ds,
		RRAs: []rrd.RRA{
			{Res: 60, Rows: 1441}, {Res: 1800, Rows: 1441},
			{Res: 6 * 3600, Rows: 1441}, {Res: 7 * 86400, Rows: 571},
		},
		Heartbeat: 120, // Proxmox's DS heartbeat
		// A clock stepped back by up to 10 minutes is waited out (samples
		// are dropped meanwhile); a larger step is taken as the correction
		// of a clock that was ahead.
		MaxBackstep: 600,
	}
}

// nodeValues fills dst (NodeLayout's order) from a round, as pvestatd's
// update_node_status does for pve-node-9.0.
func nodeValues(dst []float64, s *NodeSample) {
	in, out := physicalNetBytes(s.NetDevs)
	m := s.Mem
	copy(dst, []float64{
		s.Loadavg.Values[0], float64(max(s.Stat.CPUs, 1)), s.CPU, s.Wait,
		float64(m.MemTotal), float64(m.MemUsed()), float64(m.SwapTotal), float64(m.SwapUsed()),
		float64(s.RootFS.Total), float64(s.RootFS.Used),
		float64(in), float64(out),
		float64(m.MemAvailable), float64(s.ARC.Size),
		psi(s.Pressure.CPU, false), psi(s.Pressure.IO, false), psi(s.Pressure.IO, true),
		psi(s.Pressure.Memory, false), psi(s.Pressure.Memory, true),
	})
}

// psi is a pressure file's 10-second average (percent), unknown without PSI.
func psi(p *Pressure, full bool) float64 {
	switch {
	case p == nil:
		return math.NaN()
	case full:
		return p.Full.Avg10
	}
	return p.Some.Avg10
}

// historySync is how often the history file is made durable. Rows are
// written at every round; between syncs a crash can lose at most this much.
const historySync = 5 * time.Minute

// history is the local node's round-robin store, fed by the collection
// loop. It is opened by Run; until then (and in a process that does not run
// the loop, like the CLI) queries read a snapshot of the file.
type history struct {
	path   string
	logger *slog.Logger

	mu       sync.Mutex
	db       *rrd.DB
	vals     []float64
	lastSync time.Time
	dropped  uint64 // rounds refused for a clock stepped back
}

func newHistory(dir, node string, logger *slog.Logger) *history {
	if dir == "" {
		return nil
	}
	return &history{path: filepath.Join(dir, "node-"+node+".rrd"), logger: logger,
		vals: make([]float64, len(NodeLayout().DS))}
}

// open opens (or creates) the file; a file of another layout is kept aside
// as PATH.old and a new one started.
func (h *history) open() error {
	if h == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	db, err := rrd.Open(h.path, NodeLayout())
	if errors.Is(err, rrd.ErrLayout) {
		h.logger.Warn("history file of another layout kept aside", "path", h.path+".old")
		if err := os.Rename(h.path, h.path+".old"); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		db, err = rrd.Open(h.path, NodeLayout())
	}
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	h.mu.Lock()
	h.db = db
	h.mu.Unlock()
	return nil
}

// add records one round.
func (h *history) add(s *NodeSample) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.db == nil {
		return nil
	}
	nodeValues(h.vals, s)
	err := h.db.Update(s.Time, h.vals)
	if errors.Is(err, rrd.ErrPast) {
		h.dropped++
		return nil
	}
	if now := s.At; now.Sub(h.lastSync) >= historySync || now.Before(h.lastSync) {
		h.lastSync = now
		err = errors.Join(err, h.db.Sync())
	}
	return err
}

// refusedRounds counts the rounds refused for a clock stepped back.
func (h *history) refusedRounds() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// close syncs and closes the file.
func (h *history) close() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.db == nil {
		return nil
	}
	err := h.db.Close()
	h.db = nil
	return err
}

// reader is the open store, or a snapshot of the file; nil when there is
// no file yet.
func (h *history) reader() (*rrd.DB, error) {
	if h == nil {
		return nil, nil
	}
	h.mu.Lock()
	db := h.db
	h.mu.Unlock()
	if db != nil {
		return db, nil
	}
	db, err := rrd.ReadFile(h.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return db, err
}
