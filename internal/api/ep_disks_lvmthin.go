package api

import (
	"context"

	"hostadm/internal/disks/lvm"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

func diskLVMThinEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/lvmthin", Name: "index",
			Description: "List LVM thinpools",
			Perm:        Perm{Check: Privs("/", "Sys.Audit")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"lv":            schema.Str("The name of the thinpool."),
				"lv_size":       schema.Int("The size of the thinpool in bytes."),
				"metadata_size": schema.Int("The size of the metadata lv in bytes."),
				"metadata_used": schema.Int("The used bytes of the metadata lv."),
				"used":          schema.Int("The used bytes of the thinpool."),
				"vg":            schema.Str("The associated volume group."),
			})),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				d, err := diskSvc(r)
				if err != nil {
					return nil, err
				}
				return lvm.New(d).ThinPools(ctx)
			},
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvmthin", Name: "create",
			Description: "Create an LVM thinpool",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'add_storage'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the thinpool.").Def(0),
				"device":      schema.Str("The block device you want to create the thinpool on."),
				"name":        storageNameParam(),
			}),
			Returns: schema.Str(""),
			Handler: createLVMThin,
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/lvmthin/{name}", Name: "delete",
			Description: "Remove an LVM thin pool.",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'cleanup-config'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(withProps(schema.Props{
				"name":         storageNameParam(),
				"volume-group": storageNameParam(),
			}, cleanupParams("Also wipe disks so they can be repurposed afterwards."))),
			Returns: schema.Str(""),
			Handler: deleteLVMThin,
		},
	}
}

func createLVMThin(ctx context.Context, r *Request) (any, error) {
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
	add := addStorage(r, name, "lvmthin", map[string]any{"vgname": name, "thinpool": name, "content": "rootdir,images"},
		[]string{"vgname", "thinpool"})
	if err := add.reserve(ctx); err != nil {
		return nil, err
	}
	s := lvm.New(d)
	return startTask(ctx, r, "lvmthincreate", name, func(ctx context.Context, l *tasks.Log) error {
		if err := s.CreateThin(ctx, l, dev, name, r.Node); err != nil {
			return err
		}
		return add.enable(ctx)
	})
}

func deleteLVMThin(ctx context.Context, r *Request) (any, error) {
	d, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	if err := needStoragePriv(ctx, r, "cleanup-config"); err != nil {
		return nil, err
	}
	vg, lv := r.Params.String("volume-group"), r.Params.String("name")
	var cleanup func() error
	if r.Params.Bool("cleanup-config") {
		cleanup = cleanupStorage(r, func(sec *sectioncfg.Section) bool {
			return sec.Type == "lvmthin" && sec.Props["vgname"] == vg && sec.Props["thinpool"] == lv
		})
	}
	s, wipe := lvm.New(d), r.Params.Bool("cleanup-disks")
	return startTask(ctx, r, "lvmthinremove", vg+"-"+lv, func(ctx context.Context, l *tasks.Log) error {
		return s.RemoveThin(ctx, l, vg, lv, wipe, cleanup)
	})
}
