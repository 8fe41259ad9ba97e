package api

import (
	"context"
	"path"

	"hostadm/internal/disks"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskSmartExtEndpoints are hostadm's SMART self-test extensions.
func diskSmartExtEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/selftest", Name: "selftest_log",
			Description: "hostadm extension: read a disk's SMART self-test log (smartctl -j -l selftest).",
			Perm:        rootAuditPerm(),
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{"disk": diskParam()}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"type":   schema.Str("Short offline, Extended offline, ..."),
				"status": schema.Str("The test's result as smartctl reports it."),
			}).AllowMore()),
			Handler: withDiskParam(func(ctx context.Context, _ *Request, s *disks.Service, dev string) (any, error) {
				return s.SmartSelfTests(ctx, dev)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/selftest", Name: "selftest",
			Description: "hostadm extension: start (short, long) or abort a SMART self-test, as a task.",
			Perm:        rootModifyPerm(),
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{
				"disk": diskParam(),
				"test": schema.Str("The self-test to start, or abort to stop the running one.").OneOf("short", "long", "abort"),
			}),
			Returns: schema.Str(""),
			Handler: withDiskParam(func(ctx context.Context, r *Request, s *disks.Service, dev string) (any, error) {
				kind := r.Params.String("test")
				return startTask(ctx, r, "smarttest", path.Base(dev), func(ctx context.Context, l *tasks.Log) error {
					return s.SmartTest(ctx, l, dev, kind)
				})
			}),
		},
	}
}
