package api

import (
	"context"

	"hostadm/internal/hostcfg"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func serviceParam() *schema.Schema {
	ids := append(append([]string{}, hostcfg.ServiceIDs...), hostcfg.ExtraServiceIDs...)
	return schema.Str("Service ID").OneOf(ids...)
}

func serviceReturns() *schema.Schema {
	return schema.Obj(schema.Props{
		"active-state": schema.Str("Current state of the service process (systemd ActiveState).").
			OneOf("active", "inactive", "failed", "activating", "deactivating", "maintenance", "reloading", "refreshing", "unknown"),
		"desc":    schema.Str("Description of the service."),
		"name":    schema.Str("Short identifier for the service (e.g., \"pveproxy\")."),
		"service": schema.Str("Systemd unit name (e.g., pveproxy)."),
		"state":   schema.Str("Execution status of the service (systemd SubState)."),
		"unit-state": schema.Str("Whether the service is enabled (systemd UnitFileState).").
			OneOf("enabled", "enabled-runtime", "linked", "linked-runtime", "alias", "masked", "masked-runtime",
				"static", "disabled", "indirect", "generated", "transient", "bad", "not-found", "unknown"),
	})
}

func hostServiceEndpoints() []*Endpoint {
	eps := []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/services", Name: "index",
			Description: "Service list.",
			Perm:        auditPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Arr(serviceReturns()),
			Handler: hostRead((*hostcfg.Service).Services),
		},
		{
			Method: "GET", Path: "/nodes/{node}/services/{service}", Name: "srvcmdidx",
			Description: "Directory index",
			Perm:        auditPerm(),
			Params:      nodeParams(schema.Props{"service": serviceParam()}), Extensions: []string{"service"},
			Returns: schema.Arr(schema.Obj(schema.Props{"subdir": schema.Str("")})),
			Handler: func(context.Context, *Request) (any, error) {
				var out []map[string]string
				for _, d := range []string{"state", "start", "stop", "restart", "reload"} {
					out = append(out, map[string]string{"subdir": d})
				}
				return out, nil
			},
		},
		{
			Method: "GET", Path: "/nodes/{node}/services/{service}/state", Name: "service_state",
			Description: "Read service properties",
			Perm:        auditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{"service": serviceParam()}), Extensions: []string{"service"},
			Returns: serviceReturns(),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				return s.ServiceState(ctx, r.Params.String("service"))
			}),
		},
	}
	for _, a := range []struct{ action, name, desc string }{
		{"start", "service_start", "Start service."},
		{"stop", "service_stop", "Stop service."},
		{"restart", "service_restart", "Hard restart service. Use reload if you want to reduce interruptions."},
		{"reload", "service_reload", "Reload service. Falls back to restart if service cannot be reloaded."},
	} {
		eps = append(eps, &Endpoint{
			Method: "POST", Path: "/nodes/{node}/services/{service}/" + a.action, Name: a.name,
			Description: a.desc,
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{"service": serviceParam()}), Extensions: []string{"service"},
			Returns: schema.Str(""),
			Handler: serviceAction(a.action),
		})
	}
	return eps
}

// serviceAction starts task srvACTION for the service running systemctl.
func serviceAction(action string) Handler {
	return withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
		id := r.Params.String("service")
		if err := hostcfg.CheckServiceCommand(id, action); err != nil {
			return nil, err
		}
		return startTask(ctx, r, "srv"+action, id, func(ctx context.Context, l *tasks.Log) error {
			return s.ServiceCommand(ctx, id, action, l)
		})
	})
}
