package api_test

import (
	"os"
	"path/filepath"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestNodesWithoutSomeStatistics: GET /nodes and the node status answered
// 500 when one statistic source (here /proc/meminfo) was missing. The
// node is listed and its status answered, without the missing figures.
func TestNodesWithoutSomeStatistics(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		os.Remove(filepath.Join(root, "proc/meminfo"))
	}})
	root := env.RootAuth()
	nodes := env.MustOK(root, "GET", "/nodes", nil).Data.([]any)
	n := nodes[0].(map[string]any)
	if n["node"] != daemontest.Node || n["uptime"] == nil || n["maxmem"] != nil {
		t.Errorf("node entry %v: want it listed with uptime and without memory", n)
	}
	st := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/status", nil).Data.(map[string]any)
	if _, ok := st["memory"]; ok || st["uptime"] == nil || st["cpuinfo"] == nil {
		t.Errorf("status %v: want no memory, the rest there", st)
	}
}
