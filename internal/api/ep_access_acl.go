package api

import (
	"context"
	"errors"
	"sort"
	"strings"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
	"hostadm/internal/schema"
)

func aclEndpoints() []*Endpoint {
	return []*Endpoint{
		{Method: "GET", Path: "/access/acl", Name: "read_acl", Description: "Get Access Control List (ACLs).",
			Perm:   Perm{All: true, Description: "The returned list is restricted to objects where you have rights to modify permissions."},
			Params: schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"path":      schema.Str("Access control path"),
				"propagate": schema.Bool("Allow to propagate (inherit) permissions.").Opt(),
				"roleid":    schema.Str(""),
				"type":      schema.Str("").OneOf("user", "group", "token"),
				"ugid":      schema.Str(""),
			})),
			Handler: readACL},
		{Method: "PUT", Path: "/access/acl", Name: "update_acl", Description: "Update Access Control List (add or remove permissions).",
			Perm: Perm{Check: Privs("{path}", "Permissions.Modify")}, Protected: true,
			Params: schema.Obj(schema.Props{
				"path":      schema.Str("Access control path"),
				"roles":     schema.Str("List of roles.").Fmt("pve-roleid-list"),
				"users":     schema.Str("List of users.").Fmt("pve-userid-list").Opt(),
				"groups":    schema.Str("List of groups.").Fmt("pve-groupid-list").Opt(),
				"tokens":    schema.Str("List of API tokens.").Fmt("pve-tokenid-list").Opt(),
				"propagate": schema.Bool("Allow to propagate (inherit) permissions.").Def(1),
				"delete":    schema.Bool("Remove permissions (instead of adding it).").Opt(),
				"digest":    schema.Str("Prevent changes if current configuration file has a different digest. This can be used to prevent concurrent modifications.").MaxLen(64).Opt(),
			}),
			Returns: schema.Null(), Handler: updateACL},
		{Method: "GET", Path: "/access/roles", Name: "index", Description: "Role index.",
			Perm:   Perm{All: true},
			Params: schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"roleid":  schema.Str(""),
				"privs":   schema.Str("").Fmt("pve-priv-list").Opt(),
				"special": schema.Bool("").Opt(),
			})),
			Handler: listRoles},
		{Method: "GET", Path: "/access/roles/{roleid}", Name: "read_role", Description: "Get role configuration.",
			Perm:    Perm{All: true},
			Params:  schema.Obj(schema.Props{"roleid": schema.Str("").Fmt("pve-roleid")}),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: readRole},
	}
}

func readACL(ctx context.Context, r *Request) (any, error) {
	entries, err := r.Svc.Auth.ACL(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		if !r.Identity.IsRoot() {
			ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), e.Path, []string{"Permissions.Modify", "Sys.Audit"}, true)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, map[string]any{"path": e.Path, "type": e.Type, "ugid": e.UGID,
			"roleid": e.RoleID, "propagate": e.Propagate})
	}
	return out, nil
}

func updateACL(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	if !p.Has("users") && !p.Has("groups") && !p.Has("tokens") {
		return nil, schema.ParamError{"users": "either 'users', 'groups' or 'tokens' is required"}
	}
	if digest := p.String("digest"); digest != "" {
		cur, err := r.Svc.Store.Get(ctx, "user.cfg")
		if err != nil && !errors.Is(err, cfs.ErrNotFound) {
			return nil, err
		}
		if err := host.CheckDigest(host.Digest(cur.Data), digest); err != nil {
			return nil, err
		}
	}
	err := r.Svc.Auth.ModifyACL(ctx, r.Identity.auth(), p.String("path"), p.List("roles"), p.List("users"),
		p.List("groups"), p.List("tokens"), p.Bool("propagate"), p.Bool("delete"))
	return nil, authError(err)
}

func listRoles(ctx context.Context, r *Request) (any, error) {
	roles, err := r.Svc.Auth.Roles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		privs := append([]string(nil), ro.Privs...)
		sort.Strings(privs)
		out = append(out, map[string]any{"roleid": ro.RoleID, "privs": strings.Join(privs, ","), "special": ro.Special})
	}
	return out, nil
}

func readRole(ctx context.Context, r *Request) (any, error) {
	roles, err := r.Svc.Auth.Roles(ctx)
	if err != nil {
		return nil, err
	}
	for _, ro := range roles {
		if ro.RoleID == r.Params.String("roleid") {
			m := map[string]int{}
			for _, p := range ro.Privs {
				m[p] = 1
			}
			return m, nil
		}
	}
	return nil, authError(errNoRole(r.Params.String("roleid")))
}
