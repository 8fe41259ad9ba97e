package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"hostadm/internal/history"
	"hostadm/internal/schema"
)

func withHistory(fn func(context.Context, *Request, *history.History) (any, error)) Handler {
	return with("the change history", func(s *Services) *history.History { return s.History }, fn)
}

// historyEndpoints are hostadm's change history (its own endpoints) and
// Proxmox's cluster log, served from the same records.
func historyEndpoints() []*Endpoint {
	audit := rootAuditPerm()
	change := schema.Obj(schema.Props{
		"id":       schema.Int("The change's number."),
		"time":     schema.Int("When it was made (seconds since the epoch)."),
		"node":     schema.Str("The node it was made on."),
		"user":     schema.Str("The user or API token that made it."),
		"endpoint": schema.Str("The API call or command that made it."),
		"upid":     schema.Str("The task it ran in.").Opt(),
		"kind":     schema.Str("A host file or a file of the cluster file store.").OneOf("host", "store"),
		"path":     schema.Str("The file."),
		"action":   schema.Str("What happened to the file.").OneOf("write", "delete", "outside", "revert"),
		"secret":   schema.Bool("The file holds secrets: its content is not recorded."),
		"reverts":  schema.Int("The change this one reverts.").Opt(),
	}).AllowMore()
	listParams := schema.Props{
		"user":  schema.Str("Only changes by this user or token.").MaxLen(128).Opt(),
		"path":  schema.Str("Only changes of this file, or of files under it when it ends in '/' or '*'.").MaxLen(4096).Opt(),
		"since": schema.Int("Only changes at or after this time (seconds since the epoch).").Min(0).Opt(),
		"until": schema.Int("Only changes at or before this time (seconds since the epoch).").Min(0).Opt(),
		"start": schema.Int("Skip this many changes.").Min(0).Def(0).Opt(),
		"limit": schema.Int("Return at most this many changes.").Min(1).Max(10000).Def(50).Opt(),
	}
	clusterListParams := maps.Clone(listParams)
	clusterListParams["node"] = schema.Str("Only changes made on this node.").Fmt("pve-node").Opt()
	return []*Endpoint{
		{
			// Each node keeps its own history; in a cluster this call is
			// forwarded to the node it names, so any node's history can be
			// read from any node.
			Method: "GET", Path: "/nodes/{node}/history", Name: "node_history",
			Description: "List the changes recorded on one node, newest first (hostadm extension).",
			Perm:        auditPerm(),
			ProxyTo:     "node",
			Params:      nodeParams(listParams),
			Returns:     schema.Arr(change),
			Handler:     withHistory(listHistory),
		},
		{
			Method: "GET", Path: "/cluster/history", Name: "history",
			Description: "List recorded changes to host files and the cluster file store, newest first (hostadm extension).",
			Perm:        audit,
			Params:      schema.Obj(clusterListParams),
			Returns:     schema.Arr(change),
			Handler:     withHistory(listHistory),
		},
		{
			Method: "GET", Path: "/cluster/history/{id}", Name: "history_change",
			Description: "One recorded change with its unified diff (hostadm extension).",
			Perm:        audit,
			Params:      schema.Obj(schema.Props{"id": schema.Int("The change's number.").Min(1)}),
			Returns:     change,
			Handler:     withHistory(getChange),
		},
		{
			Method: "POST", Path: "/cluster/history/{id}/revert", Name: "history_revert",
			Description: "Restore the file of a change as it was before the change, recorded as a new change (hostadm extension).",
			Perm:        rootModifyPerm(),
			Protected:   true,
			Params: schema.Obj(schema.Props{
				"id":    schema.Int("The change's number.").Min(1),
				"force": schema.Bool("Revert even when the file changed since.").Def(false).Opt(),
			}),
			Returns: schema.Int("The number of the change the revert made."),
			Handler: withHistory(revertChange),
		},
		{
			Method: "GET", Path: "/cluster/log", Name: "log",
			Description: "Read cluster log",
			Perm:        Perm{All: true, Description: "The user needs 'Sys.Syslog' on '/' in order to get all logs."},
			Params:      schema.Obj(schema.Props{"max": schema.Int("Maximum number of entries.").Min(1).Opt()}),
			Returns:     schema.Arr(schema.Obj(nil).AllowMore()),
			Handler:     withHistory(clusterLog),
		},
	}
}

func listHistory(ctx context.Context, r *Request, h *history.History) (any, error) {
	p := r.Params
	f := history.Filter{User: p.String("user"), Path: p.String("path"),
		Start: int(p.Int("start")), Limit: int(p.Int("limit"))}
	if r.Endpoint.Path == "/cluster/history" {
		f.Node = p.String("node")
	}
	if p.Has("since") {
		f.Since = time.Unix(p.Int("since"), 0)
	}
	if p.Has("until") {
		f.Until = time.Unix(p.Int("until")+1, 0).Add(-time.Microsecond)
	}
	list, total, err := h.List(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, changeMap(c))
	}
	return &Result{Data: out, Total: &total}, nil
}

func changeMap(c history.Change) map[string]any {
	m := map[string]any{
		"id": c.ID, "time": c.Time.Unix(), "node": c.Node, "user": c.User, "endpoint": c.Endpoint,
		"kind": c.Kind, "path": c.Path, "action": c.Action, "secret": schema.Flag(c.Secret),
	}
	if c.UPID != "" {
		m["upid"] = c.UPID
	}
	if c.Reverts != 0 {
		m["reverts"] = c.Reverts
	}
	return m
}

func getChange(ctx context.Context, r *Request, h *history.History) (any, error) {
	c, err := h.Get(ctx, r.Params.Int("id"))
	if errors.Is(err, history.ErrNoChange) {
		return nil, schema.ParamError{"id": err.Error()}
	}
	if err != nil {
		return nil, err
	}
	m := changeMap(c)
	if c.Secret {
		m["diff"] = "(the file holds secrets: it changed, its content is not recorded)"
	} else {
		m["diff"] = c.Diff
	}
	return m, nil
}

func revertChange(ctx context.Context, r *Request, h *history.History) (any, error) {
	id, err := h.Revert(ctx, r.Params.Int("id"), r.Params.Bool("force"), history.Files{Root: r.Svc.RawRoot, Store: r.Svc.RawStore})
	switch {
	case errors.Is(err, history.ErrNoChange):
		return nil, schema.ParamError{"id": err.Error()}
	case errors.Is(err, history.ErrChangedSince), errors.Is(err, history.ErrSecret):
		return nil, schema.ParamError{"id": err.Error()}
	case err != nil:
		return nil, err
	}
	return id, nil
}

// clusterLog serves Proxmox's cluster log from the change history: one
// entry per change, newest first; without Sys.Syslog on / only the
// caller's own.
func clusterLog(ctx context.Context, r *Request, h *history.History) (any, error) {
	max := 50
	if r.Params.Has("max") {
		max = int(r.Params.Int("max"))
	}
	all, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), "/", []string{"Sys.Syslog"}, false)
	if err != nil {
		return nil, err
	}
	f := history.Filter{Limit: max}
	if !all {
		f.User = r.Identity.AuthID()
	}
	list, _, err := h.List(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		e := map[string]any{
			"uid": c.ID, "time": c.Time.Unix(), "pri": 6, "tag": "hostadm", "pid": 0,
			"node": c.Node, "user": c.User, "msg": logMessage(c),
		}
		if c.UPID != "" {
			e["upid"] = c.UPID
		}
		out = append(out, e)
	}
	return out, nil
}

func logMessage(c history.Change) string {
	what := map[string]string{"write": "changed", "delete": "deleted", "outside": "changed outside hostadm", "revert": "reverted"}[c.Action]
	msg := fmt.Sprintf("%s %s", c.Path, what)
	if c.Reverts != 0 {
		msg += fmt.Sprintf(" (change %d)", c.Reverts)
	}
	if c.Endpoint != "" {
		msg += " by " + c.Endpoint
	}
	return msg
}
