package guests

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// collector exports the VMs and the auto-ballooning figures to Prometheus.
type collector struct {
	s                                     *Service
	up, cpu, mem, maxmem, balloon, target *prometheus.Desc
	ballTarget, hostUsed, hostTotal       *prometheus.Desc
}

// Collector returns the Prometheus collector of the VMs of this node and
// of the last auto-ballooning round.
func (s *Service) Collector() prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("hostadm_guest_"+name, help, labels, nil)
	}
	return collector{s: s,
		up:         d("up", "Whether the VM's QEMU process runs (1) or not (0).", "vmid", "name"),
		cpu:        d("cpu_ratio", "CPU use of the VM as a fraction of its vCPUs.", "vmid"),
		mem:        d("memory_used_bytes", "Memory the VM's QEMU process uses (RSS).", "vmid"),
		maxmem:     d("memory_max_bytes", "The VM's configured memory.", "vmid"),
		balloon:    d("balloon_bytes", "The VM's current balloon size (memory given to the guest).", "vmid"),
		target:     d("balloon_target_bytes", "The balloon size auto-ballooning last asked for.", "vmid"),
		ballTarget: d("ballooning_target_ratio", "The node's ballooning-target as a fraction of host memory."),
		hostUsed:   d("ballooning_host_used_bytes", "Host memory in use at the last auto-ballooning round."),
		hostTotal:  d("ballooning_host_total_bytes", "Host memory at the last auto-ballooning round."),
	}
}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.cpu, c.mem, c.maxmem, c.balloon, c.target, c.ballTarget, c.hostUsed, c.hostTotal} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g := prometheus.GaugeValue
	list, _ := c.s.List(ctx)
	for _, st := range list {
		id := strconv.Itoa(st.VMID)
		up := 0.0
		if st.Status == "running" {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(c.up, g, up, id, st.Name)
		ch <- prometheus.MustNewConstMetric(c.maxmem, g, float64(st.MaxMem), id)
		if up == 1 {
			ch <- prometheus.MustNewConstMetric(c.cpu, g, st.CPU, id)
			ch <- prometheus.MustNewConstMetric(c.mem, g, float64(st.Mem), id)
			if st.Balloon > 0 {
				ch <- prometheus.MustNewConstMetric(c.balloon, g, float64(st.Balloon), id)
			}
		}
	}
	f := c.s.BalloonFigures()
	for vmid, t := range f.Target {
		ch <- prometheus.MustNewConstMetric(c.target, g, float64(t), strconv.Itoa(vmid))
	}
	if f.HostTotal > 0 {
		ch <- prometheus.MustNewConstMetric(c.ballTarget, g, float64(f.TargetPercent)/100)
		ch <- prometheus.MustNewConstMetric(c.hostUsed, g, float64(f.HostUsed))
		ch <- prometheus.MustNewConstMetric(c.hostTotal, g, float64(f.HostTotal))
	}
}
