package sectioncfg

import "hostadm/internal/schema"

// statusSchema follows status.cfg (FORMATS.md §4.1).
func statusSchema() *Schema {
	opt := Option{Optional: true}
	common := Options{"server": {}, "disable": opt, "mtu": opt, "timeout": opt}
	graphite := Options{"port": opt, "path": opt, "proto": opt}
	influx := Options{"port": {}, "influxdbproto": opt, "organization": opt, "bucket": opt,
		"token": opt, "api-path-prefix": opt, "max-body-size": opt, "verify-certificate": opt}
	for k, v := range common {
		graphite[k], influx[k] = v, v
	}
	return &Schema{
		What:       "metric server",
		IDProperty: "id",
		IDFormat:   "pve-configid",
		Properties: schema.Props{
			"server":             schema.Str("Server address.").Fmt("address"),
			"port":               schema.Int("Server port.").Min(1).Max(65536),
			"disable":            schema.Bool("Disable it.").Opt(),
			"mtu":                schema.Int("MTU.").Min(512).Max(65536).Opt(),
			"timeout":            schema.Int("Timeout.").Min(0).Opt(),
			"path":               schema.Str("Root path.").Fmt("graphite-path").Opt(),
			"proto":              schema.Str("Protocol.").OneOf("udp", "tcp").Opt(),
			"influxdbproto":      schema.Str("Protocol.").OneOf("udp", "http", "https").Opt(),
			"organization":       schema.Str("Organization.").Opt(),
			"bucket":             schema.Str("Bucket.").Opt(),
			"token":              schema.Str("Token.").Opt(),
			"api-path-prefix":    schema.Str("Prefix.").Opt(),
			"max-body-size":      schema.Int("Body size.").Min(1).Opt(),
			"verify-certificate": schema.Bool("Verify.").Opt(),
		},
		Types:       map[string]Options{"graphite": graphite, "influxdb": influx},
		ParseHeader: StatusHeader,
	}
}

// storageSchema is a part of storage.cfg: the options of the dir, lvm,
// lvmthin, zfspool and btrfs plugins that the tests use.
func storageSchema() *Schema {
	opt, fixed, optFixed := Option{Optional: true}, Option{Fixed: true}, Option{Optional: true, Fixed: true}
	common := func(o Options) Options {
		for _, k := range []string{"nodes", "disable", "content", "bwlimit"} {
			o[k] = opt
		}
		return o
	}
	return &Schema{
		What:       "storage",
		IDProperty: "storage",
		IDFormat:   "pve-storage-id",
		Properties: schema.Props{
			"path":                  schema.Str("File system path.").Opt(),
			"content":               schema.Str("Allowed content types.").Opt(),
			"content-dirs":          schema.Str("Overrides for default content type directories.").Opt(),
			"nodes":                 schema.Str("List of nodes.").Opt(),
			"disable":               schema.Bool("Flag to disable the storage.").Opt(),
			"shared":                schema.Bool("Shared storage.").Opt(),
			"bwlimit":               schema.Str("I/O bandwidth limit.").Opt(),
			"prune-backups":         schema.Str("Retention options.").Opt(),
			"max-protected-backups": schema.Int("Maximal protected backups.").Min(-1).Opt(),
			"is_mountpoint":         schema.Str("Assume the path is a mount point.").Opt(),
			"mkdir":                 schema.Bool("Create the directory.").Opt(),
			"vgname":                schema.Str("Volume group name.").Opt(),
			"base":                  schema.Str("Base volume.").Opt(),
			"saferemove":            schema.Bool("Zero-out data when removing LVs.").Opt(),
			"thinpool":              schema.Str("LVM thin pool LV name.").Opt(),
			"pool":                  schema.Str("ZFS pool.").Opt(),
			"blocksize":             schema.Str("Block size.").Opt(),
			"sparse":                schema.Bool("Use ZFS thin-provisioning.").Opt(),
		},
		Types: map[string]Options{
			"dir": common(Options{"path": fixed, "shared": opt, "content-dirs": opt, "prune-backups": opt,
				"max-protected-backups": opt, "is_mountpoint": opt, "mkdir": opt}),
			"lvm":     common(Options{"vgname": fixed, "base": optFixed, "shared": opt, "saferemove": opt}),
			"lvmthin": common(Options{"vgname": fixed, "thinpool": fixed}),
			"zfspool": common(Options{"pool": fixed, "blocksize": opt, "sparse": opt}),
			"btrfs":   common(Options{"path": fixed, "shared": opt, "is_mountpoint": opt}),
		},
	}
}

// mixedSchema exercises what the real files lack: arrays, a comment, a
// number and a custom header-free default.
func mixedSchema() *Schema {
	opt := Option{Optional: true}
	return &Schema{
		What: "plugin",
		Properties: schema.Props{
			"comment": schema.Str("Comment.").Opt(),
			"disable": schema.Bool("Disable.").Opt(),
			"data":    schema.Str("Data.").Opt(),
			"n":       schema.Int("Count.").Opt(),
			"f":       schema.Num("Float.").Opt(),
			"tags":    schema.Arr(schema.Str("Tag.")).Opt(),
			"ports":   schema.Arr(schema.Int("Port.").Min(1)).Opt(),
		},
		Types: map[string]Options{
			"a": {"comment": opt, "disable": opt, "data": {}, "n": opt, "f": opt, "tags": opt, "ports": opt},
			"b": {"comment": opt, "data": opt, "tags": {}},
		},
	}
}

func schemaFor(name string) *Schema {
	switch {
	case len(name) >= 6 && name[:6] == "status":
		return statusSchema()
	case len(name) >= 7 && name[:7] == "storage":
		return storageSchema()
	}
	return mixedSchema()
}
