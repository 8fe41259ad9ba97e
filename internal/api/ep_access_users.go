package api

import (
	"context"
	"strings"

	"hostadm/internal/access"
	"hostadm/internal/schema"
)

func userIDParam() *schema.Schema {
	return schema.Str("Full User ID, in the `name@realm` format.").Fmt("pve-userid").MaxLen(64)
}

func tokenIDParam() *schema.Schema {
	return schema.Str("User-specific token identifier.").Pat(`[A-Za-z][A-Za-z0-9\.\-_]+`)
}

// userFields are the settable properties of a user.
func userFields() schema.Props {
	return schema.Props{
		"comment":   schema.Str("").MaxLen(2048).Opt(),
		"email":     schema.Str("").Fmt("email-opt").MaxLen(254).Opt(),
		"enable":    schema.Bool("Enable the account (default). You can set this to '0' to disable the account").Def(1),
		"expire":    schema.Int("Account expiration date (seconds since epoch). '0' means no expiration date.").Min(0).Opt(),
		"firstname": schema.Str("").Opt(),
		"lastname":  schema.Str("").Opt(),
		"groups":    schema.Str("").Fmt("pve-groupid-list").Opt(),
		"keys":      schema.Str("Keys for two factor auth (yubico).").Pat(`[0-9a-zA-Z!=]{0,4096}`).Opt(),
	}
}

func tokenInfo() *schema.Schema {
	return schema.Obj(schema.Props{
		"comment": schema.Str("").Opt(),
		"expire":  schema.Int("API token expiration date (seconds since epoch). '0' means no expiration date.").Opt(),
		"privsep": schema.Bool("Restrict API token privileges with separate ACLs (default), or give full privileges of corresponding user.").Opt(),
	})
}

var userAdmin = AnyPriv("/access/groups", "User.Modify")

// tokenAdmin is Proxmox's check on the token endpoints: the user itself,
// or User.Modify on /access/users/{userid}. The access service refuses
// more on top (root@pam's tokens, tokens for more privileged users).
var tokenAdmin = Or(Self("userid"), Privs("/access/users/{userid}", "User.Modify"))

func userEndpoints() []*Endpoint {
	withID := func(p schema.Props) *schema.Schema {
		p["userid"] = userIDParam()
		return schema.Obj(p)
	}
	withToken := func(p schema.Props) *schema.Schema {
		p["userid"] = userIDParam()
		p["tokenid"] = tokenIDParam()
		return schema.Obj(p)
	}
	createUser := userFields()
	createUser["userid"] = userIDParam()
	createUser["password"] = schema.Str("Initial password.").MinLen(8).MaxLen(64).Opt()
	updateUser := userFields()
	updateUser["enable"] = schema.Bool("Enable the account. You can set this to '0' to disable the account").Opt()
	updateUser["append"] = schema.Bool("").Req("groups").Opt()
	tokenParams := schema.Props{
		"comment": schema.Str("").Opt(),
		"expire":  schema.Int("API token expiration date (seconds since epoch). '0' means no expiration date.").Min(0).Opt(),
		"privsep": schema.Bool("Restrict API token privileges with separate ACLs (default), or give full privileges of corresponding user.").Def(1),
	}
	return []*Endpoint{
		{Method: "GET", Path: "/access/users", Name: "index", Description: "User index.",
			Perm: Perm{All: true, Description: "The returned list is restricted to users where you have 'User.Modify' or 'Sys.Audit' permissions on '/access/groups' or on a group the user belongs too. But it always includes the current (authenticated) user."},
			Params: schema.Obj(schema.Props{
				"enabled": schema.Bool("Optional filter for enable property.").Opt(),
				"full":    schema.Bool("Include group and token information.").Def(0),
			}),
			Returns: schema.Arr(userReturn()), Handler: listUsers},
		{Method: "POST", Path: "/access/users", Name: "create_user", Description: "Create new user.",
			Perm: Perm{Check: And(RealmPriv("userid", "Realm.AllocateUser"), Privs("/access/groups", "User.Modify"))}, Protected: true,
			Params: schema.Obj(createUser), Returns: schema.Null(), Handler: createUserH},
		{Method: "GET", Path: "/access/users/{userid}", Name: "read_user", Description: "Get user configuration.",
			Perm:   Perm{Check: Or(Self("userid"), AnyPriv("/access/groups", "User.Modify", "Sys.Audit"))},
			Params: withID(schema.Props{}), Returns: userReturn(), Handler: readUser},
		{Method: "PUT", Path: "/access/users/{userid}", Name: "update_user", Description: "Update user configuration.",
			Perm: Perm{Check: userAdmin}, Protected: true,
			Params: withID(updateUser), Returns: schema.Null(), Handler: updateUserH},
		{Method: "DELETE", Path: "/access/users/{userid}", Name: "delete_user", Description: "Delete user.",
			Perm: Perm{Check: And(RealmPriv("userid", "Realm.AllocateUser"), Privs("/access/groups", "User.Modify"))}, Protected: true,
			Params: withID(schema.Props{}), Returns: schema.Null(), Handler: deleteUser},
		{Method: "GET", Path: "/access/users/{userid}/token", Name: "token_index", Description: "Get user API tokens.",
			Perm:    Perm{Check: tokenAdmin},
			Params:  withID(schema.Props{}),
			Returns: schema.Arr(tokenInfo().With(schema.Props{"tokenid": tokenIDParam()})),
			Handler: listTokens},
		{Method: "GET", Path: "/access/users/{userid}/token/{tokenid}", Name: "read_token", Description: "Get specific API token information.",
			Perm:   Perm{Check: tokenAdmin},
			Params: withToken(schema.Props{}), Returns: tokenInfo(), Handler: readToken},
		{Method: "POST", Path: "/access/users/{userid}/token/{tokenid}", Name: "generate_token", Description: "Generate a new API token for a specific user. NOTE: returns API token value, which needs to be stored as it cannot be retrieved afterwards!",
			Perm: Perm{Check: tokenAdmin}, Protected: true,
			Params: withToken(tokenParams),
			Returns: schema.Obj(schema.Props{
				"full-tokenid": schema.Str("The full token id."),
				"info":         tokenInfo(),
				"value":        schema.Str("API token value used for authentication."),
			}),
			Handler: generateToken},
		{Method: "PUT", Path: "/access/users/{userid}/token/{tokenid}", Name: "update_token_info", Description: "Update API token for a specific user.",
			Perm: Perm{Check: tokenAdmin}, Protected: true,
			Params: withToken(schema.Props{
				"comment": schema.Str("").Opt(),
				"expire":  schema.Int("API token expiration date (seconds since epoch). '0' means no expiration date.").Min(0).Opt(),
				"privsep": schema.Bool("Restrict API token privileges with separate ACLs, or give full privileges of corresponding user.").Opt(),
			}),
			Returns: tokenInfo(), Handler: updateToken},
		{Method: "DELETE", Path: "/access/users/{userid}/token/{tokenid}", Name: "remove_token", Description: "Remove API token for a specific user.",
			Perm: Perm{Check: tokenAdmin}, Protected: true,
			Params: withToken(schema.Props{}), Returns: schema.Null(), Handler: removeToken},
	}
}

func userReturn() *schema.Schema {
	return schema.Obj(schema.Props{
		"userid":     userIDParam(),
		"comment":    schema.Str("").Opt(),
		"email":      schema.Str("").Opt(),
		"enable":     schema.Bool("").Opt(),
		"expire":     schema.Int("").Opt(),
		"firstname":  schema.Str("").Opt(),
		"lastname":   schema.Str("").Opt(),
		"groups":     schema.Str("").Opt(),
		"keys":       schema.Str("").Opt(),
		"realm-type": schema.Str("The type of the users realm").Opt(),
		"tokens":     schema.Arr(tokenInfo()).Opt(),
	}).AllowMore()
}

func userMap(u access.User, full bool) map[string]any {
	m := map[string]any{"userid": u.UserID, "enable": u.Enable, "expire": u.Expire}
	for k, v := range map[string]string{"firstname": u.Firstname, "lastname": u.Lastname,
		"email": u.Email, "comment": u.Comment, "keys": u.Keys} {
		if v != "" {
			m[k] = v
		}
	}
	if _, realm, ok := strings.Cut(u.UserID, "@"); ok {
		m["realm-type"] = realm
	}
	if full {
		m["groups"] = strings.Join(u.Groups, ",")
		toks := make([]map[string]any, 0, len(u.Tokens))
		for _, t := range u.Tokens {
			toks = append(toks, tokenMap(t, true))
		}
		m["tokens"] = toks
	}
	return m
}

func tokenMap(t access.Token, withID bool) map[string]any {
	m := map[string]any{"expire": t.Expire, "privsep": t.PrivSep}
	if t.Comment != "" {
		m["comment"] = t.Comment
	}
	if withID {
		m["tokenid"] = t.TokenID
	}
	return m
}

func listUsers(ctx context.Context, r *Request) (any, error) {
	users, err := r.Svc.Auth.Users(ctx)
	if err != nil {
		return nil, err
	}
	all, err := canSeeAll(ctx, r, "/access/groups", "User.Modify")
	if err != nil {
		return nil, err
	}
	if !all {
		if all, err = canSeeAll(ctx, r, "/access/groups", "Sys.Audit"); err != nil {
			return nil, err
		}
	}
	out := make([]map[string]any, 0, len(users))
	for _, u := range users {
		if !all && u.UserID != r.Identity.User {
			continue
		}
		if r.Params.Has("enabled") && (u.Enable != 0) != r.Params.Bool("enabled") {
			continue
		}
		out = append(out, userMap(u, r.Params.Bool("full")))
	}
	return out, nil
}

func createUserH(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	u := access.User{
		UserID: p.String("userid"), Enable: schema.Flag(p.Bool("enable")), Expire: p.Int("expire"),
		Firstname: p.String("firstname"), Lastname: p.String("lastname"), Email: p.String("email"),
		Comment: p.String("comment"), Keys: p.String("keys"), Groups: p.List("groups"),
	}
	return nil, authError(r.Svc.Auth.CreateUser(ctx, u, p.String("password")))
}

func readUser(ctx context.Context, r *Request) (any, error) {
	u, err := r.Svc.Auth.User(ctx, r.Params.String("userid"))
	if err != nil {
		return nil, authError(err)
	}
	m := userMap(u, true)
	m["groups"] = u.Groups
	toks := map[string]any{}
	for _, t := range u.Tokens {
		toks[t.TokenID] = tokenMap(t, false)
	}
	m["tokens"] = toks
	delete(m, "userid")
	return m, nil
}

func updateUserH(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	err := r.Svc.Auth.UpdateUser(ctx, r.Identity.auth(), p.String("userid"), func(u *access.User) error {
		set := map[string]*string{"firstname": &u.Firstname, "lastname": &u.Lastname,
			"email": &u.Email, "comment": &u.Comment, "keys": &u.Keys}
		for k, dst := range set {
			if p.Has(k) {
				*dst = p.String(k)
			}
		}
		if p.Has("enable") {
			u.Enable = schema.Flag(p.Bool("enable"))
		}
		if p.Has("expire") {
			u.Expire = p.Int("expire")
		}
		if p.Has("groups") {
			if p.Bool("append") {
				u.Groups = append(u.Groups, p.List("groups")...)
			} else {
				u.Groups = p.List("groups")
			}
		}
		return nil
	})
	return nil, authError(err)
}

func deleteUser(ctx context.Context, r *Request) (any, error) {
	return nil, authError(r.Svc.Auth.DeleteUser(ctx, r.Identity.auth(), r.Params.String("userid")))
}

func listTokens(ctx context.Context, r *Request) (any, error) {
	u, err := r.Svc.Auth.User(ctx, r.Params.String("userid"))
	if err != nil {
		return nil, authError(err)
	}
	out := make([]map[string]any, 0, len(u.Tokens))
	for _, t := range u.Tokens {
		out = append(out, tokenMap(t, true))
	}
	return out, nil
}

func findToken(ctx context.Context, r *Request) (access.Token, error) {
	u, err := r.Svc.Auth.User(ctx, r.Params.String("userid"))
	if err != nil {
		return access.Token{}, authError(err)
	}
	for _, t := range u.Tokens {
		if t.TokenID == r.Params.String("tokenid") {
			return t, nil
		}
	}
	return access.Token{}, access.ErrNoSuchToken
}

func readToken(ctx context.Context, r *Request) (any, error) {
	t, err := findToken(ctx, r)
	if err != nil {
		return nil, err
	}
	return tokenMap(t, false), nil
}

func generateToken(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	u, err := r.Svc.Auth.User(ctx, p.String("userid"))
	if err != nil {
		return nil, authError(err)
	}
	expire := u.Expire // Proxmox's default: the user's own expiry
	if p.Has("expire") {
		expire = p.Int("expire")
	}
	full, secret, err := r.Svc.Auth.CreateToken(ctx, r.Identity.auth(), p.String("userid"), p.String("tokenid"),
		schema.Flag(p.Bool("privsep")), expire, p.String("comment"))
	if err != nil {
		return nil, authError(err)
	}
	t, err := findToken(ctx, r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"full-tokenid": full, "info": tokenMap(t, false), "value": secret}, nil
}

func updateToken(ctx context.Context, r *Request) (any, error) {
	p := r.Params
	err := r.Svc.Auth.UpdateToken(ctx, r.Identity.auth(), p.String("userid"), p.String("tokenid"), func(t *access.Token) error {
		if p.Has("comment") {
			t.Comment = p.String("comment")
		}
		if p.Has("expire") {
			t.Expire = p.Int("expire")
		}
		if p.Has("privsep") {
			t.PrivSep = schema.Flag(p.Bool("privsep"))
		}
		return nil
	})
	if err != nil {
		return nil, authError(err)
	}
	return readToken(ctx, r)
}

func removeToken(ctx context.Context, r *Request) (any, error) {
	return nil, authError(r.Svc.Auth.DeleteToken(ctx, r.Identity.auth(), r.Params.String("userid"), r.Params.String("tokenid")))
}
