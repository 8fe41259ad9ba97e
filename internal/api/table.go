package api

import (
	"context"

	"hostadm/internal/schema"
)

// Table is the whole endpoint table, built from each area's part.
func Table() []*Endpoint {
	var t []*Endpoint
	for _, part := range [][]*Endpoint{
		versionEndpoints(),
		accessEndpoints(),
		userEndpoints(),
		aclEndpoints(),
		nodeEndpoints(),
		taskEndpoints(),
		clusterEndpoints(),
		networkEndpoints(),
		aptEndpoints(),
		metricsEndpoints(),
		hostEndpoints(),
		diskEndpoints(),
	} {
		t = append(t, part...)
	}
	return t
}

// nodeParam is the `node` path parameter every /nodes/{node} endpoint has.
func nodeParam() *schema.Schema {
	return schema.Str("The cluster node name.").Fmt("pve-node")
}

// nodeParams is an object with `node` and the given parameters.
func nodeParams(props schema.Props) *schema.Schema {
	p := schema.Props{"node": nodeParam()}
	for k, v := range props {
		p[k] = v
	}
	return schema.Obj(p)
}

// indexReturns is the return schema of a directory index.
func indexReturns() *schema.Schema {
	return schema.Arr(schema.Obj(schema.Props{"name": schema.Str("")}).AllowMore())
}

// indexOf is a handler listing the static children of the endpoint's path
// as [{name: child}], like Proxmox's directory indexes.
func indexOf(extra ...string) Handler {
	return func(_ context.Context, r *Request) (any, error) {
		names := r.api.router.children(r.Endpoint.Path)
		names = append(names, extra...)
		out := make([]map[string]string, 0, len(names))
		for _, n := range names {
			out = append(out, map[string]string{"name": n})
		}
		return out, nil
	}
}
