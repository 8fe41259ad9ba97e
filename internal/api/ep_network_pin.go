package api

import (
	"context"

	"hostadm/internal/network"
	"hostadm/internal/schema"
)

// networkExtraEndpoints are hostadm's additions under /nodes/{node}/network:
// the pending diff on its own and NIC name pinning (Proxmox VE 9 has the
// latter only as the pve-network-interface-pinning command).
func networkExtraEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/network/changes", Name: "network_changes",
			Description: "The pending network changes: the unified diff from /etc/network/interfaces to " +
				"interfaces.new, empty when nothing is staged (hostadm).",
			Perm:    auditPerm(),
			ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Str("The diff."),
			Handler: withNetwork(func(ctx context.Context, r *Request, svc *network.Service) (any, error) {
				return svc.Diff(ctx)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/network/pin", Name: "pin_network_interfaces",
			Description: "Pin the names of physical network interfaces with systemd .link files " +
				"(/usr/local/lib/systemd/network/50-pve-NAME.link, as pve-network-interface-pinning writes them) " +
				"and rename them in the staged interfaces file; the new names take effect at the next boot, when " +
				"hostadm-netcommit.service ('hostadm network commit') puts the staged file in place before " +
				"networking.service starts (hostadm).",
			Perm:      modifyPerm(),
			ProxyTo:   "node",
			Protected: true,
			Params: nodeParams(schema.Props{
				"interface": schema.Str("Only pin this interface.").Fmt("pve-iface").Opt(),
				"prefix": schema.Str("The new names are PREFIX0, PREFIX1, ...").
					Pat(`[a-z][a-z0-9_]{0,9}`).Def("nic"),
				"dry-run": schema.Bool("Only show the names the interfaces would get.").Def(0),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"iface": schema.Str("The interface's current name."),
				"name":  schema.Str("Its pinned name."),
				"mac":   schema.Str("The MAC address the .link file matches."),
				"file":  schema.Str("The .link file."),
			})),
			Handler: withNetwork(func(ctx context.Context, r *Request, svc *network.Service) (any, error) {
				return svc.Pin(ctx, network.PinOptions{
					Interface: r.Params.String("interface"), Prefix: r.Params.String("prefix"),
					DryRun: r.Params.Bool("dry-run"),
				})
			}),
		},
	}
}
