package cluster_test

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkJoinAndIdleMemory forms a two-node cluster from daemon
// processes and reports the time a join takes (the POST until the joined
// node reports a quorate two-node cluster, its restart included) and the
// resident memory of an idle clustered daemon with its etcd member.
func BenchmarkJoinAndIdleMemory(b *testing.B) {
	for b.Loop() {
		a, n := newProc(b, "nodea"), newProc(b, "nodeb")
		a.start()
		n.start()
		tok := a.token
		for _, p := range []*proc{a, n} {
			waitFor(b, p.name+" up", 20*time.Second, func() (bool, string) {
				r := p.call(p.token, "GET", "/version", nil)
				return r.status == 200, r.body
			})
		}
		a.mustOK(tok, "POST", "/cluster/config", url.Values{"clustername": {"bench"}})
		waitFor(b, "cluster", 30*time.Second, func() (bool, string) {
			q, nodes, info := a.status(tok)
			return q && len(nodes) == 1, info
		})
		info := a.mustOK(tok, "GET", "/cluster/config/join", nil).(map[string]any)
		fp := info["nodelist"].([]any)[0].(map[string]any)["pve_fp"].(string)
		t0 := time.Now()
		n.mustOK(n.token, "POST", "/cluster/config/join", url.Values{"hostname": {"127.0.0.1"},
			"port": {fmt.Sprint(a.apiPort)}, "fingerprint": {fp}, "token": {tok}})
		waitFor(b, "joined", 60*time.Second, func() (bool, string) {
			q, nodes, info := n.status(tok)
			return q && len(nodes) == 2, info
		})
		b.ReportMetric(time.Since(t0).Seconds(), "join-s")
		time.Sleep(3 * time.Second) // idle
		b.ReportMetric(rssMB(b, a.cmd.Process.Pid), "idle-rss-MB")
	}
}

// rssMB reads a process's resident set size.
func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
