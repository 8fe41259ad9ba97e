package api

import (
	"context"

	"hostadm/internal/disks"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func diskLVMThinEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/lvmthin", Name: "index",
			Description: "List LVM thinpools",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"lv":            schema.Str("The name of the thinpool."),
				"lv_size":       schema.Int("The size of the thinpool in bytes."),
				"metadata_size": schema.Int("The size of the metadata lv in bytes."),
				"metadata_used": schema.Int("The used bytes of the metadata lv."),
				"used":          schema.Int("The used bytes of the thinpool."),
				"vg":            schema.Str("The associated volume group."),
			})),
			Handler: diskRead(lvm.New, (*lvm.Service).ThinPools),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvmthin", Name: "create",
			Description: "Create an LVM thinpool",
			Perm:        storagePerm("add_storage"), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the thinpool.").Def(0),
				"device":      schema.Str("The block device you want to create the thinpool on."),
				"name":        storageIDParam(),
				"dry-run":     dryRunParam(),
			}),
			Extensions: []string{"dry-run"},
			Returns:    createReturns(),
			Handler: createOnLVM("lvmthin", (*lvm.Service).PlanCreateThin, func(name string) map[string]any {
				return map[string]any{"vgname": name, "thinpool": name, "content": "rootdir,images"}
			}, "vgname", "thinpool"),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/lvmthin/{name}", Name: "delete",
			Description: "Remove an LVM thin pool.",
			Perm:        storagePerm("cleanup-config"), ProxyTo: "node", Protected: true,
			Params: namedParams(withProps(schema.Props{"volume-group": storageIDParam()},
				removalParams("Also wipe disks so they can be repurposed afterwards."))),
			Returns: schema.Str(""),
			Handler: withDisks(deleteLVMThin),
		},
	}
}

func deleteLVMThin(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	vg, lv := r.Params.String("volume-group"), r.Params.String("name")
	rm, err := removal(ctx, r, storageWith("lvmthin", "vgname", vg, "thinpool", lv))
	if err != nil {
		return nil, err
	}
	s := lvm.New(d)
	return startTask(ctx, r, "lvmthinremove", vg+"-"+lv, func(ctx context.Context, l *tasks.Log) error {
		return s.RemoveThin(ctx, l, vg, lv, rm.wipe, rm.cleanup)
	})
}
