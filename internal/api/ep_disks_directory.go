package api

import (
	"context"

	"hostadm/internal/disks/directory"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

func diskDirectoryEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/directory", Name: "index",
			Description: "PVE Managed Directory storages.",
			Perm:        Perm{Check: Privs("/", "Sys.Audit")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"device":   schema.Str("The mounted device."),
				"options":  schema.Str("The mount options."),
				"path":     schema.Str("The mount path."),
				"type":     schema.Str("The filesystem type."),
				"unitfile": schema.Str("The path of the mount unit."),
			})),
			Handler: func(_ context.Context, r *Request) (any, error) {
				d, err := diskSvc(r)
				if err != nil {
					return nil, err
				}
				return directory.New(d).List()
			},
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/directory", Name: "create",
			Description: "Create a Filesystem on an unused disk. Will be mounted under '/mnt/pve/NAME'.",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'add_storage'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the directory.").Def(0),
				"device":      schema.Str("The block device you want to create the filesystem on."),
				"filesystem":  schema.Str("The desired filesystem.").OneOf(directory.FileSystems...).Def("ext4"),
				"name":        storageNameParam(),
			}),
			Returns: schema.Str(""),
			Handler: createDirectory,
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/directory/{name}", Name: "delete",
			Description: "Unmounts the storage and removes the mount unit.",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'cleanup-config'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(withProps(schema.Props{"name": storageNameParam()},
				cleanupParams("Also wipe disk so it can be repurposed afterwards."))),
			Returns: schema.Str(""),
			Handler: deleteDirectory,
		},
	}
}

func createDirectory(ctx context.Context, r *Request) (any, error) {
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
	name, fstype := r.Params.String("name"), r.Params.String("filesystem")
	if fstype == "" {
		fstype = "ext4"
	}
	s := directory.New(d)
	if err := s.Check(name); err != nil {
		return nil, err
	}
	add := addStorage(r, name, "dir", map[string]any{"path": directory.MountPath(name), "is_mountpoint": "1",
		"content": "rootdir,images,iso,backup,vztmpl,snippets"}, []string{"path"})
	if err := add.reserve(ctx); err != nil {
		return nil, err
	}
	return startTask(ctx, r, "dircreate", name, func(ctx context.Context, l *tasks.Log) error {
		if err := s.Create(ctx, l, dev, name, fstype); err != nil {
			return err
		}
		return add.enable(ctx)
	})
}

func deleteDirectory(ctx context.Context, r *Request) (any, error) {
	d, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	if err := needStoragePriv(ctx, r, "cleanup-config"); err != nil {
		return nil, err
	}
	name := r.Params.String("name")
	path := directory.MountPath(name)
	var cleanup func() error
	if r.Params.Bool("cleanup-config") {
		cleanup = cleanupStorage(r, func(sec *sectioncfg.Section) bool {
			return sec.Type == "dir" && sec.Props["path"] == path
		})
	}
	s, wipe := directory.New(d), r.Params.Bool("cleanup-disks")
	return startTask(ctx, r, "dirremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Remove(ctx, l, name, wipe, cleanup)
	})
}
