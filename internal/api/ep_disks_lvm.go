package api

import (
	"context"

	"hostadm/internal/disks"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func diskLVMEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/lvm", Name: "index",
			Description: "List LVM Volume Groups",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"children": schema.Arr(schema.Obj(schema.Props{
					"children": schema.Arr(schema.Obj(schema.Props{
						"free": schema.Int("The free bytes in the physical volume"),
						"leaf": schema.Bool(""),
						"name": schema.Str("The name of the physical volume"),
						"size": schema.Int("The size of the physical volume in bytes"),
					})).Opt(),
					"free": schema.Int("The free bytes in the volume group"),
					"leaf": schema.Bool(""),
					"name": schema.Str("The name of the volume group"),
					"size": schema.Int("The size of the volume group in bytes"),
				}).AllowMore()),
				"leaf": schema.Bool(""),
			}),
			Handler: withDisks(func(ctx context.Context, _ *Request, d *disks.Service) (any, error) {
				vgs, err := lvm.New(d).VGs(ctx)
				if err != nil {
					return nil, err
				}
				return lvm.Tree(vgs), nil
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvm", Name: "create",
			Description: "Create an LVM Volume Group",
			Perm:        storagePerm("add_storage"), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the Volume Group").Def(0),
				"device":      schema.Str("The block device you want to create the volume group on"),
				"name":        storageIDParam(),
				"dry-run":     dryRunParam(),
			}),
			Extensions: []string{"dry-run"},
			Returns:    createReturns(),
			Handler: createOnLVM("lvm", (*lvm.Service).PlanCreate, func(name string) map[string]any {
				return map[string]any{"vgname": name, "shared": false, "content": "rootdir,images"}
			}, "vgname"),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/lvm/{name}", Name: "delete",
			Description: "Remove an LVM Volume Group.",
			Perm:        storagePerm("cleanup-config"), ProxyTo: "node", Protected: true,
			Params:  namedParams(removalParams("Also wipe disks so they can be repurposed afterwards.")),
			Returns: schema.Str(""),
			Handler: withDisks(deleteLVM),
		},
	}
}

// createOnLVM is the create handler of an LVM volume group (typ "lvm") or
// thin pool ("lvmthin") named 'name' on the unused 'device': plan is
// (*lvm.Service).PlanCreate or PlanCreateThin, values are the storage
// entry add_storage adds for name and verify the keys checked against it.
func createOnLVM(typ string, plan func(*lvm.Service, string, string, string) *disks.Plan,
	values func(name string) map[string]any, verify ...string) Handler {
	return withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
		dev, err := unusedDevice(ctx, d, r.Params.String("device"))
		if err != nil {
			return nil, err
		}
		if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
			return nil, err
		}
		name, s := r.Params.String("name"), lvm.New(d)
		add := addStorage(r, name, typ, values(name), verify)
		return add.run(ctx, typ+"create", d, plan(s, dev, name, r.Node))
	})
}

func deleteLVM(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	name := r.Params.String("name")
	rm, err := removal(ctx, r, storageWith("lvm", "vgname", name))
	if err != nil {
		return nil, err
	}
	s := lvm.New(d)
	return startTask(ctx, r, "lvmremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Remove(ctx, l, name, rm.wipe, rm.cleanup)
	})
}
