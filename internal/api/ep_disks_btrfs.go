package api

import (
	"context"
	"slices"

	"hostadm/internal/disks"
	"hostadm/internal/disks/btrfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskBtrfsEndpoints are hostadm extensions: Proxmox VE has BTRFS only as
// a storage type and documents the rest as commands.
func diskBtrfsEndpoints() []*Endpoint {
	audit := rootAuditPerm()
	modify := rootModifyPerm()
	profiles := []string{"single", "dup", "raid0", "raid1", "raid10"}
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/btrfs", Name: "index",
			Description: "hostadm extension: list the BTRFS file systems mounted under /mnt/pve by an " +
				"/etc/fstab line, with their size and use when mounted.",
			Perm: audit, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{"name": schema.Str("The name."), "path": schema.Str("The mount point.")}).AllowMore()),
			Handler: diskRead(btrfs.New, (*btrfs.Service).List),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/btrfs", Name: "create",
			Description: "hostadm extension: create a BTRFS file system on unused disks (mkfs.btrfs with the " +
				"data and metadata RAID profiles), mount it under '/mnt/pve/NAME' with an /etc/fstab line by UUID " +
				"(compression as the compress mount option) and optionally add it as 'btrfs' storage.",
			Perm: storagePerm("add_storage"), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"name":        storageIDParam(),
				"devices":     schema.Str("The block devices you want to create the file system on.").Fmt("string-list"),
				"data":        schema.Str("RAID profile for data.").OneOf(profiles...).Opt(),
				"metadata":    schema.Str("RAID profile for metadata.").OneOf(profiles...).Opt(),
				"label":       schema.Str("File system label (default: the name).").MaxLen(255).Opt(),
				"compression": schema.Str("Compression (compress mount option).").OneOf(btrfs.Compressions...).Opt(),
				"add_storage": schema.Bool("Configure storage using the file system.").Def(0),
				"dry-run":     dryRunParam(),
			}),
			Extensions: []string{"dry-run"},
			Returns:    createReturns(),
			Handler:    withDisks(createBtrfs),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/btrfs/{name}", Name: "detail",
			Description: "hostadm extension: a BTRFS file system with `btrfs filesystem usage` parsed (bytes).",
			Perm:        audit, ProxyTo: "node", Protected: true,
			Params:  namedParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: namedDiskRead(btrfs.New, (*btrfs.Service).Get),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/btrfs/{name}", Name: "update",
			Description: "hostadm extension: change the compression of a BTRFS file system in /etc/fstab " +
				"(other lines kept) and remount it.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"compression": schema.Str("Compression (compress mount option); 'none' turns it off.").
					OneOf(append([]string{"none"}, btrfs.Compressions...)...),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := btrfs.New(d)
				name, c := r.Params.String("name"), r.Params.String("compression")
				if c == "none" {
					c = ""
				}
				return startTask(ctx, r, "btrfsupdate", name, func(ctx context.Context, l *tasks.Log) error {
					return s.SetCompression(ctx, l, name, c)
				})
			}),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/btrfs/{name}", Name: "delete",
			Description: "hostadm extension: unmount a BTRFS file system and remove its /etc/fstab line.",
			Perm:        storagePerm("cleanup-config"), ProxyTo: "node", Protected: true,
			Params:  namedParams(removalParams("Also wipe disks so they can be repurposed afterwards.")),
			Returns: schema.Str(""),
			Handler: withDisks(deleteBtrfs),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/btrfs/{name}/subvolumes", Name: "subvolumes",
			Description: "hostadm extension: the subvolumes of a mounted BTRFS file system (read-only snapshots marked).",
			Perm:        audit, ProxyTo: "node", Protected: true,
			Params:  namedParams(nil),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := btrfs.New(d)
				subs, err := s.Subvolumes(ctx, r.Params.String("name"))
				if err != nil {
					return nil, err
				}
				out := make([]map[string]any, 0, len(subs))
				for _, sv := range subs {
					out = append(out, map[string]any{"id": sv.ID, "gen": sv.Gen, "top_level": sv.TopLevel,
						"path": sv.Path, "readonly": schema.Flag(sv.ReadOnly)})
				}
				return out, nil
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/btrfs/{name}/subvolumes", Name: "create_subvolume",
			Description: "hostadm extension: create a subvolume, or with 'snapshot-of' a snapshot of one " +
				"(read-only with 'readonly').",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"subvolume":   schema.Str("The new subvolume's name (one path component).").MaxLen(255),
				"snapshot-of": schema.Str("Take a snapshot of this subvolume.").MaxLen(255).Opt(),
				"readonly":    schema.Bool("Make the snapshot read-only.").Def(0),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := btrfs.New(d)
				name, sub, from := r.Params.String("name"), r.Params.String("subvolume"), r.Params.String("snapshot-of")
				ro := r.Params.Bool("readonly")
				if err := btrfs.CheckSubvolume(sub); err != nil {
					return nil, schema.ParamError{"subvolume": err.Error()}
				}
				return startTask(ctx, r, "btrfssubvol", name, func(ctx context.Context, l *tasks.Log) error {
					return s.CreateSubvolume(ctx, l, name, sub, from, ro)
				})
			}),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/btrfs/{name}/subvolumes/{subvolume}", Name: "delete_subvolume",
			Description: "hostadm extension: delete a subvolume or snapshot.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"subvolume": schema.Str("The subvolume's name.").MaxLen(255),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := btrfs.New(d)
				name, sub := r.Params.String("name"), r.Params.String("subvolume")
				if err := btrfs.CheckSubvolume(sub); err != nil {
					return nil, schema.ParamError{"subvolume": err.Error()}
				}
				return startTask(ctx, r, "btrfssubvoldel", name, func(ctx context.Context, l *tasks.Log) error {
					return s.DeleteSubvolume(ctx, l, name, sub)
				})
			}),
		},
	}
}

func createBtrfs(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	o := btrfs.CreateOptions{Name: r.Params.String("name"), Data: r.Params.String("data"),
		Metadata: r.Params.String("metadata"), Label: r.Params.String("label"), Compression: r.Params.String("compression")}
	for _, dev := range r.Params.List("devices") {
		real, err := unusedDevice(ctx, d, dev)
		if err != nil {
			return nil, err
		}
		if slices.Contains(o.Devices, real) {
			return nil, schema.ParamError{"devices": "device '" + real + "' given twice"}
		}
		o.Devices = append(o.Devices, real)
	}
	if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
		return nil, err
	}
	s := btrfs.New(d)
	if err := s.Check(o); err != nil {
		return nil, err
	}
	add := addStorage(r, o.Name, "btrfs", map[string]any{"path": btrfs.MountPath(o.Name), "is_mountpoint": "1",
		"content": "images,rootdir"}, []string{"path"})
	return add.run(ctx, "btrfscreate", d, s.PlanCreate(o))
}

func deleteBtrfs(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	name := r.Params.String("name")
	rm, err := removal(ctx, r, storageWith("btrfs", "path", btrfs.MountPath(name)))
	if err != nil {
		return nil, err
	}
	s := btrfs.New(d)
	return startTask(ctx, r, "btrfsremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Remove(ctx, l, name, rm.wipe, rm.cleanup)
	})
}
