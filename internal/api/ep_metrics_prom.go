package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"

	"hostadm/internal/schema"
)

// hostadm's Prometheus endpoint (an extension: Proxmox VE has none).
//
// Prometheus scrapes GET /metrics on the daemon's HTTPS port (:8006), next
// to /api2 and the web UI, not a path under /api2/json: a scraper wants the
// text exposition (with OpenMetrics negotiation and gzip, which promhttp
// does), and the JSON envelope cannot carry it; /metrics is also the path
// every Prometheus setup expects. It is not an anonymous side door: it
// takes the API's credentials and the permission of node status
// (Sys.Audit on /nodes/{node}), declared once, in the table entry GET
// /nodes/{node}/metrics/prometheus below, which serves the same text as a
// JSON string (pvesh, the API index). A scrape job authenticates with an
// API token:
//
//	scheme: https
//	authorization: {type: PVEAPIToken, credentials: "prom@pve!scrape=SECRET"}
//
// (Prometheus sends "Authorization: PVEAPIToken prom@pve!scrape=SECRET",
// which the API accepts like "PVEAPIToken=..."), or with a ticket cookie.
//
// An admin who prefers a scrape without credentials starts the daemon with
// --metrics-listen ADDR: the same registry is then also served at
// http://ADDR/metrics, plain HTTP, no authentication, nothing else on that
// address (internal/daemon/metrics.go); off by default.

// prometheusEndpoint is the table entry; PrometheusHandler checks the same
// permission.
func prometheusEndpoint() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/metrics/prometheus", Name: "prometheus",
		Description: "hostadm extension: the node's metrics in Prometheus's text exposition format " +
			"(node and storage figures of the last collection round, external metric server health, finished " +
			"tasks by type and status, the collection loop, the daemon process), as a string. Prometheus scrapes the same at GET /metrics on the " +
			"daemon's port, with an API token and the same permission.",
		Perm:    auditPerm(),
		Params:  nodeParams(nil),
		Returns: schema.Str("The exposition text."),
		Handler: prometheusText,
	}
}

func prometheusText(_ context.Context, r *Request) (any, error) {
	svc, err := metricsSvc(r)
	if err != nil {
		return nil, err
	}
	families, err := svc.Registry().Gather()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

// PrometheusHandler serves GET /metrics: the caller authenticates as for
// the API (API token or ticket) and needs the permission of
// prometheusEndpoint; then the registry of the metrics service answers.
func (a *API) PrometheusHandler() http.Handler {
	e := prometheusEndpoint()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			a.fail(w, req, "json", NotImplemented("Method '"+req.Method+" /metrics' not implemented"))
			return
		}
		if _, err := need(a.svc.Metrics, "metrics"); err != nil {
			a.fail(w, req, "json", err)
			return
		}
		id, err := a.authenticate(req)
		if err != nil {
			a.authFail(w, req, err, start)
			return
		}
		r := &Request{Endpoint: e, Identity: id, Svc: a.svc, Node: a.svc.Node, Remote: remoteIP(req), HTTP: req}
		if err := e.checkPerm(req.Context(), r); err != nil {
			a.fail(w, req, "json", err)
			return
		}
		a.svc.Metrics.Handler().ServeHTTP(w, req)
	})
}
