package api

import (
	"context"

	"hostadm/internal/hostcfg"
	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
)

// hostEndpoints declares the hostcfg area's endpoints: Proxmox's time,
// DNS, hosts, services, syslog, journal, report, node config and
// Wake-on-LAN, and hostadm's NTP, KSM and sysctl extensions.
func hostEndpoints() []*Endpoint {
	var out []*Endpoint
	for _, part := range [][]*Endpoint{
		hostTimeEndpoints(), hostServiceEndpoints(), hostLogEndpoints(), nodeConfigEndpoints(), hostExtEndpoints(),
	} {
		out = append(out, part...)
	}
	return out
}

// withHost hands the host settings service to a handler, or fails when the
// deployment has none.
func withHost(fn func(context.Context, *Request, *hostcfg.Service) (any, error)) Handler {
	return with("host settings", func(s *Services) *hostcfg.Service { return s.HostCfg }, fn)
}

// hostRead is the handler of an endpoint that returns one reading of the
// host settings service, such as (*hostcfg.Service).Time.
func hostRead[T any](read func(*hostcfg.Service, context.Context) (T, error)) Handler {
	return withHost(func(ctx context.Context, _ *Request, s *hostcfg.Service) (any, error) {
		return read(s, ctx)
	})
}

func nodeSvc(r *Request) (*nodecfg.Service, error) { return need(r.Svc.NodeCfg, "the node config") }

func nullReturn() *schema.Schema { return schema.Null() }
