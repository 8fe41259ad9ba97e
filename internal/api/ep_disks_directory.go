package api

import (
	"context"

	"hostadm/internal/disks"
	"hostadm/internal/disks/directory"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func diskDirectoryEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/directory", Name: "index",
			Description: "PVE Managed Directory storages.",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"device":   schema.Str("The mounted device."),
				"options":  schema.Str("The mount options."),
				"path":     schema.Str("The mount path."),
				"type":     schema.Str("The filesystem type."),
				"unitfile": schema.Str("The path of the mount unit."),
			})),
			Handler: withDisks(func(_ context.Context, _ *Request, d *disks.Service) (any, error) {
				return directory.New(d).List()
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/directory", Name: "create",
			Description: "Create a Filesystem on an unused disk. Will be mounted under '/mnt/pve/NAME'.",
			Perm:        storagePerm("add_storage"), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the directory.").Def(0),
				"device":      schema.Str("The block device you want to create the filesystem on."),
				"filesystem":  schema.Str("The desired filesystem.").OneOf(directory.FileSystems...).Def("ext4"),
				"name":        storageIDParam(),
				"dry-run":     dryRunParam(),
			}),
			Extensions: []string{"dry-run"},
			Returns:    createReturns(),
			Handler:    withDisks(createDirectory),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/directory/{name}", Name: "delete",
			Description: "Unmounts the storage and removes the mount unit.",
			Perm:        storagePerm("cleanup-config"), ProxyTo: "node", Protected: true,
			Params:  namedParams(removalParams("Also wipe disk so it can be repurposed afterwards.")),
			Returns: schema.Str(""),
			Handler: withDisks(deleteDirectory),
		},
	}
}

func createDirectory(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	dev, err := unusedDevice(ctx, d, r.Params.String("device"))
	if err != nil {
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
	p, err := s.PlanCreate(dev, name, fstype)
	if err != nil {
		return nil, err
	}
	add := addStorage(r, name, "dir", dirStorageValues(name), []string{"path"})
	return add.run(ctx, "dircreate", d, p)
}

// dirStorageValues are the storage.cfg values of directory storage NAME
// on its mount unit's mount point.
func dirStorageValues(name string) map[string]any {
	return map[string]any{"path": directory.MountPath(name), "is_mountpoint": "1",
		"content": "rootdir,images,iso,backup,vztmpl,snippets"}
}

func deleteDirectory(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	name := r.Params.String("name")
	rm, err := removal(ctx, r, storageWith("dir", "path", directory.MountPath(name)))
	if err != nil {
		return nil, err
	}
	s := directory.New(d)
	return startTask(ctx, r, "dirremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Remove(ctx, l, name, rm.wipe, rm.cleanup)
	})
}
