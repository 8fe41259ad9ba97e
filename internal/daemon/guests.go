package daemon

import (
	"context"
	"net/url"
)

// The guest service learns the cluster's nodes, whether they are online
// and their addresses (where they receive live migrations) from the
// cluster service, built after it; without a cluster only this node exists.

func (n *Node) clusterNodes(ctx context.Context) ([]string, error) {
	c := n.Services.Cluster
	if c == nil || !c.Clustered() {
		return []string{n.Config.Node}, nil
	}
	m, err := c.Membership(ctx)
	if err != nil || m == nil {
		return []string{n.Config.Node}, err
	}
	var out []string
	for _, ni := range m.Sorted() {
		out = append(out, ni.Name)
	}
	return out, nil
}

func (n *Node) nodeOnline(ctx context.Context, node string) bool {
	c := n.Services.Cluster
	if c == nil || !c.Clustered() || node == n.Config.Node {
		return node == n.Config.Node
	}
	return c.Online(ctx, node)
}

func (n *Node) nodeAddr(ctx context.Context, node string) (string, error) {
	c := n.Services.Cluster
	if c == nil || !c.Clustered() {
		return "127.0.0.1", nil
	}
	api, ok := c.NodeAPI(ctx, node)
	if !ok {
		return "127.0.0.1", nil
	}
	u, err := url.Parse(api)
	if err != nil {
		return "", err
	}
	return u.Hostname(), nil
}
