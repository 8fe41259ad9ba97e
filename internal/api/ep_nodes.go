package api

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"hostadm/internal/certs"
	"hostadm/internal/host"
	"hostadm/internal/schema"
)

func nodeEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes", Name: "index",
			Description: "Cluster node index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"node":            schema.Str("The cluster node name.").Fmt("pve-node"),
				"status":          schema.Str("Node status.").OneOf("unknown", "online", "offline"),
				"cpu":             schema.Num("CPU utilization.").Opt(),
				"level":           schema.Str("Support level.").Opt(),
				"maxcpu":          schema.Int("Number of available CPUs.").Opt(),
				"maxmem":          schema.Int("Number of available memory in bytes.").Opt(),
				"mem":             schema.Int("Used memory in bytes.").Opt(),
				"ssl_fingerprint": schema.Str("The SSL fingerprint for the node certificate.").Opt(),
				"uptime":          schema.Int("Node uptime in seconds.").Opt(),
			}).AllowMore()),
			Handler: listNodes,
		},
		{
			Method: "GET", Path: "/nodes/{node}", Name: "index",
			Description: "Node index.",
			Perm:        Perm{All: true},
			Params:      nodeParams(nil),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "GET", Path: "/nodes/{node}/status", Name: "status",
			Description: "Read node status.",
			Perm:        auditPerm(),
			ProxyTo:     "node",
			Params:      nodeParams(nil),
			Returns:     nodeStatusReturns(),
			Handler:     nodeStatus,
		},
		{
			Method: "POST", Path: "/nodes/{node}/status", Name: "node_cmd",
			Description: "Reboot or shutdown a node.",
			Perm:        Perm{Check: Privs("/nodes/{node}", "Sys.PowerMgmt")},
			ProxyTo:     "node", Protected: true,
			Params: nodeParams(schema.Props{
				"command": schema.Str("Specify the command.").OneOf("reboot", "shutdown"),
			}),
			Returns: schema.Null(),
			Handler: nodePower,
		},
	}
}

func listNodes(ctx context.Context, r *Request) (any, error) {
	entry := map[string]any{
		"node": r.Node, "id": "node/" + r.Node, "type": "node",
		"status": "online", "level": "",
	}
	if cert, _, _, err := r.Svc.Certs.Active(ctx); err == nil {
		entry["ssl_fingerprint"] = certs.Fingerprint(cert)
	}
	ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/nodes/"+r.Node, []string{"Sys.Audit"}, false)
	if err != nil {
		return nil, err
	}
	if ok || r.Identity.IsRoot() {
		// The node is listed whatever its statistics: those that cannot
		// be read are left out, as Proxmox does.
		st, err := r.Svc.NodeStat.Status(ctx)
		if err != nil {
			r.Svc.Logger.Warn("node statistics unavailable", "err", err)
			return []any{entry}, nil
		}
		missing := map[string]bool{}
		for _, k := range st.Missing {
			missing[k] = true
		}
		for key, v := range map[string]struct {
			src string
			val any
		}{
			"uptime": {"uptime", st.Uptime}, "cpu": {"cpu", st.CPU}, "maxcpu": {"cpuinfo", st.CPUInfo.CPUs},
			"mem": {"memory", st.Memory.Used}, "maxmem": {"memory", st.Memory.Total},
			"disk": {"rootfs", st.RootFS.Used}, "maxdisk": {"rootfs", st.RootFS.Total},
		} {
			if !missing[v.src] {
				entry[key] = v.val
			}
		}
	}
	return append([]any{entry}, otherNodes(ctx, r)...), nil
}

// nodeStatus answers what could be read; keys whose source is missing or
// unreadable are left out instead of failing the whole answer.
func nodeStatus(ctx context.Context, r *Request) (any, error) {
	st, err := r.Svc.NodeStat.Status(ctx)
	if err != nil {
		return nil, err
	}
	st.PVEVersion = PVEManagerVersion()
	if len(st.Missing) == 0 {
		return st, nil
	}
	r.Svc.Logger.Warn("node statistics unavailable", "missing", st.Missing)
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, k := range st.Missing {
		delete(m, k)
	}
	return m, nil
}

// nodePower answers at once and reboots or powers off a little later, so
// the answer reaches the client first (Proxmox does the same).
func nodePower(_ context.Context, r *Request) (any, error) {
	argv := []string{"reboot"}
	if r.Params.String("command") == "shutdown" {
		argv = []string{"poweroff"}
	}
	svc := r.Svc
	svc.Logger.Warn("node power command", "command", argv[0], "user", r.Identity.AuthID())
	go func() {
		time.Sleep(svc.PowerDelay)
		if _, err := svc.Runner.Run(context.Background(), host.Cmd{Argv: argv, Timeout: time.Minute}); err != nil {
			svc.Logger.Error("node power command failed", "err", fmt.Sprint(err))
		}
	}()
	return nil, nil
}

func nodeStatusReturns() *schema.Schema {
	bytes := func(d string) *schema.Schema { return schema.Int(d) }
	return schema.Obj(schema.Props{
		"boot-info": schema.Obj(schema.Props{
			"mode":       schema.Str("Through which firmware the system got booted.").OneOf("efi", "legacy-bios"),
			"secureboot": schema.Bool("System is booted in secure mode (efi only).").Opt(),
		}),
		"cpu": schema.Num("The current cpu usage."),
		"cpuinfo": schema.Obj(schema.Props{
			"cores":   schema.Int("The number of physical cores of the CPU."),
			"cpus":    schema.Int("The number of logical threads of the CPU."),
			"model":   schema.Str("The CPU model"),
			"sockets": schema.Int("The number of CPU sockets."),
		}).AllowMore(),
		"current-kernel": schema.Obj(schema.Props{
			"machine": schema.Str("Hardware (architecture) type"),
			"release": schema.Str("OS kernel release"),
			"sysname": schema.Str("OS kernel name"),
			"version": schema.Str("OS kernel version with build info"),
		}),
		"loadavg": schema.Arr(schema.Str("")),
		"memory": schema.Obj(schema.Props{
			"available": bytes("The available memory in bytes."),
			"free":      bytes("The free memory in bytes."),
			"total":     bytes("The total memory in bytes."),
			"used":      bytes("The used memory in bytes."),
		}),
		"pveversion": schema.Str("The PVE version string."),
		"rootfs": schema.Obj(schema.Props{
			"avail": bytes("The available bytes in the root filesystem."),
			"free":  bytes("The free bytes on the root filesystem."),
			"total": bytes("The total size of the root filesystem in bytes."),
			"used":  bytes("The used bytes in the root filesystem."),
		}),
	}).AllowMore()
}
