package api

import (
	"context"
	"errors"

	"hostadm/internal/disks"
	"hostadm/internal/disks/directory"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskLVMThinOpsEndpoints are hostadm extensions for thin pools inside an
// existing volume group, resizing a pool and its metadata, and thin volumes.
func diskLVMThinOpsEndpoints() []*Endpoint {
	modify := rootModifyPerm()
	size := func(d string) *schema.Schema { return schema.Str(d).MaxLen(32) }
	return []*Endpoint{
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvm/{name}/thinpool", Name: "create_thinpool",
			Description: "hostadm extension: create a thin pool inside the existing volume group NAME " +
				"(lvcreate --type thin-pool -L SIZE|-l N%FREE [--poolmetadatasize M] -n POOL NAME) as a task.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"pool":             schema.Str("The thin pool's name.").MaxLen(127),
				"size":             size("Data size: 100G, or 90%FREE / 50%VG."),
				"poolmetadatasize": size("Metadata size (default: LVM's choice), e.g. 1G.").Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				vg, pool, sz, meta := r.Params.String("name"), r.Params.String("pool"), r.Params.String("size"), r.Params.String("poolmetadatasize")
				s := lvm.New(d)
				if _, err := s.CheckThinPoolInVG(ctx, vg, pool, sz, meta); err != nil {
					return nil, thinErr(err, "pool")
				}
				return startTask(ctx, r, "lvmthincreate", vg, func(ctx context.Context, l *tasks.Log) error {
					return s.CreateThinPoolInVG(ctx, l, vg, pool, sz, meta)
				})
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/lvmthin/{name}/resize", Name: "resize",
			Description: "hostadm extension: grow a thin pool's data (lvresize -L SIZE|+SIZE VG/POOL) and/or its " +
				"metadata (lvresize --poolmetadatasize SIZE VG/POOL) as a task.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"volume-group":     storageIDParam(),
				"size":             size("New data size or growth: 200G or +50G.").Opt(),
				"poolmetadatasize": size("New metadata size or growth: 2G or +1G.").Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				vg, pool, sz, meta := r.Params.String("volume-group"), r.Params.String("name"), r.Params.String("size"), r.Params.String("poolmetadatasize")
				s := lvm.New(d)
				if _, err := s.CheckThinResize(ctx, vg, pool, sz, meta); err != nil {
					return nil, thinErr(err, "size")
				}
				return startTask(ctx, r, "lvmthinresize", vg, func(ctx context.Context, l *tasks.Log) error {
					return s.ResizeThin(ctx, l, vg, pool, sz, meta)
				})
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/lvmthin/{name}/volume", Name: "create_volume",
			Description: "hostadm extension: create a thin volume in the pool and format it (lvcreate -V SIZE --thinpool " +
				"VG/POOL, mkfs) as a task; with 'directory' also mount it under /mnt/pve/DIRECTORY by a systemd mount " +
				"unit (as a directory storage's) and with 'add_storage' add it as directory storage DIRECTORY. " +
				"A failed step takes back the earlier ones.",
			Perm: storagePerm("add_storage"), ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"volume-group": storageIDParam(),
				"volume":       schema.Str("The thin volume's name.").MaxLen(127),
				"size":         size("Virtual size, e.g. 500G."),
				"filesystem":   schema.Str("File system.").OneOf("ext4", "xfs").Def("ext4"),
				"directory": schema.Str("Mount the volume under /mnt/pve/DIRECTORY with a systemd mount unit.").
					Fmt("pve-storage-id").Opt(),
				"add_storage": schema.Bool("Configure directory storage DIRECTORY using the mounted volume.").Def(0),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(createThinVolume),
		},
	}
}

func createThinVolume(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	vg, pool, name, sz, fs := r.Params.String("volume-group"), r.Params.String("name"), r.Params.String("volume"), r.Params.String("size"), r.Params.String("filesystem")
	if fs == "" {
		fs = "ext4"
	}
	if _, err := lvm.ThinVolumeArgs(vg, pool, name, sz, fs); err != nil {
		return nil, thinErr(err, "volume")
	}
	dir := r.Params.String("directory")
	if r.Params.Bool("add_storage") && dir == "" {
		return nil, schema.ParamError{"add_storage": "requires 'directory', the storage's name"}
	}
	if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
		return nil, err
	}
	s := lvm.New(d)
	if _, err := s.CheckThinResize(ctx, vg, pool, "+1K", ""); err != nil {
		return nil, thinErr(err, "name")
	}
	var mnt lvm.Mount
	if dir != "" {
		t, err := directory.New(d).Target(dir)
		if err != nil {
			return nil, schema.ParamError{"directory": err.Error()}
		}
		if err := t.Check(); err != nil {
			return nil, schema.ParamError{"directory": err.Error()}
		}
		mnt = t
	}
	add := addStorage(r, dir, "dir", dirStorageValues(dir), []string{"path"})
	if add.entry != nil {
		add.entry.Release = true
	}
	add.id = vg // the task is the volume group's, with or without a storage
	return add.start(ctx, "lvmthinvolume", func(ctx context.Context, l *tasks.Log) error {
		return s.CreateThinVolume(ctx, l, vg, pool, name, sz, fs, mnt)
	})
}

func thinErr(err error, param string) error {
	if errors.Is(err, lvm.ErrThinInput) {
		return schema.ParamError{param: err.Error()}
	}
	return err
}
