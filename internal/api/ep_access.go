package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hostadm/internal/access"
	"hostadm/internal/schema"
)

func accessEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/access", Name: "index",
			Description: "Directory index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler:     subdirIndex,
		},
		{
			Method: "GET", Path: "/access/ticket", Name: "get_ticket",
			Description: "Dummy. Useful for formatters which want to provide a login page.",
			Perm:        Perm{World: true},
			Params:      schema.Obj(nil),
			Returns:     schema.Null(),
			Handler:     func(context.Context, *Request) (any, error) { return nil, nil },
		},
		{
			Method: "POST", Path: "/access/ticket", Name: "create_ticket",
			Description: "Create or verify authentication ticket.",
			Perm:        Perm{World: true, Description: "You need to pass valid credentials."},
			Protected:   true, NoToken: true,
			Params: schema.Obj(schema.Props{
				"new-format":    schema.Bool("This parameter is now ignored and assumed to be 1.").Def(1),
				"otp":           schema.Str("One-time password for Two-factor authentication.").Opt(),
				"password":      schema.Str("The secret password. This can also be a valid ticket."),
				"path":          schema.Str("Verify ticket, and check if user have access 'privs' on 'path'").MaxLen(64).Req("privs").Opt(),
				"privs":         schema.Str("Verify ticket, and check if user have access 'privs' on 'path'").Fmt("pve-priv-list").MaxLen(64).Req("path").Opt(),
				"realm":         schema.Str("You can optionally pass the realm using this parameter.").Fmt("pve-realm").MaxLen(32).Opt(),
				"tfa-challenge": schema.Str("The signed TFA challenge string the user wants to respond to.").Opt(),
				"username":      schema.Str("User name").MaxLen(64),
			}),
			Returns: schema.Obj(schema.Props{
				"CSRFPreventionToken": schema.Str("").Opt(),
				"clustername":         schema.Str("").Opt(),
				"ticket":              schema.Str("").Opt(),
				"username":            schema.Str(""),
			}).AllowMore(),
			Handler: createTicket,
		},
		{
			Method: "GET", Path: "/access/domains", Name: "index",
			Description: "Authentication domain index.",
			Perm:        Perm{World: true, Description: "Anyone can access that, because we need that list for the login box (before the user is authenticated)."},
			Params:      schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"realm":   schema.Str(""),
				"type":    schema.Str(""),
				"comment": schema.Str("A comment. The GUI use this text when you select a domain (Realm) on the login window.").Opt(),
				"tfa":     schema.Str("Two-factor authentication provider.").OneOf("yubico", "oath").Opt(),
			}).AllowMore()),
			Handler: listDomains,
		},
		{
			Method: "GET", Path: "/access/permissions", Name: "permissions",
			Description: "Retrieve effective permissions of given user/token.",
			Perm:        Perm{All: true, Description: "Each user/token is allowed to dump their own permissions (or that of owned tokens). A user can dump the permissions of another user or their tokens if they have 'Sys.Audit' permission on /access."},
			Params: schema.Obj(schema.Props{
				"path":   schema.Str("Only dump this specific path, not the whole tree.").Opt(),
				"userid": schema.Str("User ID or full API token ID").Pat(`[^\s:/]+@[A-Za-z][A-Za-z0-9\.\-_]+(?:![A-Za-z][A-Za-z0-9\.\-_]+)?`).Opt(),
			}),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: permissions,
		},
		{
			Method: "PUT", Path: "/access/password", Name: "change_password",
			Description: "Change user password.",
			Perm:        Perm{All: true, Description: "Each user is allowed to change their own password. A user can change the password of another user if they have 'Realm.AllocateUser' (on the realm of user <userid>) and 'User.Modify' permission on /access/groups/<group> on a group where user <userid> is member of. For the PAM realm, a password change does not take effect cluster-wide, but only applies to the local node."},
			Protected:   true, NoToken: true,
			Params: schema.Obj(schema.Props{
				"userid":                schema.Str("Full User ID, in the `name@realm` format.").Fmt("pve-userid").MaxLen(64),
				"password":              schema.Str("The new password.").MinLen(8).MaxLen(64),
				"confirmation-password": schema.Str("The current password of the user performing the change.").MaxLen(64).Opt(),
			}),
			Returns: schema.Null(),
			Handler: changePassword,
		},
	}
}

func createTicket(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	svc := r.Svc.Auth
	if !svc.LoginAllowed(r.Remote) {
		return nil, Unauthorized("authentication failure")
	}
	username := p.String("username")
	if p.Has("path") {
		user, err := svc.VerifyTicket(p.String("password"))
		if err != nil || !sameUser(user, username, p.String("realm")) {
			return nil, Unauthorized("authentication failure")
		}
		ok, err := svc.HasPrivs(ctx, access.Identity{User: user}, p.String("path"), schema.SplitList(p.String("privs")), false)
		if err != nil || !ok {
			return nil, Unauthorized("authentication failure")
		}
		return map[string]any{"username": user}, nil
	}
	user, err := svc.Login(ctx, username, p.String("realm"), p.String("password"), r.Remote)
	if err != nil {
		r.Svc.Logger.Warn("authentication failure", "user", username, "remote", r.Remote)
		return nil, Unauthorized("authentication failure")
	}
	capMap, err := svc.Cap(ctx, access.Identity{User: user})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"username":            user,
		"ticket":              svc.CreateTicket(user),
		"CSRFPreventionToken": svc.CSRFToken(user),
		"cap":                 capMap,
	}, nil
}

func sameUser(user, username, realm string) bool {
	if !strings.Contains(username, "@") && realm != "" {
		username += "@" + realm
	}
	return user == username
}

func listDomains(ctx context.Context, r *Request) (any, error) {
	ds, err := r.Svc.Auth.Domains(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		m := map[string]any{"realm": d.Realm, "type": d.Type, "comment": d.Comment}
		if d.Default != 0 {
			m["default"] = 1
		}
		out = append(out, m)
	}
	return out, nil
}

func permissions(ctx context.Context, r *Request) (any, error) {
	target := r.Identity.auth()
	if r.Params.Has("userid") {
		user, tok, _ := strings.Cut(r.Params.String("userid"), "!")
		target = access.Identity{User: user, TokenID: tok}
		own := user == r.Identity.User && (r.Identity.TokenID == "" || r.Identity.TokenID == tok)
		if !own && !r.Identity.IsRoot() {
			ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/access", []string{"Sys.Audit"}, false)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, Forbidden("Permission check failed (/access, Sys.Audit)")
			}
		}
	}
	return r.Svc.Auth.Permissions(ctx, target, r.Params.String("path"))
}

func changePassword(ctx context.Context, r *Request) (any, error) {
	userid := r.Params.String("userid")
	if !r.Identity.IsRoot() {
		if err := reauthenticate(ctx, r); err != nil {
			return nil, err
		}
	}
	if userid != r.Identity.User && !r.Identity.IsRoot() {
		_, realm, err := access.SplitUserID(userid)
		if err != nil {
			return nil, authError(err)
		}
		for _, need := range [][2]string{{"/access/realm/" + realm, "Realm.AllocateUser"}, {"/access/groups", "User.Modify"}} {
			ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), need[0], []string{need[1]}, false)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, Forbidden(fmt.Sprintf("Permission check failed (%s, %s)", need[0], need[1]))
			}
		}
	}
	if err := r.Svc.Auth.SetPassword(ctx, r.Identity.auth(), userid, r.Params.String("password")); err != nil {
		return nil, authError(err)
	}
	return nil, nil
}

// reauthenticate checks the caller's own password (confirmation-password)
// before a password change, as Proxmox does for everyone but root@pam: a
// stolen ticket alone cannot take over an account.
func reauthenticate(ctx context.Context, r *Request) error {
	confirm := r.Params.String("confirmation-password")
	if confirm == "" || strings.HasPrefix(confirm, "PVE:") { // a ticket is no password
		return schema.Fail("confirmation-password", "confirmation password required")
	}
	if _, err := r.Svc.Auth.Login(ctx, r.Identity.User, "", confirm, r.Remote); err != nil {
		return schema.Fail("confirmation-password", "confirmation password is wrong")
	}
	return nil
}

// authError turns the auth service's sentinel errors into Proxmox's
// answers: most are 500s with the message, invalid values are 400s.
func authError(err error) error {
	switch {
	case errors.Is(err, access.ErrInvalid):
		return BadRequest(err.Error())
	case errors.Is(err, access.ErrForbidden):
		return Forbidden(err.Error())
	case errors.Is(err, access.ErrNotSupported):
		return fmt.Errorf("%w", err)
	}
	return err
}
