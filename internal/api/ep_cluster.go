package api

import (
	"context"

	"hostadm/internal/schema"
)

func clusterEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/", Name: "index",
			Description: "Directory index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler:     subdirIndex,
		},
		{
			Method: "GET", Path: "/cluster", Name: "index",
			Description: "Cluster index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "GET", Path: "/cluster/status", Name: "get_status",
			Description: "Get cluster status information.",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"id":     schema.Str(""),
				"name":   schema.Str(""),
				"type":   schema.Str("Indicates the type, either cluster or node.").OneOf("cluster", "node"),
				"ip":     schema.Str("[node] IP of the resolved nodename.").Opt(),
				"level":  schema.Str("[node] Proxmox VE Subscription level.").Opt(),
				"local":  schema.Bool("[node] Indicates if this is the responding node.").Opt(),
				"nodeid": schema.Int("[node] ID of the node from the corosync configuration.").Opt(),
				"online": schema.Bool("[node] Indicates if the node is online or offline.").Opt(),
			}).AllowMore()),
			Handler: clusterStatus,
		},
	}
}

func subdirIndex(_ context.Context, r *Request) (any, error) {
	names := r.api.router.children(r.Endpoint.Path)
	out := make([]map[string]string, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]string{"subdir": n})
	}
	return out, nil
}

// clusterStatus answers for a single node the way Proxmox does on a node
// that is not part of a cluster: one node entry.
func clusterStatus(ctx context.Context, r *Request) (any, error) {
	if c := r.Svc.Cluster; c != nil && c.Clustered() {
		return clusteredStatus(ctx, r, c)
	}
	entry := map[string]any{
		"type": "node", "id": "node/" + r.Node, "name": r.Node,
		"local": 1, "nodeid": 0, "online": 1, "level": "",
	}
	if ip := localIP(ctx, r.Node); ip != "" {
		entry["ip"] = ip
	}
	return []any{entry}, nil
}
