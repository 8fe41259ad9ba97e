package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hostadm/internal/metrics"
	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// metricsEndpoints declares the metrics area's endpoints: external metric
// servers (status.cfg), the pull export and the node's interface counters.
func metricsEndpoints() []*Endpoint {
	sc := statuscfg.Schema()
	update := sectioncfg.UpdateSchema(sc)
	return append([]*Endpoint{
		{
			Method: "GET", Path: "/cluster/metrics", Name: "index",
			Description: "Metrics index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler: func(context.Context, *Request) (any, error) {
				return []map[string]string{{"name": "server"}}, nil
			},
		},
		{
			Method: "GET", Path: "/cluster/metrics/server", Name: "server_index",
			Description: "List configured metric servers. hostadm adds each running server's health " +
				"(failing, error, last-success, last-error, points-sent, points-dropped, rounds-dropped, queue-depth).",
			Perm:   rootAuditPerm(),
			Params: schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"disable": schema.Bool("Flag to disable the plugin."),
				"id":      schema.Str("The ID of the entry."),
				"port":    schema.Int("Server network port"),
				"server":  schema.Str("Server dns name or IP address"),
				"type":    schema.Str("Plugin type."),
			}).AllowMore()),
			Handler: listMetricServers,
		},
		{
			Method: "GET", Path: "/cluster/metrics/server/{id}", Name: "read",
			Description: "Read metric server configuration.",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(schema.Props{"id": schema.Str("").Fmt("pve-configid")}),
			Returns:     schema.Obj(nil).AllowMore(),
			Handler:     readMetricServer,
		},
		{
			Method: "POST", Path: "/cluster/metrics/server/{id}", Name: "create",
			Description: "Create a new external metric server config",
			Perm:        rootModifyPerm(), Protected: true,
			Params:  sectioncfg.CreateSchema(sc),
			Returns: schema.Null(),
			Handler: createMetricServer,
		},
		{
			Method: "PUT", Path: "/cluster/metrics/server/{id}", Name: "update",
			Description: "Update metric server configuration.",
			Perm:        rootModifyPerm(), Protected: true,
			Params:  update,
			Returns: schema.Null(),
			Handler: updateMetricServer,
		},
		{
			Method: "DELETE", Path: "/cluster/metrics/server/{id}", Name: "delete",
			Description: "Remove Metric server.",
			Perm:        rootModifyPerm(), Protected: true,
			Params:  schema.Obj(schema.Props{"id": schema.Str("").Fmt("pve-configid")}),
			Returns: schema.Null(),
			Handler: deleteMetricServer,
		},
		{
			Method: "GET", Path: "/cluster/metrics/export", Name: "export",
			Description: "Retrieve metrics of the cluster.",
			Perm:        rootAuditPerm(),
			Params: schema.Obj(schema.Props{
				"history":    schema.Bool("Also return historic values. Returns full available metric history unless `start-time` is also set").Def(0),
				"local-only": schema.Bool("Only return metrics for the current node instead of the whole cluster").Def(0),
				"node-list":  schema.Str("Only return metrics from nodes passed as comma-separated list").Opt(),
				"start-time": schema.Int("Only include metrics with a timestamp > start-time.").Def(0),
			}),
			Returns: schema.Obj(schema.Props{"data": schema.Arr(schema.Obj(schema.Props{
				"id":        schema.Str("Unique identifier for this metric object, for instance 'node/<nodename>' or 'qemu/<vmid>'."),
				"metric":    schema.Str("Name of the metric."),
				"timestamp": schema.Int("Time at which this metric was observed"),
				"type":      schema.Str("Type of the metric.").OneOf("gauge", "counter", "derive"),
				"value":     schema.Num("Metric value."),
			}))}),
			Handler: exportMetrics,
		},
		{
			Method: "GET", Path: "/nodes/{node}/netstat", Name: "netstat",
			Description: "Read tap/vm network device interface counters",
			Perm:        auditPerm(),
			ProxyTo:     "node",
			Params:      nodeParams(nil),
			Returns:     schema.Arr(schema.Obj(nil).AllowMore()),
			Handler:     netstat,
		},
	}, rrdEndpoints()...)
}

func metricsSvc(r *Request) (*metrics.Service, error) { return need(r.Svc.Metrics, "metrics") }

func listMetricServers(ctx context.Context, r *Request) (any, error) {
	f, err := statuscfg.Read(ctx, r.Svc.Store)
	if err != nil {
		return nil, err
	}
	var health map[string]export.Health
	if r.Svc.Metrics != nil {
		health = r.Svc.Metrics.Exporters.Health()
	}
	out := []map[string]any{}
	for _, sec := range f.Config.Sections {
		e := map[string]any{"id": sec.ID, "type": sec.Type, "server": sec.Props["server"],
			"port": sec.Props["port"], "disable": schema.Flag(sec.Props["disable"] == true)}
		if h, ok := health[sec.ID]; ok {
			addHealth(e, h)
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b map[string]any) int {
		return strings.Compare(a["id"].(string), b["id"].(string))
	})
	return out, nil
}

// addHealth adds hostadm's per-server health keys to a list entry.
func addHealth(e map[string]any, h export.Health) {
	e["failing"] = schema.Flag(h.Failing)
	e["points-sent"] = h.PointsSent
	e["points-dropped"] = h.PointsDropped
	e["rounds-dropped"] = h.RoundsDropped
	e["queue-depth"] = h.QueueDepth
	if h.Error != "" {
		e["error"] = h.Error
	}
	if !h.LastSuccess.IsZero() {
		e["last-success"] = h.LastSuccess.Unix()
	}
	if !h.LastError.IsZero() {
		e["last-error"] = h.LastError.Unix()
	}
}

// metricServer reads status.cfg and finds the section of the id parameter.
func metricServer(ctx context.Context, r *Request) (*statuscfg.File, *sectioncfg.Section, error) {
	f, err := statuscfg.Read(ctx, r.Svc.Store)
	if err != nil {
		return nil, nil, err
	}
	id := r.Params.String("id")
	sec := f.Config.Section(id)
	if sec == nil {
		return nil, nil, fmt.Errorf("status server entry '%s' does not exist", id)
	}
	return f, sec, nil
}

func readMetricServer(ctx context.Context, r *Request) (any, error) {
	f, sec, err := metricServer(ctx, r)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"type": sec.Type, "digest": f.Config.Digest}
	for k, v := range sec.Props {
		if k == "token" {
			continue
		}
		if b, ok := v.(bool); ok {
			v = schema.Flag(b)
		}
		out[k] = v
	}
	return out, nil
}

func exportMetrics(_ context.Context, r *Request) (any, error) {
	svc, err := metricsSvc(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": svc.Export(r.Params.Bool("history"), r.Params.Int("start-time"))}, nil
}

func netstat(ctx context.Context, r *Request) (any, error) {
	stat, err := need(r.Svc.NodeStat, "node statistics")
	if err != nil {
		return nil, err
	}
	return stat.NetStat(ctx)
}

// probeLine is the point the connection test writes to InfluxDB over HTTP:
// the node's real uptime in the "system" measurement, data the server
// would receive anyway.
func probeLine(ctx context.Context, r *Request) []byte {
	up := int64(0)
	if r.Svc.NodeStat != nil {
		if st, err := r.Svc.NodeStat.Status(ctx); err == nil {
			up = st.Uptime
		}
	}
	return fmt.Appendf(nil, "system,object=nodes,host=%s uptime=%d %d\n", r.Node, up, time.Now().UnixNano())
}
