package api

import (
	"context"

	"hostadm/internal/hostcfg"
	"hostadm/internal/schema"
)

const logDatePattern = `^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$`

func hostLogEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/syslog", Name: "syslog",
			Description: "Read system log",
			Perm:        Perm{Check: Privs("/nodes/{node}", "Sys.Syslog")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"limit":   schema.Int("").Min(0).Opt(),
				"service": schema.Str("Service ID").MaxLen(128).Opt(),
				"since":   schema.Str("Display all log since this date-time string.").Pat(logDatePattern).Opt(),
				"start":   schema.Int("").Min(0).Opt(),
				"until":   schema.Str("Display all log until this date-time string.").Pat(logDatePattern).Opt(),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"n": schema.Int("Line number"),
				"t": schema.Str("Line text"),
			})),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				p := r.Params
				lines, total, err := s.Syslog(ctx, hostcfg.SyslogQuery{
					Start: int(p.Int("start")), Limit: int(p.Int("limit")),
					Since: p.String("since"), Until: p.String("until"), Unit: p.String("service"),
				})
				if err != nil {
					return nil, err
				}
				return &Result{Data: lines, Total: &total}, nil
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/journal", Name: "journal",
			Description: "Read Journal",
			Perm:        Perm{Check: Privs("/nodes/{node}", "Sys.Syslog")}, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"endcursor":   schema.Str("End before the given Cursor. Conflicts with 'until'").Opt(),
				"lastentries": schema.Int("Limit to the last X lines. Conflicts with a range.").Min(0).Opt(),
				"since":       schema.Int("Display all log since this UNIX epoch. Conflicts with 'startcursor'.").Min(0).Opt(),
				"startcursor": schema.Str("Start after the given Cursor. Conflicts with 'since'").Opt(),
				"until":       schema.Int("Display all log until this UNIX epoch. Conflicts with 'endcursor'.").Min(0).Opt(),
			}),
			Returns: schema.Arr(schema.Str("")),
			Handler: withHost(readJournal),
		},
		{
			Method: "GET", Path: "/nodes/{node}/report", Name: "report",
			Description: "Gather various systems information about a node",
			Perm:        auditPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Str(""),
			Handler: withHost(func(ctx context.Context, _ *Request, s *hostcfg.Service) (any, error) {
				return s.Report(ctx), nil
			}),
		},
	}
}

// readJournal checks the parameter conflicts mini-journalreader's caller
// checks, then reads the journal.
func readJournal(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
	p := r.Params
	conflict := func(a, b string) bool { return p.Has(a) && p.Has(b) }
	switch {
	case conflict("lastentries", "since"), conflict("lastentries", "startcursor"):
		return nil, schema.ParamError{"lastentries": "Conflicts with a range."}
	case conflict("since", "startcursor"):
		return nil, schema.ParamError{"since": "Conflicts with 'startcursor'."}
	case conflict("until", "endcursor"):
		return nil, schema.ParamError{"until": "Conflicts with 'endcursor'."}
	}
	return s.Journal(ctx, hostcfg.JournalQuery{
		LastEntries: int(p.Int("lastentries")), Since: p.Int("since"), Until: p.Int("until"),
		StartCursor: p.String("startcursor"), EndCursor: p.String("endcursor"),
	})
}
