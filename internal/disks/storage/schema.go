package storage

import (
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Schema is storage.cfg's section schema for the types hostadm's disk
// management creates (dir, lvm, lvmthin, zfspool, btrfs), with the
// options pve-storage's plugins give them.
func Schema() *sectioncfg.Schema {
	opt, fixed, optFixed := sectioncfg.Option{Optional: true}, sectioncfg.Option{Fixed: true},
		sectioncfg.Option{Optional: true, Fixed: true}
	common := func(o sectioncfg.Options) sectioncfg.Options {
		for _, k := range []string{"nodes", "disable", "content", "bwlimit"} {
			o[k] = opt
		}
		return o
	}
	return &sectioncfg.Schema{
		What:       "storage",
		IDProperty: "storage",
		IDFormat:   "pve-storage-id",
		Properties: Properties(),
		Types: map[string]sectioncfg.Options{
			"dir": common(sectioncfg.Options{"path": fixed, "shared": opt, "content-dirs": opt,
				"prune-backups": opt, "max-protected-backups": opt, "is_mountpoint": opt, "mkdir": opt,
				"create-base-path": opt, "create-subdirs": opt, "format": opt, "preallocation": opt}),
			"lvm": common(sectioncfg.Options{"vgname": fixed, "base": optFixed, "shared": opt,
				"saferemove": opt, "saferemove_throughput": opt, "tagged_only": opt}),
			"lvmthin": common(sectioncfg.Options{"vgname": fixed, "thinpool": fixed}),
			"zfspool": common(sectioncfg.Options{"pool": fixed, "blocksize": opt, "sparse": opt, "mountpoint": opt}),
			"btrfs": common(sectioncfg.Options{"path": fixed, "shared": opt, "is_mountpoint": opt,
				"content-dirs": opt, "prune-backups": opt, "max-protected-backups": opt, "mkdir": opt,
				"create-base-path": opt, "create-subdirs": opt, "format": opt, "preallocation": opt}),
		},
	}
}

// Properties is pve-storage's global property list for these types.
func Properties() schema.Props {
	return schema.Props{
		"path":          schema.Str("File system path.").Opt(),
		"content":       schema.Str("Allowed content types.\n\nNOTE: the value 'rootdir' is used for Containers, and value 'images' for VMs.\n").Opt(),
		"content-dirs":  schema.Str("Overrides for default content type directories.").Fmt("pve-dir-override-list").Opt(),
		"nodes":         schema.Str("List of nodes for which the storage configuration applies.").Fmt("pve-node-list").Opt(),
		"disable":       schema.Bool("Flag to disable the storage.").Opt(),
		"shared":        schema.Bool("Indicate that this is a single storage with the same contents on all nodes (or all listed in the 'nodes' option). It will not make the contents of a local storage automatically accessible to other nodes, it just marks an already shared storage as such!").Opt(),
		"bwlimit":       schema.Str("Set I/O bandwidth limit for various operations (in KiB/s).").Opt(),
		"prune-backups": schema.Str("The retention options with shorter intervals are processed first with --keep-last being the very first one.").Opt(),
		"max-protected-backups": schema.Int("Maximal number of protected backups per guest. Use '-1' for unlimited.").
			Min(-1).Opt(),
		"is_mountpoint":         schema.Str("Assume the given path is an externally managed mountpoint and consider the storage offline if it is not mounted. Using a boolean (yes/no) value serves as a shortcut to using the target path in this field.").Opt(),
		"mkdir":                 schema.Bool("Create the directory if it doesn't exist and populate it with default sub-dirs. NOTE: Deprecated, use the 'create-base-path' and 'create-subdirs' options instead.").Opt(),
		"create-base-path":      schema.Bool("Create the base directory if it doesn't exist.").Opt(),
		"create-subdirs":        schema.Bool("Populate the directory with the default structure.").Opt(),
		"format":                schema.Str("Default image format.").OneOf("raw", "qcow2", "vmdk", "subvol").Opt(),
		"preallocation":         schema.Str("Preallocation mode for raw and qcow2 images. Using 'metadata' on raw images results in preallocation=off.").OneOf("off", "metadata", "falloc", "full").Opt(),
		"vgname":                schema.Str("Volume group name.").Fmt("pve-storage-vgname").Opt(),
		"base":                  schema.Str("Base volume. This volume is automatically activated.").Opt(),
		"saferemove":            schema.Bool("Zero-out data when removing LVs.").Opt(),
		"saferemove_throughput": schema.Str("Wipe throughput (cstream -t parameter value).").Opt(),
		"tagged_only":           schema.Bool("Only use logical volumes tagged with 'pve-vm-ID'.").Opt(),
		"thinpool":              schema.Str("LVM thin pool LV name.").Fmt("pve-storage-vgname").Opt(),
		"pool":                  schema.Str("ZFS pool.").Fmt("zfs-dataset-name").Opt(),
		"blocksize":             schema.Str("block size").Opt(),
		"sparse":                schema.Bool("use sparse volumes").Opt(),
		"mountpoint":            schema.Str("mount point").Opt(),
	}
}
