package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// gaugeDef is one node gauge: its description and how to read it.
type gaugeDef struct {
	desc  *prometheus.Desc
	value func(s *NodeSample) float64
}

// nodeDescs describe the node's metrics: the figures of the last round,
// named in Prometheus's style (base units, _total for counters).
type nodeDescs struct {
	gauges                  []gaugeDef
	arcSize, arcMin, arcMax *prometheus.Desc
	rx, tx                  *prometheus.Desc
	stalled                 *prometheus.Desc
	refused                 *prometheus.Desc
}

func newNodeDescs() nodeDescs {
	g := func(name, help string, v func(s *NodeSample) float64) gaugeDef {
		return gaugeDef{promDesc("node_"+name, help), v}
	}
	bytes := func(v uint64) float64 { return float64(v) }
	return nodeDescs{
		gauges: []gaugeDef{
			g("sample_timestamp_seconds", "When the last collection round read the node.",
				func(s *NodeSample) float64 { return float64(s.At.UnixNano()) / 1e9 }),
			g("uptime_seconds", "Time since the node booted.", func(s *NodeSample) float64 { return s.Uptime.Seconds }),
			g("cpus", "Logical CPUs.", func(s *NodeSample) float64 { return float64(max(s.Stat.CPUs, 1)) }),
			g("cpu_usage_ratio", "Share of CPU time busy since the previous round (0..1).",
				func(s *NodeSample) float64 { return s.CPU }),
			g("cpu_iowait_ratio", "Share of CPU time waiting for I/O since the previous round (0..1).",
				func(s *NodeSample) float64 { return s.Wait }),
			g("load1", "1-minute load average.", func(s *NodeSample) float64 { return s.Loadavg.Values[0] }),
			g("load5", "5-minute load average.", func(s *NodeSample) float64 { return s.Loadavg.Values[1] }),
			g("load15", "15-minute load average.", func(s *NodeSample) float64 { return s.Loadavg.Values[2] }),
			g("memory_total_bytes", "Physical memory.", func(s *NodeSample) float64 { return bytes(s.Mem.MemTotal) }),
			g("memory_used_bytes", "Memory in use: total minus available.",
				func(s *NodeSample) float64 { return bytes(s.Mem.MemUsed()) }),
			g("memory_available_bytes", "Memory available for new work (MemAvailable).",
				func(s *NodeSample) float64 { return bytes(s.Mem.MemAvailable) }),
			g("memory_free_bytes", "Unused memory (MemFree).", func(s *NodeSample) float64 { return bytes(s.Mem.MemFree) }),
			g("ksm_shared_bytes", "Memory saved by kernel same-page merging.",
				func(s *NodeSample) float64 { return bytes(s.KSMShared) }),
			g("swap_total_bytes", "Swap space.", func(s *NodeSample) float64 { return bytes(s.Mem.SwapTotal) }),
			g("swap_used_bytes", "Swap space in use.", func(s *NodeSample) float64 { return bytes(s.Mem.SwapUsed()) }),
			g("rootfs_size_bytes", "Size of the root file system.",
				func(s *NodeSample) float64 { return bytes(s.RootFS.Total) }),
			g("rootfs_used_bytes", "Used space of the root file system (size minus free).",
				func(s *NodeSample) float64 { return bytes(s.RootFS.Used) }),
			g("rootfs_avail_bytes", "Space of the root file system available to unprivileged users.",
				func(s *NodeSample) float64 { return bytes(s.RootFS.Avail) }),
		},
		arcSize: promDesc("node_zfs_arc_size_bytes", "Size of the ZFS ARC (only where ZFS is loaded)."),
		arcMin:  promDesc("node_zfs_arc_min_bytes", "Minimum size of the ZFS ARC."),
		arcMax:  promDesc("node_zfs_arc_max_bytes", "Maximum size of the ZFS ARC."),
		rx:      promDesc("node_network_receive_bytes_total", "Bytes received by a network device.", "device"),
		tx:      promDesc("node_network_transmit_bytes_total", "Bytes sent by a network device.", "device"),
		stalled: promDesc("node_pressure_stalled_seconds_total",
			"Time some (or all) tasks stalled on a resource (pressure stall information).", "resource", "kind"),
		refused: promDesc("history_rounds_refused_total",
			"Rounds the history refused because the clock had stepped back."),
	}
}

type nodeCollector struct {
	s *Service
	d nodeDescs
}

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	d := c.d
	for _, g := range d.gauges {
		ch <- g.desc
	}
	for _, x := range []*prometheus.Desc{d.arcSize, d.arcMin, d.arcMax, d.rx, d.tx, d.stalled, d.refused} {
		ch <- x
	}
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.d
	if h := c.s.hist; h != nil {
		ch <- prometheus.MustNewConstMetric(d.refused, prometheus.CounterValue, float64(h.refusedRounds()))
	}
	s, ok := c.s.cfg.NodeStat.LastSample()
	if !ok {
		return
	}
	for _, g := range d.gauges {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, g.value(&s))
	}
	if s.HaveARC {
		ch <- prometheus.MustNewConstMetric(d.arcSize, prometheus.GaugeValue, float64(s.ARC.Size))
		ch <- prometheus.MustNewConstMetric(d.arcMin, prometheus.GaugeValue, float64(s.ARC.Min))
		ch <- prometheus.MustNewConstMetric(d.arcMax, prometheus.GaugeValue, float64(s.ARC.Max))
	}
	for _, n := range s.NetDevs {
		ch <- prometheus.MustNewConstMetric(d.rx, prometheus.CounterValue, float64(n.RxBytes), n.Name)
		ch <- prometheus.MustNewConstMetric(d.tx, prometheus.CounterValue, float64(n.TxBytes), n.Name)
	}
	for _, p := range []struct {
		name string
		p    *Pressure
	}{{"cpu", s.Pressure.CPU}, {"io", s.Pressure.IO}, {"memory", s.Pressure.Memory}} {
		if p.p == nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(d.stalled, prometheus.CounterValue, float64(p.p.Some.Total)/1e6, p.name, "some")
		if p.name != "cpu" || p.p.Full.Total > 0 { // cpu "full" exists since Linux 5.13
			ch <- prometheus.MustNewConstMetric(d.stalled, prometheus.CounterValue, float64(p.p.Full.Total)/1e6, p.name, "full")
		}
	}
}
