package api

import (
	"context"

	"hostadm/internal/schema"
)

// rrdEndpoints declares the node's history graphs (rrddata from hostadm's
// round-robin store in internal/metrics/rrd, and the legacy PNG rendering),
// the storages' history, the Prometheus exposition and the metric server
// connection test.
func rrdEndpoints() []*Endpoint {
	cf := schema.Str("The RRD consolidation function").OneOf("AVERAGE", "MAX").Opt()
	timeframe := schema.Str("Specify the time frame you are interested in.").
		OneOf("hour", "day", "week", "month", "year", "decade")
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/rrddata", Name: "rrddata",
			Description: "Read node RRD statistics",
			Perm:        auditPerm(), Protected: true,
			Params:  nodeParams(schema.Props{"cf": cf, "timeframe": timeframe}),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: rrdData,
		},
		{
			Method: "GET", Path: "/nodes/{node}/rrd", Name: "rrd",
			Description: "Read node RRD statistics (returns PNG). Not implemented by hostadm (501): " +
				"it is legacy and no known client uses it; graphs are drawn from rrddata.",
			Perm: auditPerm(), Protected: true,
			Params: nodeParams(schema.Props{
				"cf":        cf,
				"ds":        schema.Str("The list of datasources you want to display.").Fmt("pve-configid-list"),
				"timeframe": timeframe,
			}),
			Returns: schema.Obj(schema.Props{"filename": schema.Str("")}),
			Handler: func(context.Context, *Request) (any, error) {
				return nil, NotImplemented("rrd graphs as PNG are not implemented; use rrddata")
			},
		},
		prometheusEndpoint(),
		storageRRDEndpoint(),
		metricServerTestEndpoint(),
	}
}

// rrdData serves the local node's history (the node parameter is already
// resolved to it). Proxmox reads a cluster-wide RRD store for any node;
// hostadm keeps the local node's.
func rrdData(_ context.Context, r *Request) (any, error) {
	svc, err := metricsSvc(r)
	if err != nil {
		return nil, err
	}
	return svc.RRDData(r.Params.String("timeframe"), r.Params.String("cf"))
}
