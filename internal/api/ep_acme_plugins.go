package api

import (
	"context"

	"hostadm/internal/acme"
	"hostadm/internal/schema"
)

func pluginIDParam(desc string) *schema.Schema { return schema.Str(desc).Fmt("pve-configid") }

func pluginDigest() *schema.Schema {
	return schema.Str("Prevent changes if current configuration file has a different digest. " +
		"This can be used to prevent concurrent modifications.").MaxLen(64).Opt()
}

func pluginReturnProps() schema.Props {
	p := acme.PluginProps()
	p["plugin"] = pluginIDParam("Unique identifier for ACME plugin instance.")
	p["type"] = schema.Str("ACME challenge type.").OneOf(acme.TypeDNS, acme.TypeStandalone)
	p["digest"] = pluginDigest()
	return p
}

func acmePluginEndpoints() []*Endpoint {
	perm := rootModifyPerm()
	create := acme.PluginProps()
	create["id"] = pluginIDParam("ACME Plugin ID name")
	create["type"] = schema.Str("ACME challenge type.").OneOf(acme.TypeDNS, acme.TypeStandalone)
	update := acme.PluginProps()
	update["id"] = pluginIDParam("ACME Plugin ID name")
	update["digest"] = pluginDigest()
	update["delete"] = schema.Str("A list of settings you want to delete.").Fmt("pve-configid-list").MaxLen(4096).Opt()
	return []*Endpoint{
		{
			Method: "GET", Path: "/cluster/acme/plugins", Name: "index",
			Description: "ACME plugin index.",
			Perm:        perm, Protected: true,
			Params: schema.Obj(schema.Props{"type": schema.Str("Only list ACME plugins of a specific type").
				OneOf(acme.TypeDNS, acme.TypeStandalone).Opt()}),
			Returns: schema.Arr(schema.Obj(pluginReturnProps())),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				list, digest, err := s.Plugins(ctx)
				if err != nil {
					return nil, err
				}
				out := []map[string]any{}
				for _, p := range list {
					if t := r.Params.String("type"); t == "" || t == p.Type {
						out = append(out, pluginView(p, digest))
					}
				}
				return out, nil
			}),
		},
		{
			Method: "POST", Path: "/cluster/acme/plugins", Name: "add_plugin",
			Description: "Add ACME plugin configuration.",
			Perm:        perm, Protected: true,
			Params:  schema.Obj(create),
			Returns: nullReturn(),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				return nil, s.CreatePlugin(ctx, acme.PluginChange{ID: r.Params.String("id"),
					Type: r.Params.String("type"), Values: pluginValues(r)})
			}),
		},
		{
			Method: "GET", Path: "/cluster/acme/plugins/{id}", Name: "get_plugin_config",
			Description: "Get ACME plugin configuration.",
			Perm:        perm, Protected: true,
			Params:  schema.Obj(schema.Props{"id": pluginIDParam("Unique identifier for ACME plugin instance.")}),
			Returns: schema.Obj(pluginReturnProps()),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				p, digest, err := s.Plugin(ctx, r.Params.String("id"))
				if err != nil {
					return nil, err
				}
				return pluginView(p, digest), nil
			}),
		},
		{
			Method: "PUT", Path: "/cluster/acme/plugins/{id}", Name: "update_plugin",
			Description: "Update ACME plugin configuration.",
			Perm:        perm, Protected: true,
			Params:  schema.Obj(update),
			Returns: nullReturn(),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				return nil, s.UpdatePlugin(ctx, acme.PluginChange{ID: r.Params.String("id"), Values: pluginValues(r),
					Delete: r.Params.List("delete"), Digest: r.Params.String("digest")})
			}),
		},
		{
			Method: "DELETE", Path: "/cluster/acme/plugins/{id}", Name: "delete_plugin",
			Description: "Delete ACME plugin configuration.",
			Perm:        perm, Protected: true,
			Params:  schema.Obj(schema.Props{"id": pluginIDParam("Unique identifier for ACME plugin instance.")}),
			Returns: nullReturn(),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				return nil, s.DeletePlugin(ctx, r.Params.String("id"))
			}),
		},
	}
}

// pluginValues are the plugin properties the call sent.
func pluginValues(r *Request) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"api", "data", "nodes"} {
		if r.Params.Has(k) {
			out[k] = r.Params.String(k)
		}
	}
	if r.Params.Has("disable") {
		out["disable"] = r.Params.Bool("disable")
	}
	if r.Params.Has("validation-delay") {
		out["validation-delay"] = r.Params.Int("validation-delay")
	}
	return out
}

// pluginView is a plugin as the API shows it: data decoded.
func pluginView(p acme.Plugin, digest string) map[string]any {
	m := map[string]any{"plugin": p.ID, "type": p.Type, "digest": digest}
	if p.API != "" {
		m["api"] = p.API
	}
	if p.DataText != "" {
		m["data"] = p.DataText
	}
	if p.Disable {
		m["disable"] = 1
	}
	if len(p.Nodes) > 0 {
		m["nodes"] = joinList(p.Nodes)
	}
	if p.Type == acme.TypeDNS {
		m["validation-delay"] = p.Delay
	}
	return m
}

func joinList(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
