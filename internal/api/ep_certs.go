package api

import (
	"context"

	"hostadm/internal/certs"
	"hostadm/internal/schema"
)

// certInfoProps are the fields of one certificate's info.
func certInfoProps() schema.Props {
	return schema.Props{
		"filename":        schema.Str("").Opt(),
		"fingerprint":     schema.Str("Certificate SHA 256 fingerprint.").Pat(`([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}`).Opt(),
		"issuer":          schema.Str("Certificate issuer name.").Opt(),
		"notafter":        schema.Int("Certificate's notAfter timestamp (UNIX epoch).").Opt(),
		"notbefore":       schema.Int("Certificate's notBefore timestamp (UNIX epoch).").Opt(),
		"pem":             schema.Str("Certificate in PEM format").Fmt("pem-certificate").Opt(),
		"public-key-bits": schema.Int("Certificate's public key size").Opt(),
		"public-key-type": schema.Str("Certificate's public key algorithm").Opt(),
		"san":             schema.Arr(schema.Str("")).Opt(),
		"subject":         schema.Str("Certificate subject name.").Opt(),
	}
}

func certEndpoints() []*Endpoint {
	restart := schema.Bool("Restart pveproxy.").Def(false)
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/certificates", Name: "index",
			Description: "Node index.",
			Perm:        Perm{All: true},
			Params:      nodeParams(nil),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "GET", Path: "/nodes/{node}/certificates/info", Name: "info",
			Description: "Get information about node's certificates. hostadm adds a `warning` key to an " +
				"entry whose automatic ACME renewal failed.",
			Perm: Perm{All: true}, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Arr(schema.Obj(certInfoProps()).AllowMore()),
			Handler: certInfo,
		},
		{
			Method: "POST", Path: "/nodes/{node}/certificates/custom", Name: "upload_custom_cert",
			Description: "Upload or update custom certificate chain and key. The daemon serves the new " +
				"pair to new connections at once; `restart` is accepted and not needed.",
			Perm: modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"certificates": schema.Str("PEM encoded certificate (chain).").Fmt("pem-certificate-chain"),
				"force":        schema.Bool("Overwrite existing custom or ACME certificate files.").Def(false),
				"key":          schema.Str("PEM encoded private key.").Fmt("pem-string").Opt(),
				"restart":      restart,
			}),
			Returns: schema.Obj(certInfoProps()),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				return r.Svc.Certs.SetCustom(ctx, certs.Custom{
					Chain: []byte(r.Params.String("certificates")),
					Key:   []byte(r.Params.String("key")),
					Force: r.Params.Bool("force"),
				})
			},
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/certificates/custom", Name: "remove_custom_cert",
			Description: "DELETE custom certificate chain and key.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(schema.Props{"restart": schema.Bool("Restart pveproxy.").Def(false)}),
			Returns: nullReturn(),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				return nil, r.Svc.Certs.DeleteCustom(ctx)
			},
		},
	}
}

func certInfo(ctx context.Context, r *Request) (any, error) {
	infos, err := r.Svc.Certs.Infos(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(infos))
	for _, in := range infos {
		m := map[string]any{
			"filename": in.Filename, "fingerprint": in.Fingerprint, "issuer": in.Issuer,
			"subject": in.Subject, "notbefore": in.NotBefore, "notafter": in.NotAfter,
			"san": in.SAN, "pem": in.PEM, "public-key-type": in.PublicKeyType,
			"public-key-bits": in.PublicKeyBits,
		}
		if in.Filename == "pveproxy-ssl.pem" && r.Svc.ACME != nil {
			if w := r.Svc.ACME.RenewalWarning(); w != "" {
				m["warning"] = w
			}
		}
		out = append(out, m)
	}
	return out, nil
}
