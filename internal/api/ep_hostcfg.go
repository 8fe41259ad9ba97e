package api

import (
	"context"
	"errors"

	"hostadm/internal/hostcfg"
	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
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

var errNoHostCfg = errors.New("host settings service not configured")

// withHost hands the host settings service to a handler, or fails when the
// deployment has none.
func withHost(fn func(context.Context, *Request, *hostcfg.Service) (any, error)) Handler {
	return func(ctx context.Context, r *Request) (any, error) {
		if r.Svc.HostCfg == nil {
			return nil, errNoHostCfg
		}
		return fn(ctx, r, r.Svc.HostCfg)
	}
}

// hostRead is the handler of an endpoint that returns one reading of the
// host settings service, such as (*hostcfg.Service).Time.
func hostRead[T any](read func(*hostcfg.Service, context.Context) (T, error)) Handler {
	return withHost(func(ctx context.Context, _ *Request, s *hostcfg.Service) (any, error) {
		return read(s, ctx)
	})
}

func nodeSvc(r *Request) (*nodecfg.Service, error) {
	if r.Svc.NodeCfg == nil {
		return nil, errors.New("node config service not configured")
	}
	return r.Svc.NodeCfg, nil
}

// hostTask runs fn as a task for the caller and returns its UPID string.
func hostTask(ctx context.Context, r *Request, typ, id string, fn func(ctx context.Context, l *tasks.Log) error) (any, error) {
	upid, err := r.Svc.Tasks.Start(ctx, typ, id, r.Identity.AuthID(), fn)
	if err != nil {
		return nil, err
	}
	return upid.String(), nil
}

// auditPerm and modifyPerm are the node-level checks most endpoints use.
func auditPerm() Perm  { return Perm{Check: Privs("/nodes/{node}", "Sys.Audit")} }
func modifyPerm() Perm { return Perm{Check: Privs("/nodes/{node}", "Sys.Modify")} }

func nullReturn() *schema.Schema { return schema.Null() }
