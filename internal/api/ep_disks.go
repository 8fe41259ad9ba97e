package api

import (
	"context"
	"errors"
	"path"
	"slices"

	"hostadm/internal/disks"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskEndpoints declares the disks area's endpoints: Proxmox's
// /nodes/{node}/disks tree and hostadm's extensions beside it.
func diskEndpoints() []*Endpoint {
	var out []*Endpoint
	for _, part := range [][]*Endpoint{
		diskCoreEndpoints(),
		diskSmartExtEndpoints(),
		diskZFSEndpoints(),
		diskLVMEndpoints(),
		diskLVMThinEndpoints(),
		diskDirectoryEndpoints(),
		diskBtrfsEndpoints(),
		diskZFSExtEndpoints(),
		diskZFSDatasetEndpoints(),
		storageEndpoints(),
	} {
		out = append(out, part...)
	}
	return out
}

// diskIndex is Proxmox's index of /nodes/{node}/disks; hostadm's extension
// directories follow it.
var diskIndex = []string{"list", "initgpt", "smart", "lvm", "lvmthin", "directory", "wipedisk", "zfs"}

func diskParam() *schema.Schema {
	return schema.Str("Block device name").Pat(`^/dev/[a-zA-Z0-9\/]+$`)
}

func diskCoreEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/disks", Name: "index",
			Description: "Node index.",
			Perm:        Perm{All: true}, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: indexReturns(),
			Handler: func(_ context.Context, r *Request) (any, error) {
				names := append([]string{}, diskIndex...)
				for _, c := range r.api.router.children(r.Endpoint.Path) {
					if !slices.Contains(diskIndex, c) {
						names = append(names, c)
					}
				}
				out := make([]map[string]string, 0, len(names))
				for _, n := range names {
					out = append(out, map[string]string{"name": n})
				}
				return out, nil
			},
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/list", Name: "list",
			Description: "List local disks.",
			Perm:        Perm{Check: Or(Privs("/", "Sys.Audit"), Privs("/nodes/{node}", "Sys.Audit"))},
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{
				"include-partitions": schema.Bool("Also include partitions.").Def(0),
				"skipsmart":          schema.Bool("Skip smart checks.").Def(0),
				"type":               schema.Str("Only list specific types of disks.").OneOf("unused", "journal_disks").Opt(),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"devpath":    schema.Str("The device path"),
				"gpt":        schema.Bool(""),
				"health":     schema.Str("").Opt(),
				"model":      schema.Str("").Opt(),
				"mounted":    schema.Bool(""),
				"osdid":      schema.Int(""),
				"osdid-list": schema.Arr(schema.Int("")),
				"parent":     schema.Str("For partitions only. The device path of the disk the partition resides on.").Opt(),
				"serial":     schema.Str("").Opt(),
				"size":       schema.Int(""),
				"used":       schema.Str("").Opt(),
				"vendor":     schema.Str("").Opt(),
				"wwn":        schema.Str("").Opt(),
			}).AllowMore()),
			Handler: listDisks,
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/smart", Name: "smart",
			Description: "Get SMART Health of a disk. hostadm reads smartctl's JSON output and adds " +
				"`nvme` (the structured NVMe health log) for NVMe disks.",
			Perm:    Perm{Check: Privs("/", "Sys.Audit")},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"disk":       diskParam(),
				"healthonly": schema.Bool("If true returns only the health status").Opt(),
			}),
			Returns: schema.Obj(schema.Props{
				"attributes": schema.Arr(schema.Obj(nil).AllowMore()).Opt(),
				"health":     schema.Str(""),
				"text":       schema.Str("").Opt(),
				"type":       schema.Str("").Opt(),
			}).AllowMore(),
			Handler: diskSmart,
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/initgpt", Name: "initgpt",
			Description: "Initialize Disk with GPT",
			Perm:        Perm{Check: Privs("/", "Sys.Modify")},
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{
				"disk": diskParam(),
				"uuid": schema.Str("UUID for the GPT table").Pat(`[a-fA-F0-9\-]+`).MaxLen(36).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: initGPT,
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/wipedisk", Name: "wipe_disk",
			Description: "Wipe a disk or partition.",
			Perm:        Perm{RootOnly: true},
			ProxyTo:     "node", Protected: true,
			Params:  nodeParams(schema.Props{"disk": diskParam()}),
			Returns: schema.Str(""),
			Handler: wipeDisk,
		},
	}
}

var errNoDisks = errors.New("disk management is not available on this node")

func diskSvc(r *Request) (*disks.Service, error) {
	if r.Svc.Disks == nil {
		return nil, errNoDisks
	}
	return r.Svc.Disks, nil
}

func listDisks(ctx context.Context, r *Request) (any, error) {
	s, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	return s.List(ctx, r.Params.String("type"), disks.ListOptions{
		SkipSmart: r.Params.Bool("skipsmart"), IncludePartitions: r.Params.Bool("include-partitions"),
	})
}

func diskSmart(ctx context.Context, r *Request) (any, error) {
	s, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	dev, err := s.VerifyBlockdevPath(r.Params.String("disk"))
	if err != nil {
		return nil, err
	}
	healthOnly := r.Params.Bool("healthonly")
	sd, err := s.Smart(ctx, dev, healthOnly)
	if err != nil {
		// Proxmox's API answers UNKNOWN rather than failing.
		sd = &disks.SmartData{Health: "UNKNOWN"}
	}
	if healthOnly {
		return map[string]any{"health": sd.Health}, nil
	}
	return sd, nil
}

func initGPT(ctx context.Context, r *Request) (any, error) {
	s, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	disk, err := s.VerifyBlockdevPath(r.Params.String("disk"))
	if err != nil {
		return nil, err
	}
	if err := s.CheckInitGPT(ctx, disk); err != nil {
		return nil, err
	}
	uuid := r.Params.String("uuid")
	return startTask(ctx, r, "diskinit", path.Base(disk), func(ctx context.Context, l *tasks.Log) error {
		return s.InitGPT(ctx, l, disk, uuid)
	})
}

func wipeDisk(ctx context.Context, r *Request) (any, error) {
	s, err := diskSvc(r)
	if err != nil {
		return nil, err
	}
	disk, err := s.VerifyBlockdevPath(r.Params.String("disk"))
	if err != nil {
		return nil, err
	}
	if err := s.CheckWipeable(disk); err != nil {
		return nil, err
	}
	return startTask(ctx, r, "wipedisk", path.Base(disk), func(ctx context.Context, l *tasks.Log) error {
		return s.Wipe(ctx, l, disk)
	})
}

// startTask runs fn as a task for the caller and returns its UPID.
func startTask(ctx context.Context, r *Request, typ, id string, fn func(context.Context, *tasks.Log) error) (any, error) {
	upid, err := r.Svc.Tasks.Start(ctx, typ, id, r.Identity.AuthID(), fn)
	if err != nil {
		return nil, err
	}
	return upid.String(), nil
}

// needStoragePriv is Proxmox's extra check for add_storage and
// cleanup-config: Datastore.Allocate on /storage.
func needStoragePriv(ctx context.Context, r *Request, param string) error {
	if !r.Params.Bool(param) || r.Identity.IsRoot() {
		return nil
	}
	ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/storage", []string{"Datastore.Allocate"}, false)
	if err != nil {
		return err
	}
	if !ok {
		return Forbidden("Permission check failed (/storage, Datastore.Allocate)")
	}
	return nil
}
