package api

import (
	"context"
	"strconv"

	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
)

// nodeConfigProps are the node config keys in Proxmox's enum order.
var nodeConfigProps = []string{"acme", "acmedomain0", "acmedomain1", "acmedomain2", "acmedomain3", "acmedomain4",
	"acmedomain5", "ballooning-target", "description", "startall-onboot-delay", "wakeonlan"}

func nodeConfigDigest() *schema.Schema {
	return schema.Str("Prevent changes if current configuration file has different SHA1 digest. " +
		"This can be used to prevent concurrent modifications.").MaxLen(40).Opt()
}

func nodeConfigEndpoints() []*Endpoint {
	setParams := nodecfg.Props()
	setParams["delete"] = schema.Str("A list of settings you want to delete.").Fmt("pve-configid-list").Opt()
	setParams["digest"] = nodeConfigDigest()
	returns := nodecfg.Props()
	returns["digest"] = nodeConfigDigest()
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/config", Name: "get_config",
			Description: "Get node configuration options.",
			Perm:        rootAuditPerm(), ProxyTo: "node",
			Params: nodeParams(schema.Props{
				"property": schema.Str("Return only a specific property from the node configuration.").
					OneOf(nodeConfigProps...).Def("all"),
			}),
			Returns: schema.Obj(returns).AllowMore(),
			Handler: getNodeConfig,
		},
		{
			Method: "PUT", Path: "/nodes/{node}/config", Name: "set_options",
			Description: "Set node configuration options.",
			Perm:        rootModifyPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(setParams),
			Returns: nullReturn(),
			Handler: setNodeConfig,
		},
		{
			Method: "POST", Path: "/nodes/{node}/wakeonlan", Name: "wakeonlan",
			Description: "Try to wake a node via 'wake on LAN' network packet.",
			Perm:        Perm{Check: Privs("/nodes/{node}", "Sys.PowerMgmt")}, Protected: true, AnyNode: true,
			Params: schema.Obj(schema.Props{
				"node": schema.Str("target node for wake on LAN packet").Fmt("pve-node"),
			}),
			Returns: schema.Str("MAC address used to assemble the WoL magic packet.").Fmt("mac-addr"),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := nodeSvc(r)
				if err != nil {
					return nil, err
				}
				return s.Wake(ctx, r.Params.String("node"))
			},
		},
	}
}

func getNodeConfig(ctx context.Context, r *Request) (any, error) {
	s, err := nodeSvc(r)
	if err != nil {
		return nil, err
	}
	conf, err := s.Get(ctx, r.Node)
	if err != nil {
		return nil, err
	}
	if prop := r.Params.String("property"); r.Params.Has("property") && prop != "all" {
		v, ok := conf[prop]
		if !ok {
			return map[string]any{}, nil
		}
		return map[string]any{prop: v}, nil
	}
	return conf, nil
}

// setNodeConfig stores the sent values verbatim (integers as text), then
// removes the keys in delete.
func setNodeConfig(ctx context.Context, r *Request) (any, error) {
	s, err := nodeSvc(r)
	if err != nil {
		return nil, err
	}
	ch := nodecfg.Change{Set: map[string]string{}, Delete: r.Params.List("delete"), Digest: r.Params.String("digest")}
	for _, k := range r.Params.Names() {
		switch k {
		case "node", "delete", "digest":
			continue
		case "ballooning-target", "startall-onboot-delay":
			ch.Set[k] = strconv.FormatInt(r.Params.Int(k), 10)
		default:
			ch.Set[k] = r.Params.String(k)
		}
	}
	return nil, s.Update(ctx, r.Node, ch)
}
