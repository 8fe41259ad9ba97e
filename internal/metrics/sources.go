package metrics

import (
	"context"

	"hostadm/internal/metrics/wire"
)

// The collection loop reads storages and guests through the two small
// interfaces below. They are declared here, by their consumer; the areas
// that know storages and guests implement them (the daemon adapts
// internal/disks/storage to StorageSource). A nil source sends nothing.

// StorageStatus is one storage as PVE::Storage::storage_info reports it to
// pvestatd: the configuration's type, content and flags, and the usage
// measured when the storage is active.
type StorageStatus struct {
	ID      string // the storage id
	Type    string // dir, lvm, lvmthin, zfspool, btrfs, ...
	Content string // the content types, comma-separated, as configured
	Active  bool   // measured this round
	Enabled bool   // not disabled in the configuration
	Shared  bool
	// Total, Used and Avail are bytes; zero unless Active.
	Total, Used, Avail int64
}

// StorageSource lists the storages configured on the local node with
// their state, every one of them (inactive and disabled ones included).
// It is called once per round with a deadline shorter than the interval.
type StorageSource interface {
	StorageStatus(ctx context.Context) ([]StorageStatus, error)
}

// GuestSource builds the round's guest objects: one wire.Object of
// KindQEMU or KindLXC per guest, ID the VMID, Node the local node, Time
// ctime, with the keys of vmstatus (formats §5.1). hostadm has no guest
// management yet, so nothing implements it: no guest data is sent.
type GuestSource interface {
	GuestObjects(ctx context.Context, node string, ctime int64) ([]wire.Object, error)
}

// StorageObject is the storage data object pvestatd's
// update_storage_status hands to the metric plugins: storage_info's
// scalar keys (formats §5.1; the format helper keys are only there when
// formats are asked for, which pvestatd does not). The Graphite path is
// storages.<node>.<storeid> and the InfluxDB tags
// object=storages,nodename=<node>,host=<storeid>,type=<type> (§5.2, §5.3).
func StorageObject(node string, ctime int64, st *StorageStatus) wire.Object {
	b := func(v bool) int64 {
		if v {
			return 1
		}
		return 0
	}
	// Keys in sorted order, as wire.Sort would leave them.
	fields := []wire.Field{
		wire.Int("active", b(st.Active)),
		wire.Int("avail", st.Avail),
		wire.Str("content", st.Content),
		wire.Int("enabled", b(st.Enabled)),
		wire.Int("shared", b(st.Shared)),
		wire.Int("total", st.Total),
		wire.Str("type", st.Type),
		wire.Int("used", st.Used),
	}
	return wire.Object{Kind: wire.KindStorage, ID: st.ID, Node: node, Time: ctime, Fields: fields}
}
