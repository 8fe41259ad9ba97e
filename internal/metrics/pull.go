package metrics

import "sync"

// pullGenerations is how many rounds the pull export keeps: Proxmox's
// PullMetric cache holds the latest and 180 older ones (30 minutes).
const pullGenerations = 181

// PullMetric is one entry of GET /cluster/metrics/export.
type PullMetric struct {
	ID        string  `json:"id"`
	Metric    string  `json:"metric"`
	Timestamp int64   `json:"timestamp"`
	Type      string  `json:"type"`
	Value     float64 `json:"value"`
}

// pullCache is a ring of the latest rounds, as PullMetric metrics.
type pullCache struct {
	mu   sync.Mutex
	gens [][]PullMetric
	next int
	full bool
}

func newPullCache(n int) *pullCache { return &pullCache{gens: make([][]PullMetric, n)} }

// add stores a round as PullMetric.pm lists it: get_node_metrics, then
// disk_total and disk_used of every active storage (id storage/NODE/ID).
func (c *pullCache) add(node string, s *NodeSample, storages []StorageStatus) {
	id := "node/" + node
	in, out := physicalNetBytes(s.NetDevs)
	g := func(m string, v float64) PullMetric {
		return PullMetric{ID: id, Metric: m, Timestamp: s.Time, Type: "gauge", Value: v}
	}
	d := func(m string, v float64) PullMetric {
		return PullMetric{ID: id, Metric: m, Timestamp: s.Time, Type: "derive", Value: v}
	}
	gen := []PullMetric{
		g("uptime", float64(int64(s.Uptime.Seconds))),
		d("net_in", float64(in)), d("net_out", float64(out)),
		g("cpu_avg1", s.Loadavg.Values[0]), g("cpu_avg5", s.Loadavg.Values[1]), g("cpu_avg15", s.Loadavg.Values[2]),
		g("cpu_max", float64(max(s.Stat.CPUs, 1))), g("cpu_current", s.CPU), g("cpu_iowait", s.Wait),
		g("mem_total", float64(s.Mem.MemTotal)), g("mem_used", float64(s.Mem.MemUsed())),
		g("swap_total", float64(s.Mem.SwapTotal)), g("swap_used", float64(s.Mem.SwapUsed())),
		g("disk_total", float64(s.RootFS.Total)), g("disk_used", float64(s.RootFS.Used)),
	}
	for _, st := range storages {
		if st.Active {
			sid := "storage/" + node + "/" + st.ID
			gen = append(gen,
				PullMetric{ID: sid, Metric: "disk_total", Timestamp: s.Time, Type: "gauge", Value: float64(st.Total)},
				PullMetric{ID: sid, Metric: "disk_used", Timestamp: s.Time, Type: "gauge", Value: float64(st.Used)})
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[c.next] = gen
	c.next = (c.next + 1) % len(c.gens)
	c.full = c.full || c.next == 0
}

// get returns the latest round, or with history every kept round, oldest
// first; only metrics newer than start are kept.
func (c *pullCache) get(history bool, start int64) []PullMetric {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.gens)
	var out []PullMetric
	for i := range n {
		idx := (c.next + i) % n
		if !history && idx != (c.next+n-1)%n {
			continue
		}
		for _, m := range c.gens[idx] {
			if m.Timestamp > start {
				out = append(out, m)
			}
		}
	}
	if out == nil {
		out = []PullMetric{}
	}
	return out
}

// Export is GET /cluster/metrics/export for the local node.
func (s *Service) Export(history bool, start int64) []PullMetric { return s.pull.get(history, start) }
