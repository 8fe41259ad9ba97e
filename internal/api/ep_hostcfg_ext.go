package api

import (
	"context"

	"hostadm/internal/hostcfg"
	"hostadm/internal/hostcfg/chronyconf"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// hostExtEndpoints are hostadm's extensions: Proxmox VE has no API for NTP
// servers, KSM or sysctl settings (its documentation has admins edit files).
func hostExtEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/ntp", Name: "ntp",
			Description: "hostadm extension: read the NTP time sources of the daemon in use (chrony: " +
				"chrony.conf and hostadm's /etc/chrony/sources.d/hostadm.sources; systemd-timesyncd: NTP= of " +
				"/etc/systemd/timesyncd.conf). 'file' is where a PUT writes.",
			Perm: auditPerm(), ProxyTo: "node",
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"daemon":  schema.Str("The NTP daemon in use.").OneOf(hostcfg.Chrony, hostcfg.Timesyncd),
				"file":    schema.Str("The file hostadm writes the sources to."),
				"sources": schema.Arr(schema.Obj(nil).AllowMore()),
			}),
			Handler: hostRead((*hostcfg.Service).NTP),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/ntp", Name: "set_ntp",
			Description: "hostadm extension: set the NTP servers and pools of the daemon in use and restart " +
				"it as a task (srvrestart). chrony: written to /etc/chrony/sources.d/hostadm.sources when " +
				"chrony.conf includes that directory (sources in chrony.conf itself stay active), else the " +
				"server/pool lines of chrony.conf are replaced; checked with 'chronyd -p -f' first. " +
				"systemd-timesyncd: servers and pools become NTP=. Returns the restart task's UPID, or " +
				"null with restart=0.",
			Perm: modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"servers": schema.Str("NTP servers (host names or IP addresses).").Fmt("address-list").Opt(),
				"pools":   schema.Str("NTP pools (host names).").Fmt("address-list").Opt(),
				"iburst":  schema.Bool("Add 'iburst' to each source (chrony).").Def(1),
				"restart": schema.Bool("Restart the daemon afterwards.").Def(1),
			}),
			Returns: schema.Str("The restart task's UPID.").Opt(),
			Handler: withHost(setNTP),
		},
		{
			Method: "GET", Path: "/nodes/{node}/ntp/status", Name: "ntp_status",
			Description: "hostadm extension: time synchronisation status: the source in use, stratum, " +
				"offset (seconds) and per source reachability, from 'chronyc -c sources/tracking' or " +
				"'timedatectl timesync-status'.",
			Perm: auditPerm(), ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: hostRead((*hostcfg.Service).NTPStatus),
		},
		ksmGet(), ksmSet(), sysctlGet(), sysctlSet(),
	}
}

func setNTP(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
	var opts []string
	if r.Params.Bool("iburst") {
		opts = []string{"iburst"}
	}
	var src []chronyconf.Source
	for _, kind := range []struct{ param, typ string }{{"servers", "server"}, {"pools", "pool"}} {
		for _, a := range r.Params.List(kind.param) {
			src = append(src, chronyconf.Source{Type: kind.typ, Address: a, Options: opts})
		}
	}
	if len(src) == 0 {
		return nil, schema.ParamError{"servers": "at least one server or pool is required"}
	}
	daemon, err := s.SetNTP(ctx, src)
	if err != nil {
		return nil, err
	}
	if !r.Params.Bool("restart") {
		return nil, nil
	}
	return startTask(ctx, r, "srvrestart", daemon, func(ctx context.Context, l *tasks.Log) error {
		return s.ServiceCommand(ctx, daemon, "restart", l)
	})
}

const ksmWarning = "KSM merges identical memory pages of guests. Security: merged pages open side " +
	"channels between guests (e.g. page-deduplication timing attacks), which is why hosting providers " +
	"with untrusted tenants disable it; disabling it unmerges all pages and needs enough free RAM."

func ksmGet() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/ksm", Name: "ksm",
		Description: "hostadm extension: KSM state from /sys/kernel/mm/ksm (run, pages_sharing, " +
			"pages_shared, full_scans, merged_bytes) and ksmtuned's unit state. " + ksmWarning,
		Perm: auditPerm(), ProxyTo: "node",
		Params:  nodeParams(nil),
		Returns: schema.Obj(nil).AllowMore(),
		Handler: hostRead((*hostcfg.Service).KSM),
	}
}

func ksmSet() *Endpoint {
	return &Endpoint{
		Method: "PUT", Path: "/nodes/{node}/ksm", Name: "set_ksm",
		Description: "hostadm extension: enable or disable KSM as a task (ksmenable/ksmdisable). Disable " +
			"stops and disables ksmtuned and writes 2 to /sys/kernel/mm/ksm/run (unmerge); enable " +
			"enables and starts ksmtuned (or writes 1 where it is not installed). " + ksmWarning,
		Perm: modifyPerm(), ProxyTo: "node", Protected: true,
		Params:  nodeParams(schema.Props{"enable": schema.Bool("Enable (1) or disable (0) KSM.")}),
		Returns: schema.Str("The task's UPID."),
		Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
			enable, typ := r.Params.Bool("enable"), "ksmdisable"
			if enable {
				typ = "ksmenable"
			}
			return startTask(ctx, r, typ, "", func(ctx context.Context, l *tasks.Log) error {
				return s.SetKSM(ctx, enable, l)
			})
		}),
	}
}

func sysctlGet() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/sysctl", Name: "sysctl",
		Description: "hostadm extension: live vm.swappiness and IPv6 state (from /proc/sys) and what " +
			"hostadm's snippet " + hostcfg.SysctlSnippet + " persists, with its digest.",
		Perm: auditPerm(), ProxyTo: "node",
		Params:  nodeParams(nil),
		Returns: schema.Obj(nil).AllowMore(),
		Handler: hostRead((*hostcfg.Service).Sysctl),
	}
}

func sysctlSet() *Endpoint {
	return &Endpoint{
		Method: "PUT", Path: "/nodes/{node}/sysctl", Name: "set_sysctl",
		Description: "hostadm extension: persist vm.swappiness and/or IPv6 on/off " +
			"(net.ipv6.conf.{all,default}.disable_ipv6) in " + hostcfg.SysctlSnippet + " (other sysctl " +
			"files untouched) and apply it with 'sysctl -p FILE'; a failed apply restores the old snippet.",
		Perm: modifyPerm(), ProxyTo: "node", Protected: true,
		Params: nodeParams(schema.Props{
			"swappiness": schema.Int("vm.swappiness (0-200).").Min(0).Max(200).Opt(),
			"ipv6":       schema.Bool("Enable (1) or disable (0) IPv6.").Opt(),
			"digest":     nodeConfigDigest(),
		}),
		Returns: nullReturn(),
		Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
			ch := hostcfg.SysctlChange{Digest: r.Params.String("digest")}
			if r.Params.Has("swappiness") {
				v := int(r.Params.Int("swappiness"))
				ch.Swappiness = &v
			}
			if r.Params.Has("ipv6") {
				v := r.Params.Bool("ipv6")
				ch.IPv6 = &v
			}
			if ch.Swappiness == nil && ch.IPv6 == nil {
				return nil, schema.ParamError{"swappiness": "nothing to set (swappiness or ipv6)"}
			}
			return nil, s.SetSysctl(ctx, ch)
		}),
	}
}
