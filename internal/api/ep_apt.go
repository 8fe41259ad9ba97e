package api

import (
	"context"

	"hostadm/internal/apt"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// aptEndpoints declares the package repository and update endpoints
// (API.md §2.5) and hostadm's upgrade task.
func aptEndpoints() []*Endpoint {
	modify, audit := modifyPerm(), auditPerm()
	digest := schema.Str("Digest to detect modifications.").MaxLen(80).Opt()
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/apt", Name: "index",
			Description: "Directory index for apt (Advanced Package Tool).",
			Perm:        Perm{All: true},
			Params:      nodeParams(nil),
			Returns:     schema.Arr(schema.Obj(schema.Props{"id": schema.Str("")}).AllowMore()),
			Handler: func(context.Context, *Request) (any, error) {
				return []map[string]string{{"id": "changelog"}, {"id": "repositories"}, {"id": "update"}, {"id": "versions"}}, nil
			},
		},
		{
			Method: "GET", Path: "/nodes/{node}/apt/update", Name: "list_updates",
			Description: "List available updates.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return svc.Updates(ctx)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/apt/update", Name: "update_database",
			Description: "This is used to resynchronize the package index files from their sources (apt-get update).",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"notify": schema.Bool("Send notification about new packages.").Def(false),
				"quiet":  schema.Bool("Only produces output suitable for logging, omitting progress indicators.").Def(false),
			}),
			Returns: schema.Str(""),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				o := apt.UpdateOptions{Notify: r.Params.Bool("notify"), Quiet: r.Params.Bool("quiet")}
				return startTask(ctx, r, "aptupdate", "", func(ctx context.Context, l *tasks.Log) error {
					return svc.UpdateDatabase(ctx, l, o)
				})
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/apt/changelog", Name: "changelog",
			Description: "Get package changelogs.",
			Perm:        modify, ProxyTo: "node",
			Params: nodeParams(schema.Props{
				"name":    schema.Str("Package name.").Pat(`([a-z0-9][-+.a-z0-9:]+)`),
				"version": schema.Str("Package version.").Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return svc.Changelog(ctx, r.Params.String("name"), r.Params.String("version"))
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/apt/repositories", Name: "repositories",
			Description: "Get APT repository information. hostadm adds 'hostadm-warnings' (the web UI's repository warnings, each with its fix) and 'hostadm-keyring' (the archive keyring checked against its published checksum).",
			Perm:        audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return svc.Repositories()
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/apt/repositories", Name: "change_repository",
			Description: "Change the properties of a repository. Currently only allows enabling/disabling.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"digest":  digest,
				"enabled": schema.Bool("Whether the repository should be enabled or not.").Opt(),
				"index":   schema.Int("Index within the file (starting from 0)."),
				"path":    schema.Str("Path to the containing file."),
			}),
			Returns: schema.Null(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				var enabled *bool
				if r.Params.Has("enabled") {
					v := r.Params.Bool("enabled")
					enabled = &v
				}
				return nil, svc.SetEnabled(ctx, r.Params.String("path"), int(r.Params.Int("index")), enabled, r.Params.String("digest"))
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/apt/repositories", Name: "add_repository",
			Description: "Add a standard repository to the configuration",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"digest": digest,
				"handle": schema.Str("Handle that identifies a repository."),
			}),
			Returns: schema.Null(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return nil, svc.AddStandard(ctx, r.Params.String("handle"), r.Params.String("digest"))
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/apt/versions", Name: "versions",
			Description: "Get package information for important Proxmox packages.",
			Perm:        audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return svc.Versions(ctx)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/apt/upgrade", Name: "upgrade",
			Description: "hostadm extension: run a non-interactive 'apt-get dist-upgrade' as a task (noninteractive frontend, existing configuration files kept); the log ends with whether a reboot is needed.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Str(""),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return startTask(ctx, r, "aptupgrade", "", func(ctx context.Context, l *tasks.Log) error {
					return svc.Upgrade(ctx, l)
				})
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/hardware/cpu-security", Name: "cpu_security",
			Description: "hostadm extension: CPU security status. Returns 'cpu' (vendor, model, running microcode revision from /proc/cpuinfo, and 'mixed-microcode' when cores differ), 'vulnerabilities' (each entry of /sys/devices/system/cpu/vulnerabilities with its state: vulnerable, mitigated, not affected or unknown, and the kernel's text), 'vulnerable' (their count), 'microcode-package' (intel-microcode or amd64-microcode: installed 1/0 and version), 'firmware-component' (non-free-firmware, or non-free before bookworm: enabled 1/0 in an entry of the Debian archive) and 'microcode-updated-early' (1 when the kernel log reports an early microcode update; 'kernel-log' is that line), 'dis-ucode-ldr' (1 when the running kernel was booted with dis_ucode_ldr) and, after an early update, 'microcode-early-hint': how to add dis_ucode_ldr through PUT /nodes/{node}/boot/cmdline.",
			Perm:        audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return svc.CPUSecurity(ctx)
			}),
		},
	}
}

// withApt hands the apt service to a handler, or fails when the
// deployment has none.
func withApt(fn func(context.Context, *Request, *apt.Service) (any, error)) Handler {
	return with("package management", func(s *Services) *apt.Service { return s.Apt }, fn)
}
