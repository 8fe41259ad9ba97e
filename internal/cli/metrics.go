package cli

import (
	"fmt"
	"io"
)

// metricsCmds manage the external metric servers of status.cfg (hostadm's
// own tool; Proxmox VE offers this only in the web UI and pvesh): list
// with each server's health, add, set, remove, show, and test the
// connection to a configured server.
var metricsCmds = []toolCmd{
	{words: []string{"servers"}, method: "GET", path: "/cluster/metrics/server",
		columns: []string{"id", "type", "server", "port", "disable", "failing", "points-sent", "points-dropped", "error"}},
	{words: []string{"add"}, method: "POST", path: "/cluster/metrics/server/{id}", args: []string{"type", "id"}},
	{words: []string{"set"}, method: "PUT", path: "/cluster/metrics/server/{id}", args: []string{"id"}},
	{words: []string{"remove"}, method: "DELETE", path: "/cluster/metrics/server/{id}", args: []string{"id"}},
	{words: []string{"show"}, method: "GET", path: "/cluster/metrics/server/{id}", args: []string{"id"}},
	{words: []string{"test"}, method: "POST", path: "/nodes/{node}/metrics/server/{id}/test", args: []string{"id"},
		render: renderMetricTest},
}

func runMetrics(env *Env, args []string) error { return runTool(env, "metrics", metricsCmds, args) }

// renderMetricTest prints one line about a passed connection test.
func renderMetricTest(w io.Writer, _ globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	secs, _ := m["time"].(float64)
	_, err := fmt.Fprintf(w, "metric server '%s' (%s %s://%s:%s): connection test passed in %.0f ms\n",
		text(m["id"]), text(m["type"]), text(m["proto"]), text(m["server"]), text(m["port"]), secs*1000)
	return err
}
