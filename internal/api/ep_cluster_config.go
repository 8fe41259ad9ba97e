package api

import (
	"context"
	"errors"
	"strings"

	"hostadm/internal/cluster"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// Cluster membership (pvecm's endpoints), on internal/cluster.
func clusterConfigEndpoints() []*Endpoint {
	linkParam := schema.Str("Address and priority information of a single corosync link. (up to 8 links supported; link0..link7)").Opt()
	return []*Endpoint{
		{
			Method: "GET", Path: "/cluster/config", Name: "index",
			Description: "Directory index.",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler:     subdirIndex,
		},
		{
			Method: "POST", Path: "/cluster/config", Name: "create",
			Description: "Generate new cluster configuration. If no links given, default to local IP address as link0.",
			Perm:        Perm{Check: Privs("/", "Sys.Modify"), Description: "hostadm: Sys.Modify on / (Proxmox: root only)."},
			Protected:   true,
			Params: schema.Obj(schema.Props{
				"clustername":       schema.Str("The name of the cluster.").Fmt("pve-node").MaxLen(15),
				"link0":             linkParam,
				"nodeid":            schema.Int("Node id for this node.").Min(1).Opt(),
				"votes":             schema.Int("Number of votes for this node.").Min(1).Opt(),
				"token-coefficient": schema.Int("Corosync token coefficient (ignored: etcd has no token).").Min(0).Max(125).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: with("cluster", clusterSvc, createCluster),
		},
		{
			Method: "GET", Path: "/cluster/config/apiversion", Name: "join_api_version",
			Description: "Return the version of the cluster join API available on this node.",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(nil),
			Returns:     schema.Int("Cluster Join API version, currently 1").Min(0),
			Handler:     func(context.Context, *Request) (any, error) { return 1, nil },
		},
		{
			Method: "GET", Path: "/cluster/config/join", Name: "join_info",
			Description: "Get information needed to join this cluster over the connected node.",
			Perm:        rootAuditPerm(),
			AnyNode:     true,
			Params:      schema.Obj(schema.Props{"node": schema.Str("The node for which the joinee gets the nodeinfo. ").Fmt("pve-node").Opt()}),
			Returns:     schema.Obj(nil).AllowMore(),
			Handler: with("cluster", clusterSvc, func(ctx context.Context, _ *Request, c *cluster.Service) (any, error) {
				return c.JoinInfo(ctx)
			}),
		},
		{
			Method: "POST", Path: "/cluster/config/join", Name: "join",
			Description: "Joins this node into an existing cluster. hostadm: instead of root@pam's password an API token of that node with Sys.Modify on / may be given (token), and its API port (port).",
			Perm:        Perm{Check: Privs("/", "Sys.Modify"), Description: "hostadm: Sys.Modify on / (Proxmox: root only)."},
			Protected:   true,
			Params: schema.Obj(schema.Props{
				"hostname":    schema.Str("Hostname (or IP) of an existing cluster member."),
				"fingerprint": schema.Str("Certificate SHA 256 fingerprint.").Pat(`([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}`),
				"password":    schema.Str("Superuser (root) password of peer node.").MaxLen(128).Opt(),
				"token":       schema.Str("hostadm: an API token of the peer node (USER@REALM!TOKENID=SECRET) with Sys.Modify on /.").MaxLen(256).Opt(),
				"port":        schema.Int("hostadm: the peer node's API port.").Min(1).Max(65535).Def(8006).Opt(),
				"link0":       linkParam,
				"nodeid":      schema.Int("Node id for this node.").Min(1).Opt(),
				"votes":       schema.Int("Number of votes for this node").Min(0).Opt(),
				"force":       schema.Bool("Do not throw error if node already exists.").Opt(),
			}),
			Extensions: []string{"token", "port"},
			Returns:    schema.Str(""),
			Handler:    with("cluster", clusterSvc, joinCluster),
		},
		{
			Method: "GET", Path: "/cluster/config/nodes", Name: "nodes",
			Description: "Corosync node list.",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(nil),
			Returns:     schema.Arr(schema.Obj(schema.Props{"node": schema.Str("")}).AllowMore()),
			Handler:     with("cluster", clusterSvc, clusterNodes),
		},
		{
			Method: "POST", Path: "/cluster/config/nodes/{node}", Name: "addnode",
			Description: "Adds a node to the cluster configuration. This call is for internal use. hostadm: the joining node sends its member's peer URL (peer_url) and API URL (api_url) and receives its member certificate.",
			Perm:        Perm{Check: Privs("/", "Sys.Modify"), Description: "hostadm: Sys.Modify on / (Proxmox: root only); a joining node may use an API token."},
			Protected:   true,
			AnyNode:     true,
			Params: schema.Obj(schema.Props{
				"node":        nodeParam(),
				"apiversion":  schema.Int("The JOIN_API_VERSION of the new node.").Opt(),
				"force":       schema.Bool("Do not throw error if node already exists.").Opt(),
				"link0":       linkParam,
				"new_node_ip": schema.Str("IP Address of node to add. Used as fallback if no links are given.").Fmt("ip").Opt(),
				"nodeid":      schema.Int("Node id for this node.").Min(1).Opt(),
				"votes":       schema.Int("Number of votes for this node").Min(0).Opt(),
				"peer_url":    schema.Str("hostadm: the new node's etcd peer URL.").Pat(`https://\S+`).MaxLen(256),
				"api_url":     schema.Str("hostadm: the new node's API URL.").Pat(`https://\S+`).MaxLen(256),
			}),
			Extensions: []string{"peer_url", "api_url"},
			Returns:    schema.Obj(nil).AllowMore(),
			Handler:    with("cluster", clusterSvc, addNode),
		},
		{
			Method: "POST", Path: "/cluster/config/expected", Name: "expected",
			Description: "hostadm: pvecm expected. Without quorum, 1 makes this node go on alone as a one-member cluster (the daemon restarts; other nodes must join again); on a quorate cluster nothing changes.",
			Perm:        rootModifyPerm(),
			Protected:   true,
			Params:      schema.Obj(schema.Props{"expected": schema.Int("Expected votes.").Min(1)}),
			Returns:     schema.Null(),
			Handler: with("cluster", clusterSvc, func(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
				return nil, c.Expected(ctx, int(r.Params.Int("expected")))
			}),
		},
		{
			Method: "DELETE", Path: "/cluster/config/nodes/{node}", Name: "delnode",
			Description: "Removes a node from the cluster configuration.",
			Perm:        Perm{Check: Privs("/", "Sys.Modify"), Description: "hostadm: Sys.Modify on / (Proxmox: root only)."},
			Protected:   true,
			AnyNode:     true,
			Params:      schema.Obj(schema.Props{"node": nodeParam()}),
			Returns:     schema.Null(),
			Handler: with("cluster", clusterSvc, func(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
				return nil, c.DelNode(ctx, r.Params.String("node"))
			}),
		},
	}
}

func clusterSvc(s *Services) *cluster.Service { return s.Cluster }

// linkAddress takes the address of a link property string
// ("10.0.0.1" or "address=10.0.0.1,priority=10").
func linkAddress(v string) string {
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return k
		}
		if k == "address" {
			return val
		}
	}
	return ""
}

func createCluster(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
	if c.Clustered() {
		return nil, cluster.ErrClustered
	}
	p := cluster.CreateParams{Name: r.Params.String("clustername"), Link0: linkAddress(r.Params.String("link0")),
		NodeID: int(r.Params.Int("nodeid")), Votes: int(r.Params.Int("votes"))}
	return startTask(ctx, r, "clustercreate", p.Name, func(ctx context.Context, l *tasks.Log) error {
		l.Printf("Creating cluster %s on node %s", p.Name, r.Node)
		return c.Create(ctx, p)
	})
}

func joinCluster(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
	if c.Clustered() {
		return nil, cluster.ErrClustered
	}
	pr := r.Params
	if !pr.Has("password") && !pr.Has("token") {
		return nil, schema.ParamError{"password": "property is missing and it is not optional"}
	}
	p := cluster.JoinParams{Hostname: pr.String("hostname"), Port: int(pr.Int("port")), Fingerprint: pr.String("fingerprint"),
		Password: pr.String("password"), Token: pr.String("token"), Link0: linkAddress(pr.String("link0")),
		NodeID: int(pr.Int("nodeid")), Votes: int(pr.Int("votes")), Force: pr.Bool("force")}
	return startTask(ctx, r, "clusterjoin", "", func(ctx context.Context, l *tasks.Log) error {
		return c.Join(ctx, p, func(s string) { l.Printf("%s", s) })
	})
}

func clusterNodes(ctx context.Context, _ *Request, c *cluster.Service) (any, error) {
	m, err := c.Membership(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?")
	}
	var out []map[string]any
	for _, n := range m.Sorted() {
		out = append(out, map[string]any{"node": n.Name, "name": n.Name, "nodeid": n.NodeID,
			"quorum_votes": n.Votes, "ring0_addr": n.Link0})
	}
	return out, nil
}

func addNode(ctx context.Context, r *Request, c *cluster.Service) (any, error) {
	pr := r.Params
	link := linkAddress(pr.String("link0"))
	if link == "" {
		link = pr.String("new_node_ip")
	}
	res, err := c.AddNode(ctx, cluster.AddParams{Node: pr.String("node"), NodeID: int(pr.Int("nodeid")),
		Votes: int(pr.Int("votes")), Link0: link, PeerURL: pr.String("peer_url"), API: pr.String("api_url"),
		Force: pr.Bool("force")})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"corosync_authkey": "", "corosync_conf": "", "warnings": []string{},
		"cluster": res.Cluster, "nodeid": res.NodeID, "cluster_token": res.Token,
		"initial_cluster": res.InitialCluster, "ca": string(res.CA),
		"member_cert": string(res.Cert), "member_key": string(res.Key),
	}, nil
}
