package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"hostadm/internal/tasks"
)

// taskStats counts the tasks the daemon finished, by type and status class.
type taskStats struct {
	finished *prometheus.CounterVec
}

func newTaskStats() *taskStats {
	return &taskStats{finished: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostadm_tasks_finished_total",
		Help: "Tasks finished since the daemon started, by task type and status class (ok, warning, error, unknown).",
	}, []string{"type", "status"})}
}

// TaskFinished counts a finished task: its type (vzdump, aptupdate, ...)
// and its end status as the task list shows it ("OK", "WARNINGS: 2", an
// error message), which is reduced to the list filter's status class. The
// daemon calls it from the task manager's OnFinish hook.
func (s *Service) TaskFinished(typ, status string) {
	s.tasks.finished.WithLabelValues(typ, tasks.StatusClass(status)).Inc()
}

// storageDescs describe the storages of the last round.
type storageDescs struct {
	size, used, avail, active, enabled *prometheus.Desc
}

func newStorageDescs() storageDescs {
	l := []string{"storage", "type"}
	return storageDescs{
		size:    promDesc("storage_size_bytes", "Size of an active storage.", l...),
		used:    promDesc("storage_used_bytes", "Used space of an active storage.", l...),
		avail:   promDesc("storage_avail_bytes", "Available space of an active storage.", l...),
		active:  promDesc("storage_active", "Whether the storage was accessible in the last round (1) or not (0).", l...),
		enabled: promDesc("storage_enabled", "Whether the storage is enabled in storage.cfg (1) or disabled (0).", l...),
	}
}

type storageCollector struct {
	s *Service
	d storageDescs
}

func (c storageCollector) Describe(ch chan<- *prometheus.Desc) {
	d := c.d
	for _, x := range []*prometheus.Desc{d.size, d.used, d.avail, d.active, d.enabled} {
		ch <- x
	}
}

func (c storageCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.d
	list := c.s.lastStorages()
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, st := range list {
		ch <- prometheus.MustNewConstMetric(d.active, prometheus.GaugeValue, b(st.Active), st.ID, st.Type)
		ch <- prometheus.MustNewConstMetric(d.enabled, prometheus.GaugeValue, b(st.Enabled), st.ID, st.Type)
		if !st.Active {
			continue
		}
		ch <- prometheus.MustNewConstMetric(d.size, prometheus.GaugeValue, float64(st.Total), st.ID, st.Type)
		ch <- prometheus.MustNewConstMetric(d.used, prometheus.GaugeValue, float64(st.Used), st.ID, st.Type)
		ch <- prometheus.MustNewConstMetric(d.avail, prometheus.GaugeValue, float64(st.Avail), st.ID, st.Type)
	}
}
