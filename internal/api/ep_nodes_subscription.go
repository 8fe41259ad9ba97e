package api

import (
	"context"

	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
)

// subscriptionEndpoints are Proxmox's four subscription endpoints. hostadm
// stores a key but cannot check it with Proxmox's shop, so the status is
// "notfound" without a key and "invalid" (with a message saying why) with
// one, never "active".
func subscriptionEndpoints() []*Endpoint {
	modify := modifyPerm()
	opt := func(s *schema.Schema) *schema.Schema { return s.Opt() }
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/subscription", Name: "get",
			Description: "Read subscription info. hostadm cannot check keys with Proxmox's shop: the status is " +
				"'notfound' without a key and 'invalid' with a message otherwise, never 'active'. Key, server ID " +
				"and sockets are shown with Sys.Audit on the node only.",
			Perm: Perm{All: true}, ProxyTo: "node",
			Params: nodeParams(nil),
			Returns: schema.Obj(schema.Props{
				"checktime":   opt(schema.Int("Timestamp of the last check done.")),
				"key":         opt(schema.Str("The subscription key, if set and permitted to access.")),
				"level":       opt(schema.Str("A short code for the subscription level.")),
				"message":     opt(schema.Str("A more human readable status message.")),
				"nextduedate": opt(schema.Str("Next due date of the set subscription.")),
				"productname": opt(schema.Str("Human readable productname of the set subscription.")),
				"regdate":     opt(schema.Str("Register date of the set subscription.")),
				"serverid":    opt(schema.Str("The server ID, if permitted to access.")),
				"signature":   opt(schema.Str("Signature for offline keys")),
				"sockets":     opt(schema.Int("The number of sockets for this host.")),
				"status": schema.Str("The current subscription status.").
					OneOf("new", "notfound", "active", "invalid", "expired", "suspended"),
				"url": opt(schema.Str("URL to the web shop.")),
			}),
			Handler: getSubscription,
		},
		{
			Method: "POST", Path: "/nodes/{node}/subscription", Name: "update",
			Description: "Update subscription info. hostadm has no shop server to ask: it records the check time " +
				"and the status stays 'invalid'.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"force": schema.Bool("Always connect to server, even if local cache is still valid.").Def(0),
			}),
			Returns: schema.Null(),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := nodeSvc(r)
				if err != nil {
					return nil, err
				}
				return nil, s.CheckSubscription(ctx, r.Svc.Clock())
			},
		},
		{
			Method: "PUT", Path: "/nodes/{node}/subscription", Name: "set",
			Description: "Set subscription key. hostadm keeps it in the store's private area without checking it " +
				"online.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"key": schema.Str("Proxmox VE subscription key").MaxLen(32).Pat(nodecfg.KeyPattern),
			}),
			Returns: schema.Null(),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := nodeSvc(r)
				if err != nil {
					return nil, err
				}
				if err := s.SetSubscriptionKey(ctx, r.Params.String("key"), r.Svc.Clock()); err != nil {
					return nil, schema.ParamError{"key": err.Error()}
				}
				return nil, nil
			},
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/subscription", Name: "delete",
			Description: "Delete subscription key of this node.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Null(),
			Handler: func(ctx context.Context, r *Request) (any, error) {
				s, err := nodeSvc(r)
				if err != nil {
					return nil, err
				}
				return nil, s.DeleteSubscriptionKey(ctx)
			},
		},
	}
}

func getSubscription(ctx context.Context, r *Request) (any, error) {
	s, err := nodeSvc(r)
	if err != nil {
		return nil, err
	}
	audit := r.Identity.IsRoot()
	if !audit {
		audit, err = r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/nodes/"+r.Node, []string{"Sys.Audit"}, false)
		if err != nil {
			return nil, err
		}
	}
	v := nodecfg.SubscriptionView{Audit: audit}
	if audit && r.Svc.NodeStat != nil {
		if st, err := r.Svc.NodeStat.Status(ctx); err == nil {
			v.Sockets = st.CPUInfo.Sockets
		}
	}
	return s.GetSubscription(ctx, v)
}
