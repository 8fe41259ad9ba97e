// Package api is hostadm's Proxmox-compatible REST API: the endpoint table,
// parameter handling, authentication and permission checks, the JSON
// envelope, and the HTTPS front door. Handlers live beside the table, one
// file per area, and call the domain packages through Services.
package api

import (
	"context"
	"fmt"
	"hostadm/internal/history"
	"log/slog"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"hostadm/internal/access"
	"hostadm/internal/acme"
	"hostadm/internal/apt"
	"hostadm/internal/boot"
	"hostadm/internal/certs"
	"hostadm/internal/cfs"
	"hostadm/internal/cluster"
	"hostadm/internal/disks"
	"hostadm/internal/disks/storage"
	"hostadm/internal/guests"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg"
	"hostadm/internal/metrics"
	"hostadm/internal/network"
	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// Services are the domain services handlers use. Fields a deployment does
// not have stay nil; the endpoints needing them answer with an error.
type Services struct {
	Node     string // the local node's name
	Root     host.Root
	Runner   host.Runner
	Store    cfs.Store
	Auth     *access.Service
	Tasks    *tasks.Manager
	Certs    *certs.Service
	ACME     *acme.Service // ACME accounts, plugins, orders; nil: not offered
	NodeStat *metrics.Node
	Metrics  *metrics.Service // collection loop, exporters, pull export
	Network  *network.Service
	HostCfg  *hostcfg.Service // time, NTP, DNS, hosts, services, logs, KSM, sysctl
	NodeCfg  *nodecfg.Service // node config file, Wake-on-LAN
	Disks    *disks.Service
	Storage  *storage.Service // storage.cfg
	Apt      *apt.Service     // package repositories and updates
	Boot     *boot.Service    // ESPs, kernel selection and pinning, kernel command line
	Guests   *guests.Service  // VMs: configs, QEMU, bulk actions, ballooning
	Cluster  *cluster.Service // membership, quorum, other nodes' addresses
	History  *history.History // who changed which file, the diffs, reverts
	// RawRoot and RawStore write without recording: a revert records
	// itself. Root and Store record every write in History.
	RawRoot  host.Root
	RawStore cfs.Store
	Logger   *slog.Logger
	Clock    func() time.Time
	// PowerDelay is how long reboot/shutdown wait before running (2 s).
	PowerDelay time.Duration
}

// Config configures the API.
type Config struct {
	Services *Services
	// AuthFailDelay slows down every 401, as Proxmox does (3 s).
	AuthFailDelay time.Duration
	// Limits bound requests (zero: DefaultLimits).
	Limits Limits
	// ExtraEndpoints are appended to the built-in table (tests, later areas).
	ExtraEndpoints []*Endpoint
	// Lazy builds each area's endpoints when a path first needs them, for
	// a process that makes a call or two (the in-process CLI). Without it
	// the whole table is built and routed at once, as the daemon wants.
	Lazy bool
}

// API dispatches calls to the endpoint table.
type API struct {
	svc       *Services
	table     []*Endpoint
	router    *router
	failDelay time.Duration
	limits    Limits
	preAuth   chan struct{} // turns of unauthenticated requests in flight
	proxies   proxyPool     // forwarding calls to other cluster nodes
}

// New builds the API over the full endpoint table.
func New(cfg Config) (*API, error) {
	var table []*Endpoint
	var r *router
	var err error
	if cfg.Lazy {
		r, err = newLazyRouter(parts, cfg.ExtraEndpoints)
	} else {
		table = append(Table(), cfg.ExtraEndpoints...)
		r, err = newRouter(table)
	}
	if err != nil {
		return nil, err
	}
	svc := cfg.Services
	if svc.Logger == nil {
		svc.Logger = slog.New(slog.DiscardHandler)
	}
	if svc.Clock == nil {
		svc.Clock = time.Now
	}
	lim := cfg.Limits.withDefaults()
	return &API{svc: svc, table: table, router: r, failDelay: cfg.AuthFailDelay,
		limits: lim, preAuth: make(chan struct{}, lim.PreAuthInFlight)}, nil
}

// Endpoints returns the table this API serves.
func (a *API) Endpoints() []*Endpoint {
	if a.router.lazy != nil {
		return a.router.endpoints()
	}
	return a.table
}

// Lookup finds the endpoint for a method and path, with its path parameters.
func (a *API) Lookup(method, path string) (*Endpoint, map[string]string) {
	return a.router.match(method, path)
}

// Call runs one API call for an already authenticated identity: the path
// parameters are merged into raw, everything is validated, the permission
// is checked, and the handler runs. The in-process CLI uses it directly.
func (a *API) Call(ctx context.Context, id Identity, method, path string, raw map[string]any) (*Result, error) {
	e, pathParams := a.router.match(method, path)
	if e == nil {
		return nil, NotImplemented(fmt.Sprintf("Method '%s %s' not implemented", method, cleanURLPath(path)))
	}
	return a.call(ctx, &Request{Endpoint: e, Identity: id, Svc: a.svc, Node: a.svc.Node}, pathParams, raw)
}

func (a *API) call(ctx context.Context, r *Request, pathParams map[string]string, raw map[string]any) (res *Result, err error) {
	e := r.Endpoint
	r.api = a
	if r.Identity.TokenID != "" && e.NoToken {
		return nil, Forbidden(fmt.Sprintf("Permission check failed (URI '%s' not available with API token, need proper ticket.)", cleanURLPath(e.Path)))
	}
	if raw == nil {
		raw = map[string]any{}
	}
	delete(raw, "_dc")
	if err := mergePathParams(raw, pathParams); err != nil {
		return nil, err
	}
	// Proxmox checks permissions before it validates parameters, so an
	// unprivileged caller learns nothing about the parameters.
	if err := a.resolveNodeParam(e, raw); err != nil {
		return nil, err
	}
	r.Params = Params{values: raw, schema: e.Params}
	if err := e.checkPerm(ctx, r); err != nil {
		return nil, err
	}
	values, err := e.Params.ValidateParams(raw)
	if err != nil {
		return nil, err
	}
	r.Params = Params{values: values, schema: e.Params, extra: extraParams(e.Params, raw)}
	defer func() {
		if p := recover(); p != nil {
			a.svc.Logger.Error("handler panic", "method", e.Method, "path", e.Path, "panic", p, "stack", string(debug.Stack()))
			res, err = nil, fmt.Errorf("internal error: %v", p)
		}
	}()
	ctx = host.WithActor(ctx, host.Actor{User: r.Identity.AuthID(), Endpoint: e.Method + " " + r.fill(e.Path)})
	data, err := e.Handler(ctx, r)
	if err != nil {
		return nil, err
	}
	res = &Result{Data: data}
	if rr, ok := data.(*Result); ok {
		res = rr
	}
	res.Data = emptyList(e.Returns, res.Data)
	return res, nil
}

// emptyList answers [] where an endpoint returning an array has nothing:
// a handler's nil (or nil slice) must not reach clients as `data: null`.
func emptyList(returns *schema.Schema, data any) any {
	if returns == nil || returns.Type != schema.TArray {
		return data
	}
	if data == nil {
		return []any{}
	}
	if v := reflect.ValueOf(data); v.Kind() == reflect.Slice && v.IsNil() {
		return []any{}
	}
	return data
}

// resolveNodeParam validates the node parameter and replaces "localhost"
// by the local node's name.
func (a *API) resolveNodeParam(e *Endpoint, raw map[string]any) error {
	v, ok := raw["node"]
	if !ok || e.Params.Properties["node"] == nil || e.AnyNode {
		return nil
	}
	node, isStr := v.(string)
	if !isStr {
		return schema.Fail("node", "type check ('string') failed")
	}
	if msg := schema.CheckFormat("pve-node", node); msg != "" {
		return schema.Fail("node", "invalid format - "+msg)
	}
	local, err := a.resolveNode(node)
	if err != nil {
		return err
	}
	raw["node"] = local
	return nil
}

// resolveNode accepts the local node's name and "localhost"; others fail
// the way Proxmox's address lookup does for a single node.
func (a *API) resolveNode(node string) (string, error) {
	if node == "localhost" || strings.EqualFold(node, a.svc.Node) {
		return a.svc.Node, nil
	}
	if c := a.svc.Cluster; c != nil && c.Clustered() {
		if _, ok := c.NodeAPI(context.Background(), node); ok {
			return "", fmt.Errorf("node '%s' is another cluster node: call its API (or any node's over HTTPS, which forwards the call)", node)
		}
	}
	return "", fmt.Errorf("hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known", node, node)
}

func mergePathParams(raw map[string]any, pathParams map[string]string) error {
	errs := schema.ParamError{}
	for k, v := range pathParams {
		if have, ok := raw[k]; ok {
			if s, isStr := have.(string); !isStr || s != v {
				errs.Add(k, "duplicate parameter (already defined in URI) with conflicting values!")
				continue
			}
		}
		raw[k] = v
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func cleanURLPath(p string) string {
	return "/" + strings.Trim(p, "/")
}
