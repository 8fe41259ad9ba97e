package api

import (
	"context"
	"strconv"

	"hostadm/internal/guests"
	"hostadm/internal/schema"
)

func vmMigrateEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/qemu/{vmid}/migrate", Name: "migrate_vm_precondition",
			Description: "Get preconditions for migration.",
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.Migrate")}, ProxyTo: "node", Protected: true,
			Params:  vmParams(schema.Props{"target": schema.Str("Target node.").Fmt("pve-node").Opt()}),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withGuests(migratePrecondition),
		},
		{
			Method: "POST", Path: "/nodes/{node}/qemu/{vmid}/migrate", Name: "migrate_vm",
			Description: "Migrate virtual machine. Creates a new migration task.",
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.Migrate")}, ProxyTo: "node", Protected: true,
			Params: vmParams(schema.Props{
				"target":           schema.Str("Target node.").Fmt("pve-node"),
				"online":           schema.Bool("Use online/live migration if VM is running. Ignored if VM is stopped.").Opt(),
				"force":            schema.Bool("Allow to migrate VMs which use local devices. Only root may use this option.").Opt(),
				"with-local-disks": schema.Bool("Enable live storage migration for local disk").Opt(),
				"bwlimit":          schema.Int("Override I/O bandwidth limit (in KiB/s).").Min(0).Opt(),
			}),
			Returns: schema.Str("the task ID."),
			Handler: withGuests(migrateVM),
		},
		{
			Method: "GET", Path: "/nodes/{node}/bulkplan", Name: "bulkplan",
			Description: "hostadm's own: the VMs a bulk action (startall, stopall, suspendall, migrateall) would act on, in the order it would take, so a client can show it before running it.",
			Perm:        Perm{All: true, Description: "Lists the VMs the caller has VM.Audit on."},
			ProxyTo:     "node",
			Params: nodeParams(schema.Props{
				"action": schema.Str("The bulk action.").OneOf("startall", "stopall", "suspendall", "migrateall"),
				"force":  schema.Bool("startall: also guests without onboot.").Def(false),
				"vms":    schema.Str("Only consider guests from this comma separated list of VMIDs.").Fmt("pve-vmid-list").Opt(),
			}),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: withGuests(bulkPlan),
		},
	}
}

func migratePrecondition(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	id := vmid(r)
	if _, err := g.Load(ctx, id); err != nil {
		return nil, err
	}
	out := map[string]any{"running": schema.Flag(g.Running(id) != nil), "local_disks": []any{}, "local_resources": []any{},
		"allowed_nodes": g.OtherNodes(ctx), "not_allowed_nodes": map[string]any{}}
	return out, nil
}

func migrateVM(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	id := vmid(r)
	if _, err := g.Load(ctx, id); err != nil {
		return nil, err
	}
	target := r.Params.String("target")
	if err := g.CheckMigrateTarget(ctx, target); err != nil {
		return nil, err
	}
	online := g.Running(id) != nil
	if online && !r.Params.Bool("online") {
		return nil, schema.Fail("online", "VM is running - use online migration")
	}
	return g.SpawnMigrate(ctx, r.Identity.AuthID(), id, guests.MigrateOptions{Target: target, Online: online,
		BWLimit: r.Params.Int("bwlimit")})
}

func bulkPlan(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	opts, err := bulkOptions(r)
	if err != nil {
		return nil, err
	}
	var plan []guests.PlanEntry
	switch r.Params.String("action") {
	case "startall":
		plan, err = g.StartPlan(ctx, opts)
	case "migrateall":
		plan, err = g.MigratePlan(ctx, opts)
	default:
		plan, err = g.StopPlan(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range plan {
		if ok, err := hasPriv(ctx, r, "/vms/"+strconv.Itoa(e.VMID), "VM.Audit"); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		m := map[string]any{"vmid": e.VMID, "name": e.Name, "onboot": schema.Flag(e.OnBoot), "running": schema.Flag(e.Running)}
		if e.Order != guests.UnsetOrder {
			m["order"] = e.Order
		}
		if e.Up >= 0 {
			m["up"] = e.Up
		}
		if e.Down >= 0 {
			m["down"] = e.Down
		}
		out = append(out, m)
	}
	return out, nil
}
