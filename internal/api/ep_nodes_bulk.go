package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"hostadm/internal/guests"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func bulkEndpoints() []*Endpoint {
	vms := func(desc string) *schema.Schema { return schema.Str(desc).Fmt("pve-vmid-list").Opt() }
	workers := func(desc string) *schema.Schema { return schema.Int(desc).Min(1).Max(64).Opt() }
	powerDesc := "The 'VM.PowerMgmt' permission is required on '/' or on '/vms/<ID>' for each ID passed via the 'vms' parameter."
	return []*Endpoint{
		{
			Method: "POST", Path: "/nodes/{node}/startall", Name: "startall",
			Description: "Start all VMs and containers located on this node (by default only those with onboot=1).",
			Perm:        Perm{All: true, Description: powerDesc}, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"force":       schema.Bool("Issue start command even if virtual guest have 'onboot' not set or set to off.").Def(false),
				"vms":         vms("Only consider guests from this comma separated list of VMIDs."),
				"max-workers": workers("Defines the maximum number of tasks running concurrently."),
			}),
			Returns: schema.Str(""),
			Handler: withGuests(bulk("startall", []string{"VM.PowerMgmt"}, (*guests.Service).StartAll)),
		},
		{
			Method: "POST", Path: "/nodes/{node}/stopall", Name: "stopall",
			Description: "Stop all VMs and Containers.",
			Perm:        Perm{All: true, Description: powerDesc}, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"vms":         vms("Only consider Guests with these IDs."),
				"force-stop":  schema.Bool("Force a hard-stop after the timeout.").Def(true),
				"timeout":     schema.Int("Timeout for each guest shutdown task. Depending on `force-stop`, the shutdown gets then simply aborted or a hard-stop is forced.").Min(0).Max(7200).Def(180),
				"max-workers": workers("Defines the maximum number of tasks running concurrently."),
			}),
			Returns: schema.Str(""),
			Handler: withGuests(bulk("stopall", []string{"VM.PowerMgmt"}, (*guests.Service).StopAll)),
		},
		{
			Method: "POST", Path: "/nodes/{node}/suspendall", Name: "suspendall",
			Description: "Suspend all VMs. hostadm's VMs have no state storage: they are paused in RAM.",
			Perm: Perm{All: true, Description: powerDesc + " Additionally, you need 'VM.Config.Disk' on the '/vms/{vmid}' path and " +
				"'Datastore.AllocateSpace' for the configured state-storage(s)"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"vms":         vms("Only consider Guests with these IDs."),
				"max-workers": workers("Maximal number of parallel migration job."),
			}),
			Returns: schema.Str(""),
			Handler: withGuests(bulk("suspendall", []string{"VM.PowerMgmt", "VM.Config.Disk"}, (*guests.Service).SuspendAll)),
		},
		{
			Method: "POST", Path: "/nodes/{node}/migrateall", Name: "migrateall",
			Description: "Migrate all VMs and Containers.",
			Perm: Perm{All: true, Description: "The 'VM.Migrate' permission is required on '/' or on '/vms/<ID>' for each " +
				"ID passed via the 'vms' parameter."},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"target":           schema.Str("Target node.").Fmt("pve-node"),
				"vms":              vms("Only consider Guests with these IDs."),
				"maxworkers":       workers("Maximal number of parallel migration job. Deprecated, use 'max-workers' instead."),
				"max-workers":      workers("Maximal number of parallel migration job."),
				"with-local-disks": schema.Bool("Enable live storage migration for local disk").Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withGuests(bulk("migrateall", []string{"VM.Migrate"}, (*guests.Service).MigrateAll)),
		},
	}
}

type bulkFunc func(*guests.Service, context.Context, string, guests.BulkOptions, guests.TaskLog) error

// bulk checks the caller's rights as Nodes.pm does (privs on "/", or the
// first one on each listed VM), refuses VMIDs that are not on this node,
// and runs the action as one task.
func bulk(typ string, privs []string, run bulkFunc) func(context.Context, *Request, *guests.Service) (any, error) {
	return func(ctx context.Context, r *Request, g *guests.Service) (any, error) {
		if err := bulkPerm(ctx, r, privs); err != nil {
			return nil, err
		}
		opts, err := bulkOptions(r)
		if err != nil {
			return nil, err
		}
		if missing, err := g.MissingVMs(ctx, opts.VMs); err != nil {
			return nil, err
		} else if len(missing) > 0 {
			return nil, schema.Fail("vms", fmt.Sprintf("VM %d does not exist on node '%s'", missing[0], g.Node()))
		}
		if typ == "migrateall" {
			if err := g.CheckMigrateAll(ctx, opts); err != nil {
				return nil, err
			}
		}
		user := r.Identity.AuthID()
		return startTask(ctx, r, typ, "", func(ctx context.Context, l *tasks.Log) error {
			return run(g, ctx, user, opts, l)
		})
	}
}

func bulkPerm(ctx context.Context, r *Request, privs []string) error {
	if ok, err := hasPriv(ctx, r, "/", privs...); err != nil || ok {
		return err
	}
	ids := schema.SplitList(r.Params.String("vms"))
	if len(ids) == 0 {
		return Forbidden(fmt.Sprintf("Permission check failed (/, %s)", strings.Join(privs, " && ")))
	}
	for _, id := range ids {
		path := "/vms/" + id
		if ok, err := hasPriv(ctx, r, path, privs[0]); err != nil {
			return err
		} else if !ok {
			return Forbidden(fmt.Sprintf("Permission check failed (%s, %s)", path, privs[0]))
		}
	}
	return nil
}

func bulkOptions(r *Request) (guests.BulkOptions, error) {
	o := guests.BulkOptions{
		Force: r.Params.Bool("force"), MaxWorkers: int(r.Params.Int("max-workers")),
		Timeout: -1, ForceStop: r.Params.Bool("force-stop"), Target: r.Params.String("target"),
	}
	if o.MaxWorkers == 0 {
		o.MaxWorkers = int(r.Params.Int("maxworkers"))
	}
	if r.Params.Has("timeout") {
		o.Timeout = int(r.Params.Int("timeout"))
	}
	if r.Params.Has("vms") {
		o.VMs = []int{}
		for _, s := range schema.SplitList(r.Params.String("vms")) {
			id, err := strconv.Atoi(s)
			if err != nil {
				return o, schema.Fail("vms", "value does not look like a valid VM ID")
			}
			o.VMs = append(o.VMs, id)
		}
	}
	return o, nil
}
