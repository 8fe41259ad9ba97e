package cli

import (
	"fmt"
	"io"
	"time"
)

// historyCmds are `hostadm history`: the changes hostadm recorded.
var historyCmds = []toolCmd{
	{words: []string{"list"}, method: "GET", path: "/cluster/history", render: renderHistoryList},
	{words: []string{"show"}, method: "GET", path: "/cluster/history/{id}", args: []string{"id"}, render: renderChange},
	{words: []string{"revert"}, method: "POST", path: "/cluster/history/{id}/revert", args: []string{"id"}},
}

func runHistory(env *Env, args []string) error {
	return runTool(env, "hostadm history", historyCmds, args)
}

// renderHistoryList prints one line per change, newest first.
func renderHistoryList(w io.Writer, g globalFlags, rep *reply) error {
	if g.OutputFormat != "" && g.OutputFormat != "text" {
		return newPrinter(w, g).print(rep.Data, nil, nil)
	}
	items, _ := rep.Data.([]any)
	fmt.Fprintf(w, "%-7s %-19s %-10s %-20s %-8s %s\n", "ID", "TIME", "NODE", "USER", "ACTION", "PATH")
	for _, it := range items {
		m, _ := it.(map[string]any)
		ts := time.Unix(int64(storageNum(m["time"])), 0).Format("2006-01-02 15:04:05")
		if _, err := fmt.Fprintf(w, "%-7s %-19s %-10s %-20s %-8s %s\n", text(m["id"]), ts, text(m["node"]), text(m["user"]),
			text(m["action"]), text(m["path"])); err != nil {
			return err
		}
	}
	if rep.Total != nil && *rep.Total > len(items) {
		fmt.Fprintf(w, "(%d of %d changes; --start and --limit page)\n", len(items), *rep.Total)
	}
	return nil
}

// renderChange prints a change's facts and its diff.
func renderChange(w io.Writer, g globalFlags, rep *reply) error {
	if g.OutputFormat != "" && g.OutputFormat != "text" {
		return newPrinter(w, g).print(rep.Data, nil, nil)
	}
	m, _ := rep.Data.(map[string]any)
	ts := time.Unix(int64(storageNum(m["time"])), 0).Format(time.RFC3339)
	fmt.Fprintf(w, "change %s: %s %s (%s) on %s at %s\nby %s via %s\n", text(m["id"]), text(m["path"]), text(m["action"]),
		text(m["kind"]), text(m["node"]), ts, text(m["user"]), text(m["endpoint"]))
	if u := text(m["upid"]); u != "" {
		fmt.Fprintf(w, "task %s\n", u)
	}
	_, err := fmt.Fprintf(w, "\n%s", text(m["diff"]))
	return err
}
