package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"hostadm/internal/network"
	"hostadm/internal/network/ifaces"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// networkEndpoints declares /nodes/{node}/network: the interfaces file with
// its staging copy (formats §1, API §2.4).
func networkEndpoints() []*Endpoint {
	modify := modifyPerm()
	ifaceParam := func() *schema.Schema {
		return schema.Str("Network interface name.").Fmt("pve-iface").MinLen(2).MaxLen(20)
	}
	return append([]*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/network", Name: "index",
			Description: "List available networks",
			Perm:        Perm{All: true}, ProxyTo: "node",
			Params: nodeParams(schema.Props{
				"type": schema.Str("Only list specific interface types.").Opt().OneOf(
					"bridge", "bond", "eth", "alias", "vlan", "fabric", "OVSBridge", "OVSBond", "OVSPort",
					"OVSIntPort", "vnet", "any_bridge", "any_local_bridge", "include_sdn"),
			}),
			Returns: schema.Arr(ifaceReturn()),
			Handler: withNetwork(listNetwork),
		},
		{
			Method: "POST", Path: "/nodes/{node}/network", Name: "create_network",
			Description: "Create network device configuration",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(ifaceProps(schema.Props{"iface": ifaceParam()})),
			Returns: schema.Null(),
			Handler: withNetwork(createNetwork),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/network", Name: "reload_network_config",
			Description: "Reload network configuration",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"regenerate-frr": schema.Bool("Whether FRR config generation should get skipped or not.").Def(0),
				"rollback-timeout": schema.Int("Restore the previous configuration unless the change is confirmed " +
					"(POST .../network/confirm) within this many seconds (hostadm).").Min(5).Max(3600).Opt(),
				"force": schema.Bool("Apply even when the staged file drops the address the request came in on " +
					"or the default gateway (hostadm).").Def(0),
			}),
			Extensions: []string{"rollback-timeout", "force"},
			Returns:    schema.Str("The task's UPID."),
			Handler:    withNetwork(reloadNetwork),
		},
		{
			Method: "POST", Path: "/nodes/{node}/network/confirm", Name: "confirm_network_changes",
			Description: "Keep an applied network change and cancel its rollback (hostadm).",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Null(),
			Handler: withNetwork(func(_ context.Context, _ *Request, svc *network.Service) (any, error) {
				return nil, svc.Confirm()
			}),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/network", Name: "revert_network_changes",
			Description: "Revert network configuration changes.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Null(),
			Handler: withNetwork(func(ctx context.Context, r *Request, svc *network.Service) (any, error) {
				return nil, svc.Revert(ctx)
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/network/{iface}", Name: "network_config",
			Description: "Read network device configuration",
			Perm:        auditPerm(), ProxyTo: "node",
			Params: nodeParams(schema.Props{"iface": ifaceParam()}),
			Returns: schema.Obj(schema.Props{
				"method": schema.Str(""), "type": schema.Str(""),
			}).AllowMore(),
			Handler: withNetwork(func(ctx context.Context, r *Request, svc *network.Service) (any, error) {
				return svc.Get(ctx, r.Params.String("iface"))
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/network/{iface}", Name: "update_network",
			Description: "Update network device configuration",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(ifaceProps(schema.Props{
				"iface":  ifaceParam(),
				"delete": schema.Str("A list of settings you want to delete.").Fmt("pve-configid-list").Opt(),
			})),
			Returns: schema.Null(),
			Handler: withNetwork(updateNetwork),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/network/{iface}", Name: "delete_network",
			Description: "Delete network device configuration",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(schema.Props{"iface": ifaceParam()}),
			Returns: schema.Null(),
			Handler: withNetwork(func(ctx context.Context, r *Request, svc *network.Service) (any, error) {
				return nil, svc.Delete(ctx, r.Params.String("iface"))
			}),
		},
	}, networkExtraEndpoints()...)
}

// withNetwork hands the node's network service to a handler, or answers
// need's error when the deployment has none.
func withNetwork(fn func(context.Context, *Request, *network.Service) (any, error)) Handler {
	return with("network configuration", func(s *Services) *network.Service { return s.Network }, fn)
}

var networkTypes = []string{"bridge", "bond", "eth", "alias", "vlan", "fabric", "OVSBridge", "OVSBond", "OVSPort", "OVSIntPort", "vnet", "unknown"}

// ifaceProps are the settings create and update take.
func ifaceProps(extra schema.Props) schema.Props {
	list := func(d string) *schema.Schema { return schema.Str(d).Fmt("pve-iface-list").Opt() }
	p := schema.Props{
		"type":      schema.Str("Network interface type").OneOf(networkTypes...),
		"address":   schema.Str("IP address.").Fmt("ipv4").Req("netmask").Opt(),
		"address6":  schema.Str("IP address.").Fmt("ipv6").Req("netmask6").Opt(),
		"autostart": schema.Bool("Automatically start interface on boot.").Opt(),
		"bond-primary": schema.Str("Specify the primary interface for active-backup bond.").
			Fmt("pve-iface").Opt(),
		"bond_mode": schema.Str("Bonding mode.").Opt().OneOf("balance-rr", "active-backup", "balance-xor",
			"broadcast", "802.3ad", "balance-tlb", "balance-alb", "balance-slb", "lacp-balance-slb", "lacp-balance-tcp"),
		"bond_xmit_hash_policy": schema.Str("Selects the transmit hash policy to use for slave selection in balance-xor and 802.3ad modes.").
			Opt().OneOf("layer2", "layer2+3", "layer3+4"),
		"bridge_ports":      list("Specify the interfaces you want to add to your bridge."),
		"bridge_vids":       schema.Str("Specify the allowed VLANs. For example: '2 4 100-200'. Only used if the bridge is VLAN aware.").Fmt("pve-vlan-id-or-range-list").Opt(),
		"bridge_vlan_aware": schema.Bool("Enable bridge vlan support.").Opt(),
		"cidr":              schema.Str("IPv4 CIDR.").Fmt("CIDRv4").Opt(),
		"cidr6":             schema.Str("IPv6 CIDR.").Fmt("CIDRv6").Opt(),
		"comments":          schema.Str("Comments").Opt(),
		"comments6":         schema.Str("Comments").Opt(),
		"gateway":           schema.Str("Default gateway address.").Fmt("ipv4").Opt(),
		"gateway6":          schema.Str("Default ipv6 gateway address.").Fmt("ipv6").Opt(),
		"mtu":               schema.Int("MTU.").Min(1280).Max(65520).Opt(),
		"netmask":           schema.Str("Network mask.").Fmt("ipv4mask").Req("address").Opt(),
		"netmask6":          schema.Int("Network mask.").Min(0).Max(128).Req("address6").Opt(),
		"ovs_bonds":         list("Specify the interfaces used by the bonding device."),
		"ovs_bridge":        schema.Str("The OVS bridge associated with a OVS port. This is required when you create an OVS port.").Fmt("pve-iface").Opt(),
		"ovs_options":       schema.Str("OVS interface options.").MaxLen(1024).Opt(),
		"ovs_ports":         list("Specify the interfaces you want to add to your bridge."),
		"ovs_tag":           schema.Int("Specify a VLan tag (used by OVSPort, OVSIntPort, OVSBond)").Min(1).Max(4094).Opt(),
		"slaves":            list("Specify the interfaces used by the bonding device."),
		"vlan-id":           schema.Int("vlan-id for a custom named vlan interface (ifupdown2 only).").Min(1).Max(4094).Opt(),
		"vlan-raw-device":   schema.Str("Specify the raw interface for the vlan interface.").Fmt("pve-iface").Opt(),
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func ifaceReturn() *schema.Schema {
	return schema.Obj(schema.Props{
		"iface": schema.Str("Network interface name.").Fmt("pve-iface"),
		"type":  schema.Str("Network interface type"),
	}).AllowMore()
}

// netParams collects the sent settings as strings for the network service.
func netParams(r *Request) network.Params {
	p := network.Params{}
	for _, k := range r.Params.Names() {
		switch k {
		case "node", "iface", "delete":
			continue
		}
		p[k] = r.Params.String(k)
	}
	return p
}

func listNetwork(ctx context.Context, r *Request, svc *network.Service) (any, error) {
	list, changes, err := svc.List(ctx, r.Params.String("type"))
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		ok, err := canSeeIface(ctx, r, e)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return &Result{Data: out, Changes: changes}, nil
}

// canSeeIface hides bridges from users without SDN.Audit or SDN.Use on
// the bridge's local zone path, as Proxmox does.
func canSeeIface(ctx context.Context, r *Request, e map[string]any) (bool, error) {
	t, _ := e["type"].(string)
	if r.Identity.IsRoot() || (t != ifaces.TypeBridge && t != ifaces.TypeOVSBridge) {
		return true, nil
	}
	path := "/sdn/zones/localnetwork/" + fmt.Sprint(e["iface"])
	return r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), path, []string{"SDN.Audit", "SDN.Use"}, true)
}

func createNetwork(ctx context.Context, r *Request, svc *network.Service) (any, error) {
	return nil, svc.Create(ctx, r.Params.String("iface"), netParams(r))
}

func updateNetwork(ctx context.Context, r *Request, svc *network.Service) (any, error) {
	return nil, svc.Update(ctx, r.Params.String("iface"), netParams(r), r.Params.List("delete"))
}

func reloadNetwork(ctx context.Context, r *Request, svc *network.Service) (any, error) {
	if _, err := svc.ApplierName(); err != nil {
		return nil, err
	}
	if !r.Params.Bool("force") {
		if err := svc.CheckReachable(requestLocalAddr(r)); err != nil {
			return nil, err
		}
	}
	user := r.Identity.AuthID()
	timeout := time.Duration(r.Params.Int("rollback-timeout")) * time.Second
	return startTask(ctx, r, "srvreload", "networking", func(ctx context.Context, l *tasks.Log) error {
		if err := logPendingChanges(ctx, svc, l); err != nil {
			return err
		}
		if timeout == 0 {
			return svc.Apply(ctx, l)
		}
		return svc.ApplyWithRollback(ctx, l, timeout, rollbackRunner(r.Svc, user))
	})
}

// rollbackRunner runs a network rollback as a srvreload task of its own,
// started by the rollback's timer, not by any request.
func rollbackRunner(svc *Services, user string) network.TaskRunner {
	return func(fn func(context.Context, io.Writer) error) error {
		_, err := svc.Tasks.Start(context.Background(), "srvreload", "networking", user, func(ctx context.Context, l *tasks.Log) error {
			return fn(ctx, l)
		})
		return err
	}
}

// WatchNetworkRollback runs in the daemon until ctx ends: it takes over a
// network rollback left pending by an earlier daemon or armed by the
// in-process CLI, and rolls back at its deadline (at once when the
// deadline passed while no daemon ran).
func (a *API) WatchNetworkRollback(ctx context.Context) {
	if a.svc.Network == nil {
		return
	}
	a.svc.Network.Watch(ctx, time.Second, rollbackRunner(a.svc, "root@pam"))
}

// requestLocalAddr is the server address an HTTP request came in on.
func requestLocalAddr(r *Request) netip.Addr {
	if r.HTTP == nil {
		return netip.Addr{}
	}
	a, _ := r.HTTP.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if a == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}

// logPendingChanges writes the pending changes to the task log.
func logPendingChanges(ctx context.Context, svc *network.Service, l io.Writer) error {
	diff, err := svc.Diff(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if diff == "" {
		fmt.Fprintln(l, "no pending network changes, reloading the live configuration")
	}
	for _, line := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		if line != "" {
			fmt.Fprintln(l, line)
		}
	}
	return nil
}
