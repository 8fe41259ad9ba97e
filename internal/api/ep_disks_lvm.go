package api

import (
	"context"

	"hostadm/internal/disks/lvm"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

func diskLVMEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/lvm", Name: "index",
			Description: "List LVM Volume Groups",
			Perm:        Perm{Check: Privs("/", "Sys.Audit")}, ProxyTo: "node", Protected: true,
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
			Handler: func(ctx context.Context, r *Request) (any, error) {
				d, err := diskSvc(r)
				if err != nil {
					return nil, err
				}
				vgs, err := lvm.New(d).VGs(ctx)
				if err != nil {
					return nil, err
				}
				return lvm.Tree(vgs), nil
			},
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvm", Name: "create",
			Description: "Create an LVM Volume Group",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'add_storage'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the Volume Group").Def(0),
				"device":      schema.Str("The block device you want to create the volume group on"),
				"name":        storageNameParam(),
			}),
			Returns: schema.Str(""),
			Handler: createLVM,
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/lvm/{name}", Name: "delete",
			Description: "Remove an LVM Volume Group.",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'cleanup-config'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(withProps(schema.Props{"name": storageNameParam()},
				cleanupParams("Also wipe disks so they can be repurposed afterwards."))),
			Returns: schema.Str(""),
			Handler: deleteLVM,
		},
	}
}

func createLVM(ctx context.Context, r *Request) (any, error) {
	d, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	dev, err := d.VerifyBlockdevPath(r.Params.String("device"))
	if err != nil {
		return nil, err
	}
	if err := d.AssertDiskUnused(ctx, dev); err != nil {
		return nil, err
	}
	if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
		return nil, err
	}
	name := r.Params.String("name")
	add := addStorage(r, name, "lvm", map[string]any{"vgname": name, "shared": false, "content": "rootdir,images"},
		[]string{"vgname"})
	if err := add.reserve(ctx); err != nil {
		return nil, err
	}
	s := lvm.New(d)
	return startTask(ctx, r, "lvmcreate", name, func(ctx context.Context, l *tasks.Log) error {
		if err := s.Create(ctx, l, dev, name, r.Node); err != nil {
			return err
		}
		return add.enable(ctx)
	})
}

func deleteLVM(ctx context.Context, r *Request) (any, error) {
	d, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	if err := needStoragePriv(ctx, r, "cleanup-config"); err != nil {
		return nil, err
	}
	name := r.Params.String("name")
	var cleanup func() error
	if r.Params.Bool("cleanup-config") {
		cleanup = cleanupStorage(r, func(sec *sectioncfg.Section) bool {
			return sec.Type == "lvm" && sec.Props["vgname"] == name
		})
	}
	s, wipe := lvm.New(d), r.Params.Bool("cleanup-disks")
	return startTask(ctx, r, "lvmremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Remove(ctx, l, name, wipe, cleanup)
	})
}
