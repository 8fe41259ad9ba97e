package api

import (
	"context"
	"errors"

	"hostadm/internal/hostcfg"
	"hostadm/internal/hostcfg/hostsfile"
	"hostadm/internal/schema"
)

func hostTimeEndpoints() []*Endpoint {
	dns := func(n string) *schema.Schema { return schema.Str(n + " name server IP address.") }
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/time", Name: "time",
			Description: "Read server time and time zone settings.",
			Perm:        auditPerm(), ProxyTo: "node",
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"localtime": schema.Int("Seconds since 1970-01-01 00:00:00 (local time)").Min(1297163644),
				"time":      schema.Int("Seconds since 1970-01-01 00:00:00 UTC.").Min(1297163644),
				"timezone":  schema.Str("Time zone"),
			}),
			Handler: hostRead((*hostcfg.Service).Time),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/time", Name: "set_timezone",
			Description: "Set time zone.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"timezone": schema.Str("Time zone. The file '/usr/share/zoneinfo/zone.tab' contains the list of valid names."),
			}),
			Returns: nullReturn(),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				err := s.SetTimezone(ctx, r.Params.String("timezone"))
				if errors.Is(err, hostcfg.ErrNoSuchTimezone) {
					return nil, schema.ParamError{"timezone": "No such timezone"}
				}
				return nil, err
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/dns", Name: "dns",
			Description: "Read DNS settings.",
			Perm:        auditPerm(), ProxyTo: "node",
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"dns1": dns("First").Opt(), "dns2": dns("Second").Opt(), "dns3": dns("Third").Opt(),
				"search": schema.Str("Search domain for host-name lookup.").Opt(),
			}),
			Handler: hostRead((*hostcfg.Service).DNS),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/dns", Name: "update_dns",
			Description: "Write DNS settings.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"dns1":   dns("First").Fmt("ip").Opt(),
				"dns2":   dns("Second").Fmt("ip").Opt(),
				"dns3":   dns("Third").Fmt("ip").Opt(),
				"search": schema.Str("Search domain for host-name lookup."),
			}),
			Returns: nullReturn(),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				p := r.Params
				err := s.SetDNS(ctx, p.String("search"), []string{p.String("dns1"), p.String("dns2"), p.String("dns3")})
				if errors.Is(err, hostcfg.ErrBadSearch) {
					return nil, schema.ParamError{"search": err.Error()}
				}
				return nil, err
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/hosts", Name: "get_etc_hosts",
			Description: "Get the content of /etc/hosts.",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"data":   schema.Str("The content of /etc/hosts."),
				"digest": hostsDigest(),
			}),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				data, digest, err := s.Hosts(ctx)
				if err != nil {
					return nil, err
				}
				return map[string]any{"data": data, "digest": digest}, nil
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/hosts", Name: "write_etc_hosts",
			Description: "Write /etc/hosts.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"data":   schema.Str("The target content of /etc/hosts."),
				"digest": hostsDigest(),
			}),
			Returns: nullReturn(),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				err := s.SetHosts(ctx, r.Params.String("data"), r.Params.String("digest"))
				var le *hostsfile.LineError
				if errors.As(err, &le) {
					return nil, schema.ParamError{"data": le.Msg}
				}
				return nil, err
			}),
		},
	}
}

func hostsDigest() *schema.Schema {
	return schema.Str("Prevent changes if current configuration file has a different digest. " +
		"This can be used to prevent concurrent modifications.").MaxLen(64).Opt()
}
