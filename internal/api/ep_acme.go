package api

import (
	"context"

	"hostadm/internal/acme"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// withACME hands the ACME service to fn.
func withACME(fn func(context.Context, *Request, *acme.Service) (any, error)) Handler {
	return with("ACME", func(s *Services) *acme.Service { return s.ACME }, fn)
}

func acmeDirectoryParam() *schema.Schema {
	return schema.Str("URL of ACME CA directory endpoint.").Pat(`^https?://.*`).Def(acme.DirLetsEncrypt)
}

func acmeAccountName() *schema.Schema {
	return schema.Str("ACME account config file name.").Fmt("pve-configid").Def("default")
}

func acmeEndpoints() []*Endpoint {
	eps := []*Endpoint{
		{
			Method: "GET", Path: "/cluster/acme", Name: "index",
			Description: "ACMEAccount index.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "GET", Path: "/cluster/acme/directories", Name: "get_directories",
			Description: "Get named known ACME directory endpoints.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"name": schema.Str(""), "url": schema.Str("URL of ACME CA directory endpoint.").Pat(`^https?://.*`),
			})),
			Handler: func(context.Context, *Request) (any, error) { return acme.Directories(), nil },
		},
		{
			Method: "GET", Path: "/cluster/acme/tos", Name: "get_tos",
			Description: "Retrieve ACME TermsOfService URL from CA. Deprecated, please use /cluster/acme/meta.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(schema.Props{"directory": acmeDirectoryParam()}),
			Returns:     schema.Str("ACME TermsOfService URL.").Opt(),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				meta, err := s.Meta(ctx, r.Params.String("directory"))
				if err != nil {
					return nil, err
				}
				return meta["termsOfService"], nil
			}),
		},
		{
			Method: "GET", Path: "/cluster/acme/meta", Name: "get_meta",
			Description: "Retrieve ACME Directory Meta Information",
			Perm:        rootAuditPerm(),
			Params:      schema.Obj(schema.Props{"directory": acmeDirectoryParam()}),
			Returns: schema.Obj(schema.Props{
				"caaIdentities":           schema.Arr(schema.Str("")).Opt(),
				"externalAccountRequired": schema.Bool("EAB Required").Opt(),
				"termsOfService":          schema.Str("ACME TermsOfService URL.").Opt(),
				"website":                 schema.Str("URL to more information about the ACME server.").Opt(),
			}).AllowMore(),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				return s.Meta(ctx, r.Params.String("directory"))
			}),
		},
		{
			Method: "GET", Path: "/cluster/acme/challenge-schema", Name: "challengeschema",
			Description: "Get schema of ACME challenge types. hostadm lists the DNS APIs it maps to lego's providers.",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"id": schema.Str(""), "name": schema.Str("Human readable name, falls back to id"),
				"schema": schema.Obj(nil).AllowMore(), "type": schema.Str(""),
			})),
			Handler: func(context.Context, *Request) (any, error) { return acme.ChallengeSchemas(), nil },
		},
	}
	eps = append(eps, acmeAccountEndpoints()...)
	eps = append(eps, acmePluginEndpoints()...)
	return append(eps, acmeCertEndpoints()...)
}

func acmeAccountEndpoints() []*Endpoint {
	name := schema.Props{"name": acmeAccountName()}
	return []*Endpoint{
		{
			Method: "GET", Path: "/cluster/acme/account", Name: "account_index",
			Description: "ACMEAccount index.",
			Perm:        Perm{All: true}, Protected: true,
			Params:  schema.Obj(nil),
			Returns: schema.Arr(schema.Obj(nil).AllowMore()),
			Handler: withACME(func(ctx context.Context, _ *Request, s *acme.Service) (any, error) {
				names, err := s.Accounts(ctx)
				if err != nil {
					return nil, err
				}
				out := make([]map[string]string, 0, len(names))
				for _, n := range names {
					out = append(out, map[string]string{"name": n})
				}
				return out, nil
			}),
		},
		{
			Method: "POST", Path: "/cluster/acme/account", Name: "register_account",
			Description: "Register a new ACME account with CA.",
			Perm:        Perm{RootOnly: true}, Protected: true,
			Params: schema.Obj(schema.Props{
				"contact":      schema.Str("Contact email addresses.").Fmt("email-list"),
				"directory":    acmeDirectoryParam(),
				"eab-hmac-key": schema.Str("HMAC key for External Account Binding.").Req("eab-kid").Opt(),
				"eab-kid":      schema.Str("Key Identifier for External Account Binding.").Req("eab-hmac-key").Opt(),
				"name":         acmeAccountName(),
				"tos_url":      schema.Str("URL of CA TermsOfService - setting this indicates agreement.").Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				reg := acme.Registration{Name: paramOr(r, "name", "default"), Directory: paramOr(r, "directory", acme.DirLetsEncrypt),
					TOS: r.Params.String("tos_url"), Contact: schema.SplitList(r.Params.String("contact")),
					EABKid: r.Params.String("eab-kid"), EABHMAC: r.Params.String("eab-hmac-key")}
				if err := s.CheckRegistration(ctx, reg.Name); err != nil {
					return nil, err
				}
				return startTask(ctx, r, "acmeregister", reg.Name, func(ctx context.Context, l *tasks.Log) error {
					return s.Register(ctx, l, reg)
				})
			}),
		},
		{
			Method: "GET", Path: "/cluster/acme/account/{name}", Name: "get_account",
			Description: "Return existing ACME account information.",
			Perm:        Perm{RootOnly: true}, Protected: true,
			Params: schema.Obj(name),
			Returns: schema.Obj(schema.Props{
				"account": schema.Obj(nil).AllowMore().Opt(), "directory": acmeDirectoryParam().Opt(),
				"location": schema.Str("").Opt(), "tos": schema.Str("").Opt(),
			}),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				a, _, err := s.LoadAccount(ctx, paramOr(r, "name", "default"))
				if err != nil {
					return nil, schema.Fail("name", err.Error())
				}
				return map[string]any{"account": a.Account, "directory": a.Directory, "location": a.Location, "tos": a.TOS}, nil
			}),
		},
		{
			Method: "PUT", Path: "/cluster/acme/account/{name}", Name: "update_account",
			Description: "Update existing ACME account information with CA. Note: not specifying any new account " +
				"information triggers a refresh.",
			Perm: Perm{RootOnly: true}, Protected: true,
			Params: schema.Obj(schema.Props{
				"contact": schema.Str("Contact email addresses.").Fmt("email-list").Opt(),
				"name":    acmeAccountName(),
			}),
			Returns: schema.Str(""),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				n := paramOr(r, "name", "default")
				if _, _, err := s.LoadAccount(ctx, n); err != nil {
					return nil, schema.Fail("name", err.Error())
				}
				contact := schema.SplitList(r.Params.String("contact"))
				typ := "acmerefresh"
				if len(contact) > 0 {
					typ = "acmeupdate"
				}
				return startTask(ctx, r, typ, n, func(ctx context.Context, l *tasks.Log) error {
					return s.UpdateAccount(ctx, l, n, contact)
				})
			}),
		},
		{
			Method: "DELETE", Path: "/cluster/acme/account/{name}", Name: "deactivate_account",
			Description: "Deactivate existing ACME account at CA.",
			Perm:        Perm{RootOnly: true}, Protected: true,
			Params:  schema.Obj(name),
			Returns: schema.Str(""),
			Handler: withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
				n := paramOr(r, "name", "default")
				if _, _, err := s.LoadAccount(ctx, n); err != nil {
					return nil, schema.Fail("name", err.Error())
				}
				return startTask(ctx, r, "acmedeactivate", n, func(ctx context.Context, l *tasks.Log) error {
					return s.DeactivateAccount(ctx, l, n)
				})
			}),
		},
	}
}

// paramOr is a parameter's value, or def when it was not sent.
func paramOr(r *Request, name, def string) string {
	if v := r.Params.String(name); v != "" {
		return v
	}
	return def
}

func acmeCertEndpoints() []*Endpoint {
	modify := modifyPerm()
	task := func(typ string, check func(*acme.Service, context.Context, bool) error,
		run func(*acme.Service, context.Context, *tasks.Log) error) Handler {
		return withACME(func(ctx context.Context, r *Request, s *acme.Service) (any, error) {
			if check != nil {
				if err := check(s, ctx, r.Params.Bool("force")); err != nil {
					return nil, err
				}
			}
			return startTask(ctx, r, typ, "", func(ctx context.Context, l *tasks.Log) error { return run(s, ctx, l) })
		})
	}
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/certificates/acme", Name: "index",
			Description: "ACME index.",
			Perm:        Perm{All: true},
			Params:      nodeParams(nil),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "POST", Path: "/nodes/{node}/certificates/acme/certificate", Name: "new_certificate",
			Description: "Order a new certificate from ACME-compatible CA. hostadm runs the preflight first.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(schema.Props{"force": schema.Bool("Overwrite existing custom certificate.").Def(false)}),
			Returns: schema.Str(""),
			Handler: task("acmenewcert", (*acme.Service).CheckOrder, (*acme.Service).Order),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/certificates/acme/certificate", Name: "renew_certificate",
			Description: "Renew existing certificate from CA.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{"force": schema.Bool("Force renewal even if expiry is more than 30 days away.").
				Def(false)}),
			Returns: schema.Str(""),
			Handler: task("acmerenew", (*acme.Service).CheckRenew, (*acme.Service).Renew),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/certificates/acme/certificate", Name: "revoke_certificate",
			Description: "Revoke existing certificate from CA.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Str(""),
			Handler: task("acmerevoke", nil, (*acme.Service).Revoke),
		},
		{
			Method: "GET", Path: "/nodes/{node}/certificates/acme/preflight", Name: "acme_preflight",
			Description: "hostadm extension: what an order would run into and why (configuration, http-01 " +
				"reachability and port 80, dns-01 plugin and alias CNAME, CAA), without ordering. Orders run it first.",
			Perm: auditPerm(), ProxyTo: "node",
			Params: nodeParams(nil),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"domain": schema.Str("").Opt(), "check": schema.Str(""),
				"status": schema.Str("").OneOf("ok", "warning", "error"), "message": schema.Str(""),
			})),
			Handler: withACME(func(ctx context.Context, _ *Request, s *acme.Service) (any, error) {
				return s.Preflight(ctx)
			}),
		},
	}
}
