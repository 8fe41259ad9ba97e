package api

import (
	"context"
	"strings"

	"hostadm/internal/disks"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskZFSExtEndpoints are hostadm extensions for what the Proxmox VE guide
// shows only as zpool commands, and the ARC limits.
func diskZFSExtEndpoints() []*Endpoint {
	modify := rootModifyPerm()
	return []*Endpoint{
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/vdev", Name: "add_vdev",
			Description: "hostadm extension: add a cache (L2ARC), log (SLOG/ZIL) or special vdev to a pool " +
				"(`zpool add`); log and special can be mirrored, cache cannot.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"type":    schema.Str("The vdev class.").OneOf(zfs.VdevTypes...),
				"devices": schema.Str("The block devices to add.").Fmt("string-list"),
				"mirror":  schema.Bool("Mirror the devices.").Def(0),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				devs, err := unusedDevices(ctx, d, r.Params.List("devices"))
				if err != nil {
					return nil, err
				}
				name, typ, mirror := r.Params.String("name"), r.Params.String("type"), r.Params.Bool("mirror")
				if _, err := zfs.AddVdevArgs(name, typ, mirror, devs); err != nil {
					return nil, err
				}
				s := zfs.New(d)
				return startTask(ctx, r, "zfsaddvdev", name, func(ctx context.Context, l *tasks.Log) error {
					return s.AddVdev(ctx, l, name, typ, mirror, devs)
				})
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/replace", Name: "replace",
			Description: "hostadm extension: replace a pool device (`zpool replace POOL OLD NEW`). When the old " +
				"device's disk was bootable (BIOS boot or EFI partition) the task log lists the partition-table " +
				"and boot-tool steps a boot disk needs as well.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"old":     schema.Str("The device to replace, as zpool status shows it.").Pat(`^/dev/[a-zA-Z0-9\/\-_.:]+$`),
				"new":     schema.Str("The new block device.").Pat(`^/dev/[a-zA-Z0-9\/]+$`),
				"healthy": schema.Str("A healthy bootable disk to copy the partition table from (for the log's note).").Pat(`^/dev/[a-zA-Z0-9\/\-_.:]+$`).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(replaceZFS),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/scrub", Name: "scrub",
			Description: "hostadm extension: start, stop or pause a scrub; its progress is the pool detail's 'scan'.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  namedParams(schema.Props{"action": schema.Str("What to do.").OneOf("start", "stop", "pause").Def("start")}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				s := zfs.New(d)
				name, action := r.Params.String("name"), r.Params.String("action")
				if action == "" {
					action = "start"
				}
				return startTask(ctx, r, "zfsscrub", name, func(ctx context.Context, l *tasks.Log) error {
					return s.Scrub(ctx, l, name, action)
				})
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs-arc", Name: "arc",
			Description: "hostadm extension: the ZFS ARC: current size, effective and configured limits, and the " +
				"recommended zfs_arc_max (10 % of memory clamped to 16 GiB; rule of thumb 2 GiB + 1 GiB per TiB of pool).",
			Perm: rootAuditPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: diskRead(zfs.New, (*zfs.Service).ReadARC),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/zfs-arc", Name: "set_arc",
			Description: "hostadm extension: set zfs_arc_max (and zfs_arc_min) live and in /etc/modprobe.d/zfs.conf. " +
				"Values below 64 MiB are refused; a max not above zfs_arc_min would be ignored by ZFS, so min becomes " +
				"max - 1 unless given; with root on ZFS the task runs `update-initramfs -u -k all`.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"max": schema.Int("zfs_arc_max in bytes.").Min(zfs.MinARCMax),
				"min": schema.Int("zfs_arc_min in bytes.").Min(1).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				maxB, minB := r.Params.Int("max"), r.Params.Int("min")
				if minB > 0 && minB >= maxB {
					return nil, schema.ParamError{"min": "zfs_arc_min must be less than zfs_arc_max"}
				}
				s := zfs.New(d)
				return startTask(ctx, r, "zfsarc", "", func(ctx context.Context, l *tasks.Log) error {
					return s.SetARC(ctx, l, maxB, minB)
				})
			}),
		},
	}
}

func replaceZFS(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	dev, err := unusedDevice(ctx, d, r.Params.String("new"))
	if err != nil {
		return nil, err
	}
	name, old, healthy := r.Params.String("name"), r.Params.String("old"), r.Params.String("healthy")
	if healthy == "" {
		healthy = "<healthy bootable disk>"
	}
	bootable := wasBootable(ctx, d, old)
	s := zfs.New(d)
	return startTask(ctx, r, "zfsreplace", name, func(ctx context.Context, l *tasks.Log) error {
		return s.Replace(ctx, l, name, old, dev, bootable, healthy)
	})
}

// wasBootable tells whether the disk of a (still present) pool device
// carries a BIOS boot or EFI partition.
func wasBootable(ctx context.Context, d *disks.Service, dev string) bool {
	b, err := d.VerifyBlockdev(dev)
	if err != nil {
		return false
	}
	real := b.Path
	if b.Partition {
		real = b.Parent
	}
	base := strings.TrimPrefix(real, "/dev/")
	all, err := d.Disks(ctx, disks.ListOptions{Only: []string{base}, SkipSmart: true, IncludePartitions: true})
	if err != nil {
		return false
	}
	for _, p := range all {
		if p.Used == "BIOS boot" || p.Used == "EFI" {
			return true
		}
	}
	return false
}
