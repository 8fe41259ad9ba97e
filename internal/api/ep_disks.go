package api

import (
	"context"
	"path"
	"slices"

	"hostadm/internal/disks"
	"hostadm/internal/disks/storage"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
	"hostadm/internal/tasks"
)

// diskEndpoints declares the disks area's endpoints: Proxmox's
// /nodes/{node}/disks tree and hostadm's extensions beside it.
func diskEndpoints() []*Endpoint {
	var out []*Endpoint
	for _, part := range [][]*Endpoint{
		diskCoreEndpoints(),
		diskSmartExtEndpoints(),
		diskSmartdEndpoints(),
		diskZFSEndpoints(),
		diskLVMEndpoints(),
		diskLVMThinEndpoints(),
		diskLVMThinOpsEndpoints(),
		diskDirectoryEndpoints(),
		diskBtrfsEndpoints(),
		diskZFSExtEndpoints(),
		diskZFSMaintEndpoints(),
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
			Handler: withDisks(listDisks),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/smart", Name: "smart",
			Description: "Get SMART Health of a disk. hostadm reads smartctl's JSON output and adds " +
				"`nvme` (the structured NVMe health log) for NVMe disks.",
			Perm:    rootAuditPerm(),
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
			Handler: withDiskParam(diskSmart),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/initgpt", Name: "initgpt",
			Description: "Initialize Disk with GPT",
			Perm:        rootModifyPerm(),
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{
				"disk": diskParam(),
				"uuid": schema.Str("UUID for the GPT table").Pat(`[a-fA-F0-9\-]+`).MaxLen(36).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withDiskParam(initGPT),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/wipedisk", Name: "wipe_disk",
			Description: "Wipe a disk or partition.",
			Perm:        Perm{RootOnly: true},
			ProxyTo:     "node", Protected: true,
			Params:  nodeParams(schema.Props{"disk": diskParam()}),
			Returns: schema.Str(""),
			Handler: withDisks(wipeDisk),
		},
	}
}

// withDisks hands the node's disk service to a handler, or fails when the
// node has no disk management.
func withDisks(fn func(context.Context, *Request, *disks.Service) (any, error)) Handler {
	return with("disk management", func(s *Services) *disks.Service { return s.Disks }, fn)
}

// withDiskParam is withDisks for a handler that acts on the block device
// the 'disk' parameter names.
func withDiskParam(fn func(context.Context, *Request, *disks.Service, string) (any, error)) Handler {
	return withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
		dev, err := d.VerifyBlockdevPath(r.Params.String("disk"))
		if err != nil {
			return nil, err
		}
		return fn(ctx, r, d, dev)
	})
}

// diskRead is the handler of an endpoint that returns one reading of a
// disk area's service, built by newSvc: diskRead(zfs.New, (*zfs.Service).Pools).
func diskRead[S, T any](newSvc func(*disks.Service) S, read func(S, context.Context) (T, error)) Handler {
	return withDisks(func(ctx context.Context, _ *Request, d *disks.Service) (any, error) {
		return read(newSvc(d), ctx)
	})
}

// namedDiskRead is diskRead for a reading of the pool or file system the
// 'name' parameter names, such as (*zfs.Service).Status.
func namedDiskRead[S, T any](newSvc func(*disks.Service) S, read func(S, context.Context, string) (T, error)) Handler {
	return withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
		return read(newSvc(d), ctx, r.Params.String("name"))
	})
}

// unusedDevice resolves dev to its block device and checks that nothing
// uses it.
func unusedDevice(ctx context.Context, d *disks.Service, dev string) (string, error) {
	real, err := d.VerifyBlockdevPath(dev)
	if err != nil {
		return "", err
	}
	if err := d.AssertDiskUnused(ctx, real); err != nil {
		return "", err
	}
	return real, nil
}

// unusedDevices is unusedDevice for each of list, stopping at the first
// failure.
func unusedDevices(ctx context.Context, d *disks.Service, list []string) ([]string, error) {
	var out []string
	for _, dev := range list {
		real, err := unusedDevice(ctx, d, dev)
		if err != nil {
			return nil, err
		}
		out = append(out, real)
	}
	return out, nil
}

func listDisks(ctx context.Context, r *Request, s *disks.Service) (any, error) {
	return s.List(ctx, r.Params.String("type"), disks.ListOptions{
		SkipSmart: r.Params.Bool("skipsmart"), IncludePartitions: r.Params.Bool("include-partitions"),
	})
}

func diskSmart(ctx context.Context, r *Request, s *disks.Service, dev string) (any, error) {
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

func initGPT(ctx context.Context, r *Request, s *disks.Service, disk string) (any, error) {
	if err := s.CheckInitGPT(ctx, disk); err != nil {
		return nil, err
	}
	uuid := r.Params.String("uuid")
	return startTask(ctx, r, "diskinit", path.Base(disk), func(ctx context.Context, l *tasks.Log) error {
		return s.InitGPT(ctx, l, disk, uuid)
	})
}

func wipeDisk(ctx context.Context, r *Request, s *disks.Service) (any, error) {
	b, err := s.VerifyBlockdev(r.Params.String("disk"))
	if err != nil {
		return nil, err
	}
	if err := s.CheckWipeable(b); err != nil {
		return nil, err
	}
	return startTask(ctx, r, "wipedisk", path.Base(b.Path), func(ctx context.Context, l *tasks.Log) error {
		return s.Wipe(ctx, l, b)
	})
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

// storagePerm is Sys.Modify on /, with needStoragePriv's extra check for
// param (add_storage or cleanup-config) described.
func storagePerm(param string) Perm {
	return Perm{Check: Privs("/", "Sys.Modify"),
		Description: "Requires additionally 'Datastore.Allocate' on /storage when setting '" + param + "'"}
}

// namedParams are the parameters of an endpoint on the pool or file
// system the 'name' path parameter names, with props beside it.
func namedParams(props schema.Props) *schema.Schema {
	return nodeParams(withProps(schema.Props{"name": storageIDParam()}, props))
}

// removalParams are the cleanup parameters of a storage backend's
// removal; disksDesc describes cleanup-disks.
func removalParams(disksDesc string) schema.Props {
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

// storageAdd is an add_storage request (entry nil when not asked for).
type storageAdd struct {
	r     *Request
	id    string
	entry *storage.Entry
}

func addStorage(r *Request, id, typ string, values map[string]any, verify []string) *storageAdd {
	a := &storageAdd{r: r, id: id}
	if r.Params.Bool("add_storage") {
		a.entry = &storage.Entry{ID: id, Type: typ, Values: values, Verify: verify}
	}
	return a
}

// start reserves the storage, then runs create as the task typ with the
// storage's id as the task id; storage.AddAround enables the storage once
// create succeeded.
func (a *storageAdd) start(ctx context.Context, typ string, create func(context.Context, *tasks.Log) error) (any, error) {
	work := create
	if a.entry != nil {
		s, err := storageSvc(a.r)
		if err != nil {
			return nil, err
		}
		if work, err = s.AddAround(ctx, a.entry, create); err != nil {
			return nil, err
		}
	}
	return startTask(ctx, a.r, typ, a.id, work)
}

// run answers the plan p for a dry run — after its checks and the
// storage reservation's, with nothing locked, written or started — or
// reserves the storage and starts p as the task typ.
func (a *storageAdd) run(ctx context.Context, typ string, d *disks.Service, p *disks.Plan) (any, error) {
	if !a.r.Params.Bool("dry-run") {
		return a.start(ctx, typ, func(ctx context.Context, l *tasks.Log) error { return d.Execute(ctx, l, p) })
	}
	if err := p.Check(ctx); err != nil {
		return nil, err
	}
	if a.entry != nil {
		s, err := storageSvc(a.r)
		if err != nil {
			return nil, err
		}
		sec, err := s.PlanAdd(ctx, a.entry)
		if err != nil {
			return nil, err
		}
		p.Note("Add the storage '"+a.id+"': reserved (disabled) before the first step, enabled after the last",
			&disks.File{Path: "/etc/pve/" + storage.Path, Content: sec})
	}
	return p, nil
}

// dryRunParam is the create endpoints' hostadm extension: answer the plan
// (createReturns) instead of starting the task.
func dryRunParam() *schema.Schema {
	return schema.Bool("hostadm extension: check the request as a create does and answer the task's plan " +
		"(the commands it would run, the files it would write) instead of starting it; nothing is locked, " +
		"written or run but read-only checks.").Def(0)
}

// createReturns is what a create endpoint with dryRunParam answers: the
// task's UPID, or with dry-run the plan (disks.Plan).
func createReturns() *schema.Schema {
	return &schema.Schema{Type: schema.TAny,
		Description: "The task's UPID; with 'dry-run' (hostadm extension) the plan, an object: " +
			"'devices' (erased), 'steps' (each 'text', 'cmd' as an argument vector, 'file' {path, content or line}, " +
			"'when' for a conditional step, 'optional' when a failure is only warned; '<name>' stands for a value " +
			"the task learns while it runs).",
		Properties: schema.Props{
			"devices": schema.Arr(schema.Str("")),
			"steps": schema.Arr(schema.Obj(schema.Props{
				"text":     schema.Str("What the step does."),
				"cmd":      schema.Arr(schema.Str("")).Opt(),
				"file":     schema.Obj(schema.Props{"path": schema.Str("")}).AllowMore().Opt(),
				"when":     schema.Str("").Opt(),
				"optional": schema.Bool("").Opt(),
			})),
		}}
}

// storageRemoval is a removal request's cleanup parameters: cleanup is
// the cleanup-config step the removal task runs (nil when not asked for)
// and wipe is cleanup-disks.
type storageRemoval struct {
	cleanup func() error
	wipe    bool
}

// removal checks the privilege cleanup-config needs and reads the
// cleanup parameters; match picks the storage entries of the backend.
func removal(ctx context.Context, r *Request, match func(*sectioncfg.Section) bool) (*storageRemoval, error) {
	if err := needStoragePriv(ctx, r, "cleanup-config"); err != nil {
		return nil, err
	}
	rm := &storageRemoval{wipe: r.Params.Bool("cleanup-disks")}
	if r.Params.Bool("cleanup-config") {
		s, err := storageSvc(r)
		if err != nil {
			return nil, err
		}
		rm.cleanup = func() error {
			return s.CleanupForNode(context.Background(), match)
		}
	}
	return rm, nil
}

// storageWith matches the storage entries of type typ whose properties
// have the given values (key, value, key, value, ...).
func storageWith(typ string, kv ...string) func(*sectioncfg.Section) bool {
	return func(sec *sectioncfg.Section) bool {
		if sec.Type != typ {
			return false
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if sec.Props[kv[i]] != kv[i+1] {
				return false
			}
		}
		return true
	}
}
