package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The Prometheus exposition (hostadm's extension; Proxmox has none) is
// built at scrape time from what the collection loop already holds: the
// last round, the exporters' health and the loop's own counters. A scrape
// reads no file and never waits for a round.

// promDesc builds a description of a hostadm metric.
func promDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("hostadm_"+name, help, labels, nil)
}

// loopStats are the collection loop's own metrics.
type loopStats struct {
	rounds, errors prometheus.Counter
	duration       prometheus.Gauge
}

func newLoopStats() loopStats {
	return loopStats{
		rounds: prometheus.NewCounter(prometheus.CounterOpts{Name: "hostadm_collection_rounds_total",
			Help: "Collection rounds run (one every 10 seconds)."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "hostadm_collection_errors_total",
			Help: "Collection rounds that failed."}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hostadm_collection_last_duration_seconds",
			Help: "How long the last collection round took, export hand-off and history included."}),
	}
}

// observe records one round.
func (l loopStats) observe(d time.Duration, err error) {
	l.rounds.Inc()
	if err != nil {
		l.errors.Inc()
	}
	l.duration.Set(d.Seconds())
}

// Registry returns the registry behind the daemon's /metrics: the node, its
// storages, metric-server health, finished tasks, the collection loop, and
// the Go runtime and process
// of the daemon. Areas landing later (disks, certificates, updates) add
// their collectors to it.
func (s *Service) Registry() *prometheus.Registry { return s.reg }

// Handler serves the registry as GET /metrics does (OpenMetrics when the
// scraper asks for it, the metrics that could be gathered when one
// collector fails). The authenticated /metrics of the API and the plain
// --metrics-listen both use it.
func (s *Service) Handler() http.Handler { return s.promHandler }

func (s *Service) newHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
	})
}

func (s *Service) newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		s.loop.rounds, s.loop.errors, s.loop.duration,
		nodeCollector{s: s, d: newNodeDescs()},
		serverCollector{s: s, d: newServerDescs()},
		storageCollector{s: s, d: newStorageDescs()},
		s.tasks.finished,
	)
	return reg
}

// serverDescs describe each metric server's health.
type serverDescs struct {
	failing, sent, dropped, roundsDropped, queued, lastSuccess *prometheus.Desc
}

func newServerDescs() serverDescs {
	l := "server"
	return serverDescs{
		failing:       promDesc("metric_server_failing", "Whether the external metric server's last round failed (1) or not (0).", l),
		sent:          promDesc("metric_server_points_sent_total", "Lines delivered to the external metric server.", l),
		dropped:       promDesc("metric_server_points_dropped_total", "Lines not delivered: send errors and oversize lines.", l),
		roundsDropped: promDesc("metric_server_rounds_dropped_total", "Rounds dropped because the server's queue was full.", l),
		queued:        promDesc("metric_server_queued_rounds", "Rounds waiting in the server's queue.", l),
		lastSuccess:   promDesc("metric_server_last_success_timestamp_seconds", "When a round last reached the server.", l),
	}
}

type serverCollector struct {
	s *Service
	d serverDescs
}

func (c serverCollector) Describe(ch chan<- *prometheus.Desc) {
	d := c.d
	for _, x := range []*prometheus.Desc{d.failing, d.sent, d.dropped, d.roundsDropped, d.queued, d.lastSuccess} {
		ch <- x
	}
}

func (c serverCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.d
	for id, h := range c.s.Exporters.Health() {
		failing := 0.0
		if h.Failing {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(d.failing, prometheus.GaugeValue, failing, id)
		ch <- prometheus.MustNewConstMetric(d.sent, prometheus.CounterValue, float64(h.PointsSent), id)
		ch <- prometheus.MustNewConstMetric(d.dropped, prometheus.CounterValue, float64(h.PointsDropped), id)
		ch <- prometheus.MustNewConstMetric(d.roundsDropped, prometheus.CounterValue, float64(h.RoundsDropped), id)
		ch <- prometheus.MustNewConstMetric(d.queued, prometheus.GaugeValue, float64(h.QueueDepth), id)
		if !h.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(d.lastSuccess, prometheus.GaugeValue,
				float64(h.LastSuccess.UnixNano())/1e9, id)
		}
	}
}
