package cli

import (
	"fmt"
	"io"
	"strings"
)

// networkCmds are `hostadm network`: the node's interfaces file and its
// staged changes, applied with an optional rollback, and NIC name pinning.
var networkCmds = []toolCmd{
	{words: []string{"list"}, method: "GET", path: "/nodes/{node}/network",
		columns: []string{"iface", "type", "active", "autostart", "method", "cidr", "gateway", "bridge_ports", "slaves", "comments"}},
	{words: []string{"show"}, method: "GET", path: "/nodes/{node}/network/{iface}", args: []string{"iface"}},
	{words: []string{"diff"}, method: "GET", path: "/nodes/{node}/network/changes", render: renderNetworkDiff},
	{words: []string{"apply"}, method: "PUT", path: "/nodes/{node}/network", follow: true},
	{words: []string{"confirm"}, method: "POST", path: "/nodes/{node}/network/confirm"},
	{words: []string{"revert"}, method: "DELETE", path: "/nodes/{node}/network"},
	{words: []string{"pin"}, method: "POST", path: "/nodes/{node}/network/pin", render: renderPins},
}

func runNetwork(env *Env, args []string) error {
	if len(args) > 0 && args[0] == "commit" {
		return runNetCommit(env, args[1:])
	}
	return runTool(env, "hostadm network", networkCmds, args)
}

// renderNetworkDiff prints the pending diff as diff(1) would.
func renderNetworkDiff(w io.Writer, _ globalFlags, rep *reply) error {
	d := text(rep.Data)
	if d == "" {
		_, err := fmt.Fprintln(w, "no pending network changes")
		return err
	}
	_, err := io.WriteString(w, d)
	return err
}

// renderPins prints one line per NIC, as pve-network-interface-pinning
// reports its mapping.
func renderPins(w io.Writer, _ globalFlags, rep *reply) error {
	items, _ := rep.Data.([]any)
	if len(items) == 0 {
		_, err := fmt.Fprintln(w, "Nothing to do, aborting.")
		return err
	}
	var b strings.Builder
	for _, it := range items {
		m, _ := it.(map[string]any)
		fmt.Fprintf(&b, "Name for link '%s' (%s) will change to '%s': %s\n", text(m["iface"]), text(m["mac"]), text(m["name"]), text(m["file"]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
