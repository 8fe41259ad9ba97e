package api

import (
	"context"

	"hostadm/internal/disks/zfs"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

func storageNameParam() *schema.Schema {
	return schema.Str("The storage identifier.").Fmt("pve-storage-id")
}

func cleanupParams(disksDesc string) schema.Props {
	return schema.Props{
		"cleanup-config": schema.Bool("Marks associated storage(s) as not available on this node anymore " +
			"or removes them from the configuration (if configured for this node only).").Def(0),
		"cleanup-disks": schema.Bool(disksDesc).Def(0),
	}
}

func withProps(a, b schema.Props) schema.Props {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func diskZFSEndpoints() []*Endpoint {
	modify := Perm{Check: Privs("/", "Sys.Modify"),
		Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'add_storage'"}
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs", Name: "index",
			Description: "List Zpools.",
			Perm:        Perm{Check: Privs("/", "Sys.Audit")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"alloc": schema.Int(""), "dedup": schema.Num(""), "frag": schema.Int(""), "free": schema.Int(""),
				"health": schema.Str(""), "name": schema.Str(""), "size": schema.Int(""),
			})),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := zfsSvc(r)
				if err != nil {
					return nil, err
				}
				return s.Pools(ctx)
			},
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs", Name: "create",
			Description: "Create a ZFS pool.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"add_storage": schema.Bool("Configure storage using the zpool.").Def(0),
				"ashift":      schema.Int("Pool sector size exponent.").Min(9).Max(16).Def(12),
				"compression": schema.Str("The compression algorithm to use.").
					OneOf("on", "off", "gzip", "lz4", "lzjb", "zle", "zstd").Def("on"),
				"devices": schema.Str("The block devices you want to create the zpool on.").Fmt("string-list"),
				"draid-config": schema.Str("").PropFmt(schema.Props{
					"data":   schema.Int("The number of data devices per redundancy group. (dRAID)").Min(1),
					"spares": schema.Int("Number of dRAID spares.").Min(0),
				}).Opt(),
				"name": storageNameParam(),
				"raidlevel": schema.Str("The RAID level to use.").
					OneOf("single", "mirror", "raid10", "raidz", "raidz2", "raidz3", "draid", "draid2", "draid3"),
			}),
			Returns: schema.Str(""),
			Handler: createZFS,
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs/{name}", Name: "detail",
			Description: "Get details about a zpool.",
			Perm:        Perm{Check: Privs("/", "Sys.Audit")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{"name": storageNameParam()}),
			Returns: schema.Obj(schema.Props{
				"children": schema.Arr(schema.Obj(nil).AllowMore()),
				"errors":   schema.Str("Information about the errors on the zpool."),
				"name":     schema.Str("The name of the zpool."),
				"state":    schema.Str("The state of the zpool."),
			}).AllowMore(),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := zfsSvc(r)
				if err != nil {
					return nil, err
				}
				return s.Status(ctx, r.Params.String("name"))
			},
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/zfs/{name}", Name: "delete",
			Description: "Destroy a ZFS pool.",
			Perm: Perm{Check: Privs("/", "Sys.Modify"),
				Description: "Requires additionally 'Datastore.Allocate' on /storage when setting 'cleanup-config'"},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(withProps(schema.Props{"name": storageNameParam()},
				cleanupParams("Also wipe disks so they can be repurposed afterwards."))),
			Returns: schema.Str(""),
			Handler: deleteZFS,
		},
	}
}

func zfsSvc(r *Request) (*zfs.Service, error) {
	d, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	return zfs.New(d), nil
}

func createZFS(ctx context.Context, r *Request) (any, error) {
	s, err := zfsSvc(r)
	if err != nil {
		return nil, err
	}
	d := r.Svc.Disks
	o := zfs.CreateOptions{Name: r.Params.String("name"), RaidLevel: r.Params.String("raidlevel"),
		Ashift: int(r.Params.Int("ashift")), Compression: r.Params.String("compression"), Node: r.Node}
	if r.Params.Has("draid-config") {
		pc, err := schema.ParsePropString(r.Endpoint.Params.Properties["draid-config"].PropFormat,
			r.Params.String("draid-config"))
		if err != nil {
			return nil, err
		}
		o.DraidData, o.DraidSpares = propInt(pc, "data"), propInt(pc, "spares")
	}
	for _, dev := range r.Params.List("devices") {
		real, err := d.VerifyBlockdevPath(dev)
		if err != nil {
			return nil, err
		}
		if err := d.AssertDiskUnused(ctx, real); err != nil {
			return nil, err
		}
		o.Devices = append(o.Devices, real)
	}
	if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
		return nil, err
	}
	if err := s.Check(ctx, o); err != nil {
		return nil, err
	}
	add := addStorage(r, o.Name, "zfspool", map[string]any{"pool": o.Name, "content": "rootdir,images"}, []string{"pool"})
	if err := add.reserve(ctx); err != nil {
		return nil, err
	}
	return startTask(ctx, r, "zfscreate", o.Name, func(ctx context.Context, l *tasks.Log) error {
		if err := s.Create(ctx, l, o); err != nil {
			return err
		}
		return add.enable(ctx)
	})
}

func propInt(pc map[string]any, k string) *int {
	switch v := pc[k].(type) {
	case int64:
		i := int(v)
		return &i
	case int:
		return &v
	case float64:
		i := int(v)
		return &i
	}
	return nil
}

func deleteZFS(ctx context.Context, r *Request) (any, error) {
	s, err := zfsSvc(r)
	if err != nil {
		return nil, err
	}
	if err := needStoragePriv(ctx, r, "cleanup-config"); err != nil {
		return nil, err
	}
	name := r.Params.String("name")
	o := zfs.DestroyOptions{Name: name, CleanupDisks: r.Params.Bool("cleanup-disks")}
	if r.Params.Bool("cleanup-config") {
		o.CleanupConfig = cleanupStorage(r, func(sec *sectioncfg.Section) bool {
			return sec.Type == "zfspool" && sec.Props["pool"] == name
		})
	}
	return startTask(ctx, r, "zfsremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Destroy(ctx, l, o)
	})
}

// storageAdd is an add_storage request: the storage is reserved (added
// disabled) before the task and enabled once the task succeeded, as
// Proxmox VE did.
type storageAdd struct {
	r      *Request
	on     bool
	id     string
	typ    string
	values map[string]any
	verify []string
}

func addStorage(r *Request, id, typ string, values map[string]any, verify []string) *storageAdd {
	return &storageAdd{r: r, on: r.Params.Bool("add_storage"), id: id, typ: typ, values: values, verify: verify}
}

func (a *storageAdd) reserve(ctx context.Context) error {
	if !a.on {
		return nil
	}
	return storageSvc(a.r).Add(ctx, a.id, a.typ, a.values, a.verify, true)
}

func (a *storageAdd) enable(ctx context.Context) error {
	if !a.on {
		return nil
	}
	return storageSvc(a.r).Enable(ctx, a.id)
}

// cleanupStorage is the cleanup-config step run by a removal task.
func cleanupStorage(r *Request, match func(*sectioncfg.Section) bool) func() error {
	s := storageSvc(r)
	return func() error {
		return s.CleanupForNode(context.Background(), match)
	}
}
