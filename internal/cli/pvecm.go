package cli

import (
	"fmt"
	"io"
)

// pvecmCmds are pvecm's commands, as calls of the cluster endpoints. Create
// and add restart the daemon on the cluster store, so they go to the
// daemon's API (--host) rather than running in the CLI's process.
var pvecmCmds = []toolCmd{
	{words: []string{"create"}, method: "POST", path: "/cluster/config", args: []string{"clustername"}, follow: true},
	{words: []string{"add"}, method: "POST", path: "/cluster/config/join", args: []string{"hostname"}, follow: true,
		prepare: joinFlags},
	{words: []string{"status"}, method: "GET", path: "/cluster/status", render: renderClusterStatus},
	{words: []string{"nodes"}, method: "GET", path: "/cluster/config/nodes",
		columns: []string{"nodeid", "quorum_votes", "name", "ring0_addr"}},
	{words: []string{"delnode"}, method: "DELETE", path: "/cluster/config/nodes/{node}", args: []string{"node"}},
	{words: []string{"expected"}, method: "POST", path: "/cluster/config/expected", args: []string{"expected"}},
}

func runPvecm(env *Env, args []string) error { return runTool(env, "pvecm", pvecmCmds, args) }

// joinFlags: --token and --fingerprint are the CLI's own (they reach the
// local daemon), so pvecm add takes the member's as --join-token and
// --join-fingerprint.
func joinFlags(_ *Env, params map[string]any) error {
	for from, to := range map[string]string{"join-token": "token", "join-fingerprint": "fingerprint"} {
		if v, ok := params[from]; ok {
			params[to] = v
			delete(params, from)
		}
	}
	return nil
}

// renderClusterStatus prints the quorum information and the membership
// the way `pvecm status` groups them.
func renderClusterStatus(w io.Writer, g globalFlags, rep *reply) error {
	items, _ := rep.Data.([]any)
	var nodes []any
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["type"] == "cluster" {
			fmt.Fprintf(w, "Cluster information\n-------------------\nName:             %s\nConfig Version:   %s\nNodes:            %s\nQuorate:          %s\n\n",
				text(m["name"]), text(m["version"]), text(m["nodes"]), yesNo(m["quorate"]))
			continue
		}
		nodes = append(nodes, m)
	}
	fmt.Fprintln(w, "Membership information\n----------------------")
	return newPrinter(w, g).print(nodes, nil, []string{"nodeid", "name", "ip", "online", "local"})
}

func yesNo(v any) string {
	if text(v) == "1" || v == true {
		return "Yes"
	}
	return "No"
}
