package api

import (
	"context"
	"net"
	"net/url"
	"sync"

	"hostadm/internal/cluster"
	"hostadm/internal/schema"
)

// clusteredStatus is /cluster/status on a clustered node: the cluster entry
// (quorum, node count, membership version) and one entry per node.
func clusteredStatus(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
	m, err := c.Membership(ctx)
	if err != nil || m == nil {
		return nil, err
	}
	nodes := m.Sorted()
	online := onlineMap(ctx, c, nodes)
	out := []any{map[string]any{
		"type": "cluster", "id": "cluster", "name": m.Name, "nodes": len(nodes),
		"quorate": schema.Flag(c.Quorate()), "version": m.Version,
	}}
	for _, n := range nodes {
		out = append(out, map[string]any{
			"type": "node", "id": "node/" + n.Name, "name": n.Name, "nodeid": n.NodeID,
			"local": schema.Flag(n.Name == r.Node), "online": schema.Flag(online[n.Name]), "level": "", "ip": nodeIP(n),
		})
	}
	return out, nil
}

// onlineMap probes the nodes in parallel.
func onlineMap(ctx context.Context, c *cluster.Service, nodes []*cluster.NodeInfo) map[string]bool {
	out := make(map[string]bool, len(nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() {
			on := c.Online(ctx, n.Name)
			mu.Lock()
			out[n.Name] = on
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func nodeIP(n *cluster.NodeInfo) string {
	if ip := net.ParseIP(n.Link0); ip != nil {
		return n.Link0
	}
	if u, err := url.Parse(n.API); err == nil {
		return u.Hostname()
	}
	return n.Link0
}

// otherNodes are the /nodes entries of the cluster's other members; what
// they report of themselves is asked of them through /nodes/NAME/status by
// those who want it.
func otherNodes(ctx context.Context, r *Request) []any {
	c := r.Svc.Cluster
	if c == nil || !c.Clustered() {
		return nil
	}
	m, err := c.Membership(ctx)
	if err != nil || m == nil {
		return nil
	}
	var others []*cluster.NodeInfo
	for _, n := range m.Sorted() {
		if n.Name != r.Node {
			others = append(others, n)
		}
	}
	online := onlineMap(ctx, c, others)
	var out []any
	for _, n := range others {
		status := "offline"
		if online[n.Name] {
			status = "online"
		}
		e := map[string]any{"node": n.Name, "id": "node/" + n.Name, "type": "node", "status": status, "level": ""}
		if fp := c.NodeFingerprint(ctx, n.Name); fp != "" {
			e["ssl_fingerprint"] = fp
		}
		out = append(out, e)
	}
	return out
}

func clusterResourcesEndpoint() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/cluster/resources", Name: "resources",
		Description: "Resources index (cluster wide).",
		Perm:        Perm{All: true},
		Params: schema.Obj(schema.Props{
			"type": schema.Str("Resource type.").OneOf("vm", "storage", "node", "sdn").Opt(),
		}),
		Returns: schema.Arr(schema.Obj(schema.Props{
			"id":   schema.Str("Resource id."),
			"type": schema.Str("Resource type.").OneOf("node", "storage", "pool", "qemu", "lxc", "openvz", "sdn", "network"),
		}).AllowMore()),
		Handler: clusterResources,
	}
}

// clusterResources lists nodes and storages (one entry per storage and
// node it is available on) the caller may see.
func clusterResources(ctx context.Context, r *Request) (any, error) {
	want := r.Params.String("type")
	var out []any
	if want == "" || want == "node" {
		nodes, err := listNodes(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes.([]any) {
			e := n.(map[string]any)
			if ok, _ := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/nodes/"+e["node"].(string), []string{"Sys.Audit"}, false); ok || r.Identity.IsRoot() {
				out = append(out, e)
			}
		}
	}
	if want == "" || want == "vm" {
		vms, err := vmResources(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, vms...)
	}
	if want == "" || want == "storage" {
		st, err := storageResources(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, st...)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func storageResources(ctx context.Context, r *Request) ([]any, error) {
	svc, err := storageSvc(r)
	if err != nil {
		return nil, err
	}
	cfg, _, err := svc.Read(ctx)
	if err != nil {
		return nil, err
	}
	nodes := []string{r.Node}
	if c := r.Svc.Cluster; c != nil && c.Clustered() {
		if m, err := c.Membership(ctx); err == nil && m != nil {
			nodes = nodes[:0]
			for _, n := range m.Sorted() {
				nodes = append(nodes, n.Name)
			}
		}
	}
	var out []any
	for _, sec := range cfg.Sections {
		if ok, _ := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/storage/"+sec.ID, []string{"Datastore.Audit"}, false); !ok && !r.Identity.IsRoot() {
			continue
		}
		for _, node := range nodes {
			out = append(out, map[string]any{
				"id": "storage/" + node + "/" + sec.ID, "type": "storage", "storage": sec.ID,
				"node": node, "plugintype": sec.Type, "status": "available",
			})
		}
	}
	return out, nil
}
