package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// renderNodeConfig prints the node config like the file: the description
// as comment lines, then "key: value" sorted, without the digest.
func renderNodeConfig(w io.Writer, _ globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	var b strings.Builder
	if d, ok := m["description"].(string); ok {
		for _, l := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
			b.WriteString("#" + l + "\n")
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "description" && k != "digest" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, text(m[k]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hostCmds are `hostadm time|dns|hosts|ntp|ksm|sysctl`: the host settings
// endpoints as commands.
var hostCmds = map[string][]toolCmd{
	"time": {
		{words: []string{"get"}, method: "GET", path: "/nodes/{node}/time"},
		{words: []string{"set"}, method: "PUT", path: "/nodes/{node}/time", args: []string{"timezone"}},
	},
	"dns": {
		{words: []string{"get"}, method: "GET", path: "/nodes/{node}/dns"},
		{words: []string{"set"}, method: "PUT", path: "/nodes/{node}/dns"},
	},
	"hosts": {
		{words: []string{"get"}, method: "GET", path: "/nodes/{node}/hosts", render: renderHosts},
		{words: []string{"set"}, method: "POST", path: "/nodes/{node}/hosts"},
	},
	"ntp": {
		{words: []string{"get"}, method: "GET", path: "/nodes/{node}/ntp"},
		{words: []string{"set"}, method: "PUT", path: "/nodes/{node}/ntp"},
		{words: []string{"status"}, method: "GET", path: "/nodes/{node}/ntp/status"},
	},
	"ksm": {
		{words: []string{"status"}, method: "GET", path: "/nodes/{node}/ksm"},
		{words: []string{"enable"}, method: "PUT", path: "/nodes/{node}/ksm", fixed: map[string]any{"enable": "1"}},
		{words: []string{"disable"}, method: "PUT", path: "/nodes/{node}/ksm", fixed: map[string]any{"enable": "0"}},
	},
	"sysctl": {
		{words: []string{"get"}, method: "GET", path: "/nodes/{node}/sysctl"},
		{words: []string{"set"}, method: "PUT", path: "/nodes/{node}/sysctl"},
	},
}

// hostTool returns the entry point of one host settings command.
func hostTool(name string) func(*Env, []string) error {
	return func(env *Env, args []string) error { return runTool(env, "hostadm "+name, hostCmds[name], args) }
}

// renderHosts prints /etc/hosts as it is.
func renderHosts(w io.Writer, _ globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	_, err := io.WriteString(w, text(m["data"]))
	return err
}
