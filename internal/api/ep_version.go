package api

import (
	"context"
	"runtime/debug"
	"sync"

	"hostadm/internal/schema"
)

// The Proxmox VE release whose API hostadm implements. Clients gate
// features on `release`, so it names the API level, not hostadm's own
// version (reported beside it as `hostadm`).
const (
	PVERelease = "9.1"
	PVEVersion = "9.1.1"
)

// HostadmVersion is hostadm's own version, set at build time with -ldflags.
var HostadmVersion = "0.1.0"

// repoID is the short git revision of this build (16 hex digits), or a fixed
// placeholder for builds outside git; the API requires 8 to 64 hex digits.
var repoID = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 16 {
				return s.Value[:16]
			}
		}
	}
	return "0000000000000000"
})

// PVEManagerVersion is node status's `pveversion`.
func PVEManagerVersion() string {
	return "pve-manager/" + PVEVersion + "/" + repoID()
}

func versionInfo() map[string]any {
	return map[string]any{
		"version": PVEVersion,
		"release": PVERelease,
		"repoid":  repoID(),
		"hostadm": HostadmVersion,
	}
}

func versionReturns() *schema.Schema {
	return schema.Obj(schema.Props{
		"version": schema.Str("The full pve-manager package version of this node."),
		"release": schema.Str("The current Proxmox VE point release in `x.y` format."),
		"repoid":  schema.Str("The short git revision from which this version was built.").Pat(`[0-9a-fA-F]{8,64}`),
		"console": schema.Str("The default console viewer to use.").OneOf("applet", "vv", "html5", "xtermjs").Opt(),
		"hostadm": schema.Str("hostadm's own version (hostadm extension).").Opt(),
	})
}

func versionEndpoints() []*Endpoint {
	get := func(context.Context, *Request) (any, error) { return versionInfo(), nil }
	return []*Endpoint{
		{
			Method: "GET", Path: "/version", Name: "version",
			Description: "API version details.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     versionReturns(),
			Handler:     get,
			NoServices:  true,
		},
		{
			Method: "GET", Path: "/nodes/{node}/version", Name: "version",
			Description: "API version details of a node.",
			Perm:        Perm{All: true},
			ProxyTo:     "node",
			Params:      nodeParams(nil),
			Returns:     versionReturns(),
			Handler:     get,
		},
	}
}
