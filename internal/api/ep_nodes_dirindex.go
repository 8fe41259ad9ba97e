package api

import (
	"context"

	"hostadm/internal/schema"
)

// dirIndexEndpoints are the directory indexes between /nodes/{node} and
// the endpoints below them, which the node index lists: without them the
// entries answered 501. Proxmox names the key of each entry per
// directory ("type" for hardware, "subdir" for a storage).
func dirIndexEndpoints() []*Endpoint {
	entry := func(key string) *schema.Schema {
		return schema.Arr(schema.Obj(schema.Props{key: schema.Str("")}).AllowMore())
	}
	return []*Endpoint{
		{Method: "GET", Path: "/nodes/{node}/hardware", Name: "index", Description: "Index of hardware types",
			Perm: Perm{All: true}, Params: nodeParams(nil), Returns: entry("type"), Handler: childIndex("type")},
		{Method: "GET", Path: "/nodes/{node}/metrics", Name: "index",
			Description: "Index of the node's metric endpoints (hostadm's own directory).",
			Perm:        Perm{All: true}, Params: nodeParams(nil), Returns: entry("name"), Handler: childIndex("name")},
		{Method: "GET", Path: "/nodes/{node}/storage/{storage}", Name: "diridx", Description: "Index of the storage's directories.",
			Perm:    Perm{Check: storageAnyPriv{"Datastore.Audit", "Datastore.AllocateSpace"}},
			Params:  nodeParams(schema.Props{"storage": schema.Str("The storage identifier.").Fmt("pve-storage-id")}),
			Returns: entry("subdir"), Handler: childIndex("subdir")},
	}
}

// childIndex lists the static children of the endpoint's path as
// [{key: child}].
func childIndex(key string) Handler {
	return func(_ context.Context, r *Request) (any, error) {
		names := r.api.router.children(r.Endpoint.Path)
		out := make([]map[string]string, 0, len(names))
		for _, n := range names {
			out = append(out, map[string]string{key: n})
		}
		return out, nil
	}
}
