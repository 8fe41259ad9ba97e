package api

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"hostadm/internal/guests"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func vmidParam() *schema.Schema {
	return schema.Int("The (unique) ID of the VM.").Fmt("pve-vmid").Min(100).Max(999999999)
}

func vmParams(props schema.Props) *schema.Schema {
	p := schema.Props{"vmid": vmidParam()}
	for k, v := range props {
		p[k] = v
	}
	return nodeParams(p)
}

// withGuests hands fn the guest service.
func withGuests(fn func(context.Context, *Request, *guests.Service) (any, error)) Handler {
	return with("guests", func(s *Services) *guests.Service { return s.Guests }, fn)
}

func vmid(r *Request) int { return int(r.Params.Int("vmid")) }

// hasPriv tells whether the caller has the privileges on path.
func hasPriv(ctx context.Context, r *Request, path string, privs ...string) (bool, error) {
	return r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), path, privs, false)
}

func vmStatusReturns() *schema.Schema {
	return schema.Obj(schema.Props{
		"vmid":      schema.Int("The (unique) ID of the VM.").Fmt("pve-vmid"),
		"status":    schema.Str("QEMU process status.").OneOf("stopped", "running"),
		"name":      schema.Str("VM (host)name.").Opt(),
		"qmpstatus": schema.Str("VM run state from the 'query-status' QMP monitor command.").Opt(),
		"uptime":    schema.Int("Uptime in seconds.").Opt(),
		"cpus":      schema.Num("Maximum usable CPUs.").Opt(),
		"cpu":       schema.Num("Current CPU usage.").Opt(),
		"maxmem":    schema.Int("Maximum memory in bytes.").Opt(),
		"mem":       schema.Int("Currently used memory in bytes.").Opt(),
		"pid":       schema.Int("PID of the QEMU process, if the VM is running.").Opt(),
		"tags":      schema.Str("The current configured tags, if any.").Opt(),
	}).AllowMore()
}

func qemuEndpoints() []*Endpoint {
	eps := []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/qemu", Name: "vmlist",
			Description: "Virtual machine index (per node).",
			Perm:        Perm{All: true, Description: "Only list VMs where you have VM.Audit permissions on /vms/<vmid>."},
			ProxyTo:     "node", Protected: true,
			Params:  nodeParams(schema.Props{"full": schema.Bool("Determine the full status of active VMs.").Opt()}),
			Returns: schema.Arr(vmStatusReturns()),
			Handler: withGuests(vmList),
		},
		{
			Method: "POST", Path: "/nodes/{node}/qemu", Name: "create_vm",
			Description: "Create a virtual machine. hostadm supports VMs without disks and NICs; other options are refused.",
			Perm:        Perm{All: true, Description: "You need 'VM.Allocate' permissions on /vms/{vmid} or on the VM pool /pool/{pool}."},
			ProxyTo:     "node", Protected: true,
			Params: vmParams(withKeys(schema.Props{
				"start": schema.Bool("Start VM after it was created successfully.").Def(false),
			})).AllowMore(),
			Returns: schema.Str(""),
			Handler: withGuests(vmCreate),
		},
		{
			Method: "GET", Path: "/nodes/{node}/qemu/{vmid}", Name: "vmdiridx",
			Description: "Directory index",
			Perm:        Perm{All: true}, ProxyTo: "node",
			Params:  vmParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{"subdir": schema.Str("")})),
			Handler: subdirIndex,
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/qemu/{vmid}", Name: "destroy_vm",
			Description: "Destroy the VM and  all used/owned volumes. Removes any VM specific permissions and firewall rules",
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.Allocate")}, ProxyTo: "node", Protected: true,
			Params: vmParams(schema.Props{
				"purge":                      schema.Bool("Remove VMID from configurations, like backup & replication jobs and HA.").Opt(),
				"skiplock":                   schema.Bool("Ignore locks - only root is allowed to use this option.").Opt(),
				"destroy-unreferenced-disks": schema.Bool("If set, destroy additionally all disks not referenced in the config but with a matching VMID from all enabled storages.").Def(false),
			}),
			Returns: schema.Str(""),
			Handler: withGuests(vmDestroy),
		},
		{
			Method: "GET", Path: "/nodes/{node}/qemu/{vmid}/config", Name: "vm_config",
			Description: "Get the virtual machine configuration with pending configuration changes applied. Set the 'current' parameter to get the current configuration instead.",
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.Audit")}, ProxyTo: "node",
			Params: vmParams(schema.Props{
				"current":  schema.Bool("Get current values (instead of pending values).").Def(false),
				"snapshot": schema.Str("Fetch config values from given snapshot.").Fmt("pve-configid").MaxLen(40).Opt(),
			}),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withGuests(vmConfig),
		},
		{
			Method: "GET", Path: "/nodes/{node}/qemu/{vmid}/status", Name: "vmcmdidx",
			Description: "Directory index",
			Perm:        Perm{All: true}, ProxyTo: "node",
			Params:  vmParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{"subdir": schema.Str("")})),
			Handler: subdirIndex,
		},
		{
			Method: "GET", Path: "/nodes/{node}/qemu/{vmid}/status/current", Name: "vm_status",
			Description: "Get virtual machine status.",
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.Audit")}, ProxyTo: "node", Protected: true,
			Params:  vmParams(nil),
			Returns: vmStatusReturns(),
			Handler: withGuests(vmStatus),
		},
		{
			Method: "GET", Path: "/cluster/nextid", Name: "nextid",
			Description: "Get next free VMID. Pass a VMID to assert that its free (at time of check).",
			Perm:        Perm{All: true},
			Params:      schema.Obj(schema.Props{"vmid": vmidParam().Opt()}),
			Returns:     schema.Int("The next free VMID."),
			Handler:     withGuests(nextID),
		},
	}
	for _, m := range []string{"POST", "PUT"} {
		eps = append(eps, vmConfigUpdate(m))
	}
	eps = append(eps, vmMigrateEndpoints()...)
	return append(eps, vmPowerEndpoints()...)
}

// withKeys adds the supported VM config keys to props.
func withKeys(props schema.Props) schema.Props {
	for k, v := range guests.KeySchemas() {
		c := v.Clone()
		c.Optional = true
		props[k] = c
	}
	return props
}

func vmConfigUpdate(method string) *Endpoint {
	name, desc, ret := "update_vm", "Set virtual machine options (synchronous API).", schema.Null()
	if method == "POST" {
		name, desc, ret = "update_vm_async", "Set virtual machine options (asynchronous API).", schema.Str("").Opt()
	}
	return &Endpoint{
		Method: method, Path: "/nodes/{node}/qemu/{vmid}/config", Name: name,
		Description: desc + " hostadm supports the options of VMs without disks and NICs; other options are refused.",
		Perm: Perm{Check: AnyPriv("/vms/{vmid}", "VM.Config.Disk", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Memory",
			"VM.Config.Network", "VM.Config.HWType", "VM.Config.Options", "VM.Config.Cloudinit")},
		ProxyTo: "node", Protected: true,
		Params: vmParams(withKeys(schema.Props{
			"delete":   schema.Str("A list of settings you want to delete.").Fmt("pve-configid-list").Opt(),
			"digest":   schema.Str("Prevent changes if current configuration file has different SHA1 digest. This can be used to prevent concurrent modifications.").MaxLen(40).Opt(),
			"skiplock": schema.Bool("Ignore locks - only root is allowed to use this option.").Opt(),
		})).AllowMore(),
		Returns: ret,
		Handler: withGuests(vmUpdate),
	}
}

func vmList(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	list, err := g.List(ctx)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, st := range list {
		if ok, err := hasPriv(ctx, r, "/vms/"+strconv.Itoa(st.VMID), "VM.Audit"); err != nil {
			return nil, err
		} else if ok {
			out = append(out, st.Map())
		}
	}
	return out, nil
}

// configChange reads the config keys of a create or update request and
// refuses what hostadm does not support.
func configChange(r *Request) (guests.Change, error) {
	errs := schema.ParamError{}
	for _, k := range r.Params.Extra() {
		if guests.IsProxmoxKey(k) {
			errs.Add(k, guests.NotSupported(k))
		} else {
			errs.Add(k, schema.MsgNotDefined)
		}
	}
	ch := guests.Change{Set: map[string]string{}, Digest: r.Params.String("digest")}
	for k := range guests.KeySchemas() {
		if r.Params.Has(k) {
			ch.Set[k] = paramText(r.Params.Raw(k))
		}
	}
	for _, k := range r.Params.List("delete") {
		if guests.KeySchemas()[k] == nil {
			if guests.IsProxmoxKey(k) {
				errs.Add(k, guests.NotSupported(k))
			} else {
				errs.Add("delete", fmt.Sprintf("invalid configuration ID '%s'", k))
			}
			continue
		}
		ch.Delete = append(ch.Delete, k)
	}
	if len(errs) > 0 {
		return ch, errs
	}
	return ch, nil
}

// paramText renders a validated value as the config file stores it.
func paramText(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.Itoa(schema.Flag(x))
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// keyPrivs is the privilege each supported key needs, as qemu-server's
// check_vm_modify_config_perm decides.
func keyPrivs(key string) string {
	switch key {
	case "memory", "balloon", "shares":
		return "VM.Config.Memory"
	case "cores", "sockets", "cpu":
		return "VM.Config.CPU"
	case "machine":
		return "VM.Config.HWType"
	}
	return "VM.Config.Options"
}

func checkKeyPrivs(ctx context.Context, r *Request, ch guests.Change) error {
	keys := append([]string{}, ch.Delete...)
	for k := range ch.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	path := "/vms/" + strconv.Itoa(vmid(r))
	for _, k := range keys {
		priv := keyPrivs(k)
		ok, err := hasPriv(ctx, r, path, priv)
		if err != nil {
			return err
		}
		if !ok {
			return Forbidden(fmt.Sprintf("Permission check failed (%s, %s)", path, priv))
		}
	}
	return nil
}

func vmCreate(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	id := vmid(r)
	path := "/vms/" + strconv.Itoa(id)
	if ok, err := hasPriv(ctx, r, path, "VM.Allocate"); err != nil {
		return nil, err
	} else if !ok {
		return nil, Forbidden(fmt.Sprintf("Permission check failed (%s, VM.Allocate)", path))
	}
	ch, err := configChange(r)
	if err != nil {
		return nil, err
	}
	if err := g.Create(ctx, id, ch.Set); err != nil {
		return nil, err
	}
	start := r.Params.Bool("start")
	return startTask(ctx, r, "qmcreate", strconv.Itoa(id), func(ctx context.Context, l *tasks.Log) error {
		if start {
			return g.Start(ctx, id, l)
		}
		return nil
	})
}

func vmUpdate(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	ch, err := configChange(r)
	if err != nil {
		return nil, err
	}
	if err := checkKeyPrivs(ctx, r, ch); err != nil {
		return nil, err
	}
	if err := g.Update(ctx, vmid(r), ch); err != nil {
		return nil, err
	}
	return nil, nil
}

func vmConfig(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	l, err := g.Load(ctx, vmid(r))
	if err != nil {
		return nil, err
	}
	if snap := r.Params.String("snapshot"); snap != "" {
		sec := l.Config.Snapshot(snap)
		if sec == nil || snap == "PENDING" {
			return nil, fmt.Errorf("snapshot '%s' does not exist", snap)
		}
		out := map[string]any{}
		for k, v := range sec.Values() {
			out[k] = v
		}
		return out, nil
	}
	return guests.ConfigMap(l), nil
}

func vmDestroy(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	id := vmid(r)
	if _, err := g.Load(ctx, id); err != nil {
		return nil, err
	}
	if g.Running(id) != nil {
		return nil, fmt.Errorf("VM %d is running - destroy failed", id)
	}
	return startTask(ctx, r, "qmdestroy", strconv.Itoa(id), func(ctx context.Context, l *tasks.Log) error {
		return g.Destroy(ctx, id)
	})
}

func vmStatus(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	st, err := g.Status(ctx, vmid(r))
	if err != nil {
		return nil, err
	}
	m := st.Map()
	m["ha"] = map[string]any{"managed": 0}
	m["agent"] = 0
	return m, nil
}

func nextID(ctx context.Context, r *Request, g *guests.Service) (any, error) {
	if r.Params.Has("vmid") {
		id := vmid(r)
		if _, used, err := g.Locate(ctx, id); err != nil {
			return nil, err
		} else if used {
			return nil, schema.Fail("vmid", fmt.Sprintf("VM %d already exists", id))
		}
		return id, nil
	}
	return g.NextID(ctx)
}

// vmResources are the VM entries of /cluster/resources the caller may see.
func vmResources(ctx context.Context, r *Request) ([]any, error) {
	g := r.Svc.Guests
	if g == nil {
		return nil, nil
	}
	list, err := g.ClusterList(ctx)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, st := range list {
		if ok, err := hasPriv(ctx, r, "/vms/"+strconv.Itoa(st.VMID), "VM.Audit"); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		e := st.Map()
		delete(e, "ballooninfo")
		delete(e, "running-qemu")
		e["id"] = "qemu/" + strconv.Itoa(st.VMID)
		e["type"] = "qemu"
		e["node"] = st.Node
		e["maxcpu"] = st.CPUs
		delete(e, "cpus")
		out = append(out, e)
	}
	return out, nil
}
