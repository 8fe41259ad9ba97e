package api

import (
	"context"

	"hostadm/internal/disks"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func diskZFSEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs", Name: "index",
			Description: "List Zpools.",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"alloc": schema.Int(""), "dedup": schema.Num(""), "frag": schema.Int(""), "free": schema.Int(""),
				"health": schema.Str(""), "name": schema.Str(""), "size": schema.Int(""),
			})),
			Handler: diskRead(zfs.New, (*zfs.Service).Pools),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs", Name: "create",
			Description: "Create a ZFS pool.",
			Perm:        storagePerm("add_storage"), ProxyTo: "node", Protected: true,
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
				"name": storageIDParam(),
				"raidlevel": schema.Str("The RAID level to use.").
					OneOf("single", "mirror", "raid10", "raidz", "raidz2", "raidz3", "draid", "draid2", "draid3"),
				"cache":          schema.Str("hostadm extension: cache (L2ARC) devices, never mirrored.").Fmt("string-list").Opt(),
				"log":            schema.Str("hostadm extension: log (SLOG) devices.").Fmt("string-list").Opt(),
				"log-mirror":     schema.Bool("hostadm extension: mirror the log devices.").Def(0),
				"special":        schema.Str("hostadm extension: special (metadata) devices; mirror them, losing them loses the pool.").Fmt("string-list").Opt(),
				"special-mirror": schema.Bool("hostadm extension: mirror the special devices.").Def(0),
				"autotrim":       schema.Bool("hostadm extension: create the pool with autotrim=on.").Def(0),
				"dry-run":        dryRunParam(),
			}),
			Extensions: []string{"cache", "log", "log-mirror", "special", "special-mirror", "autotrim", "dry-run"},
			Returns:    createReturns(),
			Handler:    withDisks(createZFS),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs/{name}", Name: "detail",
			Description: "Get details about a zpool.",
			Perm:        rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params: namedParams(nil),
			Returns: schema.Obj(schema.Props{
				"children": schema.Arr(schema.Obj(nil).AllowMore()),
				"errors":   schema.Str("Information about the errors on the zpool."),
				"name":     schema.Str("The name of the zpool."),
				"state":    schema.Str("The state of the zpool."),
			}).AllowMore(),
			Handler: namedDiskRead(zfs.New, (*zfs.Service).Status),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/zfs/{name}", Name: "delete",
			Description: "Destroy a ZFS pool.",
			Perm:        storagePerm("cleanup-config"), ProxyTo: "node", Protected: true,
			Params:  namedParams(removalParams("Also wipe disks so they can be repurposed afterwards.")),
			Returns: schema.Str(""),
			Handler: withDisks(deleteZFS),
		},
	}
}

func createZFS(ctx context.Context, r *Request, d *disks.Service) (any, error) {
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
	devs, err := unusedDevices(ctx, d, r.Params.List("devices"))
	if err != nil {
		return nil, err
	}
	o.Devices = devs
	if o.Aux, err = auxVdevs(ctx, r, d); err != nil {
		return nil, err
	}
	o.Autotrim = r.Params.Bool("autotrim")
	if err := needStoragePriv(ctx, r, "add_storage"); err != nil {
		return nil, err
	}
	s := zfs.New(d)
	if err := s.Check(ctx, o); err != nil {
		return nil, err
	}
	add := addStorage(r, o.Name, "zfspool", map[string]any{"pool": o.Name, "content": "rootdir,images"}, []string{"pool"})
	return add.run(ctx, "zfscreate", d, s.PlanCreate(o))
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

func deleteZFS(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	name := r.Params.String("name")
	rm, err := removal(ctx, r, storageWith("zfspool", "pool", name))
	if err != nil {
		return nil, err
	}
	o := zfs.DestroyOptions{Name: name, CleanupDisks: rm.wipe, CleanupConfig: rm.cleanup}
	s := zfs.New(d)
	return startTask(ctx, r, "zfsremove", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Destroy(ctx, l, o)
	})
}

// auxVdevs reads the create endpoint's cache, log and special devices.
func auxVdevs(ctx context.Context, r *Request, d *disks.Service) (zfs.AuxVdevs, error) {
	a := zfs.AuxVdevs{LogMirror: r.Params.Bool("log-mirror"), SpecialMirror: r.Params.Bool("special-mirror")}
	for _, c := range []struct {
		param string
		into  *[]string
	}{{"cache", &a.Cache}, {"log", &a.Log}, {"special", &a.Special}} {
		if !r.Params.Has(c.param) {
			continue
		}
		devs, err := unusedDevices(ctx, d, r.Params.List(c.param))
		if err != nil {
			return a, err
		}
		*c.into = devs
	}
	if err := a.Check(); err != nil {
		return a, BadRequest(err.Error())
	}
	return a, nil
}
