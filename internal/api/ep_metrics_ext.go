package api

import (
	"context"
	"fmt"
	"time"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/schema"
)

// storageRRDEndpoint is pve-storage's GET
// /nodes/{node}/storage/{storage}/rrddata: total and used of a storage of
// this node, from the history the collection loop keeps for every storage
// it sees active.
func storageRRDEndpoint() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/storage/{storage}/rrddata", Name: "rrddata",
		Description: "Read storage RRD statistics.",
		Perm:        Perm{Check: storageAnyPriv{"Datastore.Audit", "Datastore.AllocateSpace"}},
		ProxyTo:     "node", Protected: true,
		Params: nodeParams(schema.Props{
			"storage": storageIDParam(),
			"cf":      schema.Str("The RRD consolidation function").OneOf("AVERAGE", "MAX").Opt(),
			"timeframe": schema.Str("Specify the time frame you are interested in.").
				OneOf("hour", "day", "week", "month", "year", "decade"),
		}),
		Returns: schema.Arr(schema.Obj(nil).AllowMore()),
		Handler: storageRRDData,
	}
}

func storageRRDData(ctx context.Context, r *Request) (any, error) {
	svc, err := metricsSvc(r)
	if err != nil {
		return nil, err
	}
	id := r.Params.String("storage")
	st, err := storageSvc(r)
	if err != nil {
		return nil, err
	}
	cfg, _, err := st.Read(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Section(id) == nil {
		return nil, BadRequest("storage '" + id + "' does not exist")
	}
	return svc.StorageRRDData(id, r.Params.String("timeframe"), r.Params.String("cf"))
}

// storageAnyPriv needs one of the privileges on /storage/{storage}; an
// invalid storage id is checked on /storage (validation then answers 400).
type storageAnyPriv []string

func (c storageAnyPriv) String() string { return AnyPriv("/storage/{storage}", c...).String() }

func (c storageAnyPriv) eval(ctx context.Context, r *Request) error {
	if schema.CheckFormat("pve-storage-id", r.Params.String("storage")) != "" {
		return AnyPriv("/storage", c...).eval(ctx, r)
	}
	return AnyPriv("/storage/{storage}", c...).eval(ctx, r)
}

// metricServerTestEndpoint runs the connection test of create and update
// against a configured server, on demand (`hostadm metrics test ID`).
func metricServerTestEndpoint() *Endpoint {
	return &Endpoint{
		Method: "POST", Path: "/nodes/{node}/metrics/server/{id}/test", Name: "test",
		Description: "hostadm extension: test the connection from this node to a configured external " +
			"metric server, as create and update do (UDP: open the socket; Graphite TCP: connect; InfluxDB " +
			"HTTP(S): write one point with the stored token), also when the server is disabled. Fails " +
			"with the test's error; returns the server and how long the test took.",
		Perm:   rootModifyPerm(),
		Params: nodeParams(schema.Props{"id": schema.Str("The ID of the entry.").Fmt("pve-configid")}),
		Returns: schema.Obj(schema.Props{
			"id":     schema.Str("The ID of the entry."),
			"type":   schema.Str("Plugin type."),
			"server": schema.Str("Server dns name or IP address"),
			"port":   schema.Int("Server network port"),
			"proto":  schema.Str("Protocol used."),
			"time":   schema.Num("Seconds the test took."),
		}),
		Handler: testMetricServer,
	}
}

func testMetricServer(ctx context.Context, r *Request) (any, error) {
	_, sec, err := metricServer(ctx, r)
	if err != nil {
		return nil, err
	}
	id := sec.ID
	s, ok := statuscfg.ServerOf(sec)
	if !ok {
		return nil, fmt.Errorf("hostadm does not export to metric servers of type '%s'", sec.Type)
	}
	s.Disable = false
	if s.Type == statuscfg.TypeInfluxDB {
		if s.Token, err = statuscfg.Token(ctx, r.Svc.Store, id); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := export.Test(ctx, s, probeLine(ctx, r)); err != nil {
		return nil, fmt.Errorf("connection test failed: %w", err)
	}
	return map[string]any{"id": id, "type": s.Type, "server": s.Host, "port": s.Port, "proto": s.Proto,
		"time": time.Since(start).Seconds()}, nil
}
