package api

import (
	"context"
	"slices"

	"hostadm/internal/disks/storage"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// storageEndpoints are pve-storage's /storage configuration API and the
// node's storage status, for the storage types hostadm's disk management
// creates (dir, lvm, lvmthin, zfspool, btrfs). The paths are not in the
// host subset of the published schema; parameters follow pve-storage.
func storageEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/storage", Name: "index",
			Description: "Storage index.",
			Perm: Perm{All: true, Description: "Only list entries where you have 'Datastore.Audit' or " +
				"'Datastore.AllocateSpace' permissions on '/storage/<storage>'"},
			Params: schema.Obj(schema.Props{
				"type": schema.Str("Only list storage of specific type").OneOf(storage.Schema().TypeNames()...).Opt(),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{"storage": schema.Str("")}).AllowMore()),
			Handler: withStorage(listStorage),
		},
		{
			Method: "POST", Path: "/storage", Name: "create",
			Description: "Create a new storage.",
			Perm:        Perm{Check: Privs("/storage", "Datastore.Allocate")},
			Protected:   true,
			Params:      sectioncfg.CreateSchema(storage.Schema()),
			Returns: schema.Obj(schema.Props{
				"storage": schema.Str("The ID of the created storage."),
				"type":    schema.Str("The type of the created storage."),
			}).AllowMore(),
			Handler: withStorage(createStorage),
		},
		{
			Method: "GET", Path: "/storage/{storage}", Name: "read",
			Description: "Read storage configuration.",
			Perm:        Perm{Check: storagePriv{"Datastore.Allocate"}},
			Params:      schema.Obj(schema.Props{"storage": storageIDParam()}),
			Returns:     schema.Obj(nil).AllowMore(),
			Handler:     withStorage(readStorage),
		},
		{
			Method: "PUT", Path: "/storage/{storage}", Name: "update",
			Description: "Update storage configuration.",
			Perm:        Perm{Check: Privs("/storage", "Datastore.Allocate")},
			Protected:   true,
			Params:      sectioncfg.UpdateSchema(storage.Schema()),
			Returns:     schema.Obj(nil).AllowMore(),
			Handler:     withStorage(updateStorage),
		},
		{
			Method: "DELETE", Path: "/storage/{storage}", Name: "delete",
			Description: "Delete storage configuration.",
			Perm:        Perm{Check: Privs("/storage", "Datastore.Allocate")},
			Protected:   true,
			Params:      schema.Obj(schema.Props{"storage": storageIDParam()}),
			Returns:     schema.Null(),
			Handler: withStorage(func(ctx context.Context, r *Request, s *storage.Service) (any, error) {
				return nil, s.Delete(ctx, r.Params.String("storage"))
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/storage", Name: "index",
			Description: "Get status for all datastores.",
			Perm: Perm{All: true, Description: "Only list entries where you have 'Datastore.Audit' or " +
				"'Datastore.AllocateSpace' permissions on '/storage/<storage>'"},
			ProxyTo: "node",
			Params: nodeParams(schema.Props{
				"content": schema.Str("Only list stores which support this content type.").Opt(),
				"enabled": schema.Bool("Only list stores which are enabled (not disabled in config).").Def(0),
				"format":  schema.Bool("Include information about formats").Def(0),
				"storage": storageIDParam().Opt(),
				"target":  schema.Str("If target is different to 'node', we only lists shared storages which content is accessible on this 'node' and the specified 'target' node.").Fmt("pve-node").Opt(),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"storage": schema.Str("The storage identifier."),
				"type":    schema.Str("Storage type."),
				"content": schema.Str("Allowed storage content types."),
				"active":  schema.Bool("Set when storage is accessible.").Opt(),
				"enabled": schema.Bool("Set when storage is enabled (not disabled).").Opt(),
				"shared":  schema.Bool("Shared flag from storage configuration.").Opt(),
				"total":   schema.Int("Total storage space in bytes.").Opt(),
				"used":    schema.Int("Used storage space in bytes.").Opt(),
				"avail":   schema.Int("Available storage space in bytes.").Opt(),
			}).AllowMore()),
			Handler: withStorage(nodeStorageStatus),
		},
		storageContentEndpoint(),
	}
}

func storageIDParam() *schema.Schema {
	return schema.Str("The storage identifier.").Fmt("pve-storage-id")
}

func storageSvc(r *Request) (*storage.Service, error) {
	return need(r.Svc.Storage, "storage configuration")
}

// withStorage hands the storage.cfg service to a handler.
func withStorage(fn func(context.Context, *Request, *storage.Service) (any, error)) Handler {
	return with("storage configuration", func(s *Services) *storage.Service { return s.Storage }, fn)
}

// canSeeStorage is the list filters' check.
func canSeeStorage(ctx context.Context, r *Request, id string) bool {
	if r.Identity.IsRoot() {
		return true
	}
	ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/storage/"+id,
		[]string{"Datastore.Audit", "Datastore.AllocateSpace"}, true)
	return err == nil && ok
}

// sectionMap renders a section as the API shows it (booleans as 1/0).
func sectionMap(sec *sectioncfg.Section, digest string) map[string]any {
	m := map[string]any{"storage": sec.ID, "type": sec.Type, "digest": digest}
	for k, v := range sec.Props {
		if b, ok := v.(bool); ok {
			v = schema.Flag(b)
		}
		m[k] = v
	}
	return m
}

func listStorage(ctx context.Context, r *Request, s *storage.Service) (any, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	typ := r.Params.String("type")
	out := []map[string]any{}
	for _, sec := range cfg.Sections {
		if (typ == "" || sec.Type == typ) && canSeeStorage(ctx, r, sec.ID) {
			out = append(out, sectionMap(sec, cfg.Digest))
		}
	}
	return out, nil
}

// storageValues are the section properties among the parameters.
func storageValues(r *Request) map[string]any {
	v := map[string]any{}
	for _, k := range r.Params.Names() {
		switch k {
		case "storage", "type", "digest", "delete":
			continue
		}
		v[k] = r.Params.Raw(k)
	}
	return v
}

func createStorage(ctx context.Context, r *Request, s *storage.Service) (any, error) {
	id, typ := r.Params.String("storage"), r.Params.String("type")
	if err := s.Create(ctx, typ, id, storageValues(r)); err != nil {
		return nil, err
	}
	return map[string]any{"storage": id, "type": typ}, nil
}

func readStorage(ctx context.Context, r *Request, s *storage.Service) (any, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	id := r.Params.String("storage")
	sec := cfg.Section(id)
	if sec == nil {
		return nil, BadRequest("storage '" + id + "' does not exist")
	}
	return sectionMap(sec, cfg.Digest), nil
}

func updateStorage(ctx context.Context, r *Request, s *storage.Service) (any, error) {
	id := r.Params.String("storage")
	if err := s.Update(ctx, id, storageValues(r), r.Params.List("delete"), r.Params.String("digest")); err != nil {
		return nil, err
	}
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"storage": id, "type": cfg.Section(id).Type}, nil
}

func nodeStorageStatus(ctx context.Context, r *Request, s *storage.Service) (any, error) {
	// Proxmox measures every storage and filters afterwards; the result is
	// the same, but nothing runs for a storage the caller may not see.
	visible := func(id string) bool {
		return (!r.Params.Has("storage") || id == r.Params.String("storage")) && canSeeStorage(ctx, r, id)
	}
	list, err := s.StatusesOf(ctx, storage.Prober{Root: r.Svc.Root, Runner: r.Svc.Runner}, visible)
	if err != nil {
		return nil, err
	}
	content := schema.SplitList(r.Params.String("content"))
	out := []map[string]any{}
	for _, st := range list {
		if r.Params.Bool("enabled") && st.Enabled == 0 {
			continue
		}
		if len(content) > 0 && !hasAll(schema.SplitList(st.Content), content) {
			continue
		}
		out = append(out, map[string]any{"storage": st.Storage, "type": st.Type, "content": st.Content,
			"active": st.Active, "enabled": st.Enabled, "shared": st.Shared, "total": st.Total,
			"used": st.Used, "avail": st.Avail, "used_fraction": st.Fraction})
	}
	return out, nil
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// storagePriv checks privileges on /storage/{storage}. A storage id that
// is no valid id cannot name an ACL path: it is checked on /storage, and
// parameter validation then answers 400.
type storagePriv []string

func (c storagePriv) String() string { return Privs("/storage/{storage}", c...).String() }

func (c storagePriv) eval(ctx context.Context, r *Request) error {
	if schema.CheckFormat("pve-storage-id", r.Params.String("storage")) != "" {
		return Privs("/storage", c...).eval(ctx, r)
	}
	return Privs("/storage/{storage}", c...).eval(ctx, r)
}

// storageContentEndpoint is pve-storage's content listing, for the storage
// types hostadm manages. hostadm keeps no guests, so the per-guest volume
// access checks Proxmox adds for non-root users reduce to the storage
// privilege.
func storageContentEndpoint() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/storage/{storage}/content", Name: "index",
		Description: "List storage content.",
		Perm:        Perm{Check: storageAnyPriv{"Datastore.Audit", "Datastore.AllocateSpace"}},
		ProxyTo:     "node", Protected: true,
		Params: nodeParams(schema.Props{
			"storage": storageIDParam(),
			"content": schema.Str("Only list content of this type.").OneOf(storage.ContentTypes...).Opt(),
			"vmid":    schema.Int("Only list images for this VM").Fmt("pve-vmid").Min(100).Max(999999999).Opt(),
		}),
		Returns: schema.Arr(schema.Obj(schema.Props{
			"volid":     schema.Str("Volume identifier."),
			"vmid":      schema.Int("Associated Owner VMID.").Opt(),
			"parent":    schema.Str("Volume identifier of parent (for linked cloned).").Opt(),
			"format":    schema.Str("Format identifier ('raw', 'qcow2', 'subvol', 'iso', 'tgz' ...)"),
			"size":      schema.Int("Volume size in bytes.").Opt(),
			"used":      schema.Int("Used space. Please note that most storage plugins do not report anything useful here.").Opt(),
			"ctime":     schema.Int("Creation time (seconds since the UNIX Epoch).").Min(0).Opt(),
			"notes":     schema.Str("Optional notes. If they contain multiple lines, only the first one is returned here.").Opt(),
			"protected": schema.Bool("Protection status. Currently only supported for backups.").Opt(),
		}).AllowMore()),
		Handler: withStorage(func(ctx context.Context, r *Request, s *storage.Service) (any, error) {
			return s.Content(ctx, storage.Prober{Root: r.Svc.Root, Runner: r.Svc.Runner},
				r.Params.String("storage"), r.Params.String("content"), int(r.Params.Int("vmid")))
		}),
	}
}
