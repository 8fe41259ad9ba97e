package api

import (
	"context"

	"hostadm/internal/disks"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskZFSDatasetEndpoints are hostadm extensions for the ZFS guide's
// command-line sections: pool feature upgrade (with its GRUB warning),
// dataset compression and special_small_blocks, and encrypted datasets
// with their keys. Key material travels only as a parameter and then on
// zfs's standard input, never on a command line or in a task log.
func diskZFSDatasetEndpoints() []*Endpoint {
	modify := rootModifyPerm()
	audit := rootAuditPerm()
	dataset := func(desc string) *schema.Schema {
		return schema.Str(desc + " The full name, inside the pool (pool/a/b).").MaxLen(255)
	}
	keyParam := schema.Str("The key material when keylocation is 'prompt': a passphrase (8 to 512 " +
		"characters), or 64 hex digits for keyformat hex and raw (a raw key's 32 bytes in hex). It is " +
		"passed to zfs on standard input and never logged.").MaxLen(512).Opt()
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs/{name}/features", Name: "features",
			Description: "hostadm extension: the pool's feature flags, those `zpool upgrade` would enable, and " +
				"'grub-risk' when the host's /boot is on this pool and GRUB reads it directly (no " +
				"proxmox-boot-tool): enabling new features can then make the host unbootable.",
			Perm: audit, ProxyTo: "node", Protected: true,
			Params: namedParams(nil),
			Returns: schema.Obj(schema.Props{
				"pool":      schema.Str(""),
				"features":  schema.Arr(schema.Obj(schema.Props{"name": schema.Str(""), "state": schema.Str("")})),
				"disabled":  schema.Arr(schema.Str("")),
				"grub-risk": schema.Bool(""),
				"boot":      schema.Str("efi or legacy"),
				"warning":   schema.Str("").Opt(),
			}),
			Handler: namedDiskRead(zfs.New, (*zfs.Service).Features),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/upgrade", Name: "upgrade",
			Description: "hostadm extension: enable all supported features on the pool (`zpool upgrade POOL`). " +
				"There is no way back: older ZFS versions (older kernels, older installer ISOs) can no longer " +
				"import the pool. A pool that holds /boot on a host booting it through GRUB (no " +
				"proxmox-boot-tool) is refused unless 'force' is set, as it could leave the host unbootable.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params:  namedParams(schema.Props{"force": schema.Bool("Upgrade even though GRUB reads this pool.").Def(0)}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := zfs.New(d)
				name, force := r.Params.String("name"), r.Params.Bool("force")
				if err := s.CheckUpgrade(name, force); err != nil {
					return nil, err
				}
				return startTask(ctx, r, "zfsupgrade", name, func(ctx context.Context, l *tasks.Log) error {
					return s.Upgrade(ctx, l, name, force)
				})
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs/{name}/datasets", Name: "datasets",
			Description: "hostadm extension: the pool's file systems and volumes with compression, " +
				"special_small_blocks and their encryption and key status (keystatus available, unavailable " +
				"or '-' when not encrypted).",
			Perm: audit, ProxyTo: "node", Protected: true,
			Params:  namedParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{"name": schema.Str(""), "keystatus": schema.Str("")}).AllowMore()),
			Handler: namedDiskRead(zfs.New, (*zfs.Service).Datasets),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/datasets", Name: "create_dataset",
			Description: "hostadm extension: create a file system (`zfs create`), optionally a new encryption " +
				"root (`-o encryption=on -o keyformat=... -o keylocation=...`). With keylocation 'prompt' the " +
				"key is given in 'key'; with file:///PATH the key file must exist. Keep the key: without it " +
				"the data cannot be read, and it must be loaded after every boot.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"dataset":     dataset("The new dataset."),
				"encryption":  schema.Str("Encrypt the dataset with this cipher.").OneOf(zfs.Encryptions...).Opt(),
				"keyformat":   schema.Str("The key's format.").OneOf(zfs.KeyFormats...).Opt(),
				"keylocation": schema.Str("Where zfs finds the key: 'prompt' (default) or file:///PATH.").MaxLen(4096).Opt(),
				"key":         keyParam,
				"compression": schema.Str("The compression algorithm (on, off, lz4, zstd, gzip-N, ...).").MaxLen(20).Opt(),
				"special_small_blocks": schema.Str("Blocks up to this size go to the special vdev: 0 or a power of " +
					"two from 512 to 1M (4K, 16K, ...).").MaxLen(10).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(createZFSDataset),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/zfs/{name}/datasets", Name: "set_dataset",
			Description: "hostadm extension: set a dataset's (or the pool's) compression and " +
				"special_small_blocks (`zfs set`; compression 'inherit' runs `zfs inherit`). Both apply to " +
				"newly written blocks only; special_small_blocks at or above the recordsize sends all data to " +
				"the special vdev.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"dataset":     dataset("The dataset, or the pool's name for the pool-wide default.").Opt(),
				"compression": schema.Str("The compression algorithm, or 'inherit'.").MaxLen(20).Opt(),
				"special_small_blocks": schema.Str("0 or a power of two from 512 to 1M (4K, 16K, ...).").
					MaxLen(10).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(setZFSDataset),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/load-key", Name: "load_key",
			Description: "hostadm extension: load an encryption root's key (`zfs load-key`), from 'key' when its " +
				"keylocation is 'prompt' or else from its key file, and mount it (`zfs mount`).",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"dataset": dataset("The encryption root."),
				"key":     keyParam,
				"mount":   schema.Bool("Mount the file system after loading the key.").Def(1),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := zfs.New(d)
				pool, ds, key := r.Params.String("name"), r.Params.String("dataset"), r.Params.String("key")
				mount := !r.Params.Has("mount") || r.Params.Bool("mount")
				if _, _, err := s.CheckLoadKey(ctx, pool, ds, key); err != nil {
					return nil, err
				}
				return startTask(ctx, r, "zfsloadkey", pool, func(ctx context.Context, l *tasks.Log) error {
					return s.LoadKey(ctx, l, pool, ds, key, mount)
				})
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/unload-key", Name: "unload_key",
			Description: "hostadm extension: unmount an encryption root and unload its key (`zfs unmount`, " +
				"`zfs unload-key`); its data is unreadable until the key is loaded again.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params:  namedParams(schema.Props{"dataset": dataset("The encryption root.")}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := zfs.New(d)
				pool, ds := r.Params.String("name"), r.Params.String("dataset")
				if _, err := s.CheckUnloadKey(ctx, pool, ds); err != nil {
					return nil, err
				}
				return startTask(ctx, r, "zfsunloadkey", pool, func(ctx context.Context, l *tasks.Log) error {
					return s.UnloadKey(ctx, l, pool, ds)
				})
			}),
		},
	}
}

// smallBlocksParam parses special_small_blocks when given.
func smallBlocksParam(r *Request) (*int64, error) {
	if !r.Params.Has("special_small_blocks") {
		return nil, nil
	}
	n, err := zfs.ParseSmallBlocks(r.Params.String("special_small_blocks"))
	if err != nil {
		return nil, schema.ParamError{"special_small_blocks": err.Error()}
	}
	return &n, nil
}

func createZFSDataset(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	s := zfs.New(d)
	ssb, err := smallBlocksParam(r)
	if err != nil {
		return nil, err
	}
	pool := r.Params.String("name")
	o := zfs.CreateDatasetOptions{Name: r.Params.String("dataset"), Encryption: r.Params.String("encryption"),
		KeyFormat: r.Params.String("keyformat"), KeyLocation: r.Params.String("keylocation"),
		Key: r.Params.String("key"), Compression: r.Params.String("compression"), SpecialSmallBlocks: ssb}
	if _, _, err := s.CreateDatasetArgs(pool, o); err != nil {
		return nil, err
	}
	return startTask(ctx, r, "zfscreate", pool, func(ctx context.Context, l *tasks.Log) error {
		return s.CreateDataset(ctx, l, pool, o)
	})
}

func setZFSDataset(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	s := zfs.New(d)
	ssb, err := smallBlocksParam(r)
	if err != nil {
		return nil, err
	}
	pool, name := r.Params.String("name"), r.Params.String("dataset")
	if name == "" {
		name = pool
	}
	o := zfs.SetOptions{Compression: r.Params.String("compression"), SpecialSmallBlocks: ssb}
	if o.Compression != "" {
		if err := zfs.CheckCompression(o.Compression); err != nil {
			return nil, schema.ParamError{"compression": err.Error()}
		}
	}
	if err := zfs.CheckDataset(pool, name, true); err != nil {
		return nil, err
	}
	if len(zfs.SetArgs(name, o)) == 0 {
		return nil, schema.ParamError{"compression": "give compression and/or special_small_blocks"}
	}
	return startTask(ctx, r, "zfsset", pool, func(ctx context.Context, l *tasks.Log) error {
		return s.SetProps(ctx, l, name, o)
	})
}
