package cluster_test

import (
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// formCluster starts three daemons, creates the cluster on A and joins B
// and C through the API (token form, fingerprint checked). It returns the
// nodes and A's token, valid on all of them afterwards.
func formCluster(t *testing.T) ([]*proc, string) {
	a, b, c := newProc(t, "nodea"), newProc(t, "nodeb"), newProc(t, "nodec")
	for _, p := range []*proc{a, b, c} {
		p.start()
	}
	tok := a.token
	for _, p := range []*proc{a, b, c} {
		waitFor(t, p.name+" up", 20*time.Second, func() (bool, string) {
			r := p.call(p.token, "GET", "/version", nil)
			return r.status == 200, r.body
		})
	}
	a.mustOK(tok, "POST", "/cluster/config", url.Values{"clustername": {"testclu"}})
	waitFor(t, "cluster on A", 30*time.Second, func() (bool, string) {
		q, nodes, info := a.status(tok)
		return q && len(nodes) == 1, info + a.log()
	})
	info := a.mustOK(tok, "GET", "/cluster/config/join", nil).(map[string]any)
	fp := info["nodelist"].([]any)[0].(map[string]any)["pve_fp"].(string)

	// A wrong fingerprint: the join fails before anything is sent.
	bad := strings.Repeat("AB:", 31) + "AB"
	upid := b.mustOK(b.token, "POST", "/cluster/config/join", url.Values{"hostname": {"127.0.0.1"},
		"port": {fmt.Sprint(a.apiPort)}, "fingerprint": {bad}, "token": {tok}}).(string)
	if exit := b.waitTask(b.token, upid); !strings.Contains(exit, "fingerprint mismatch") {
		t.Fatalf("join with a wrong fingerprint ended %q", exit)
	}
	for i, p := range []*proc{b, c} {
		upid := p.mustOK(p.token, "POST", "/cluster/config/join", url.Values{"hostname": {"127.0.0.1"},
			"port": {fmt.Sprint(a.apiPort)}, "fingerprint": {fp}, "token": {tok}}).(string)
		waitFor(t, p.name+" joined", 40*time.Second, func() (bool, string) {
			q, nodes, info := p.status(tok)
			if len(nodes) == 0 { // still standalone: did the join fail?
				info += p.call(p.token, "GET", "/nodes/"+p.name+"/tasks/"+url.PathEscape(upid)+"/log", nil).body
			}
			return q && len(nodes) == i+2, info + p.log()
		})
	}
	return []*proc{a, b, c}, tok
}

func TestThreeNodeCluster(t *testing.T) {
	nodes, tok := formCluster(t)
	a, b, c := nodes[0], nodes[1], nodes[2]
	for _, p := range nodes {
		waitFor(t, "all online on "+p.name, 20*time.Second, func() (bool, string) {
			q, st, info := p.status(tok)
			return q && len(st) == 3 && st["nodea"] && st["nodeb"] && st["nodec"], info
		})
	}
	// A user created on B logs in on C: one user.cfg, one ticket key.
	b.mustOK(tok, "POST", "/access/users", url.Values{"userid": {"alice@pve"}, "password": {"alice-secret1"}})
	login := c.mustOK("", "POST", "/access/ticket", url.Values{"username": {"alice@pve"}, "password": {"alice-secret1"}})
	ticket, _ := login.(map[string]any)["ticket"].(string)
	if ticket == "" {
		t.Fatal("no ticket")
	}
	// A ticket issued by C is valid on A.
	if r := a.callTicket(ticket, "GET", "/access/users/alice@pve"); r.status != 403 && r.status != 200 {
		t.Fatalf("C's ticket on A: %s %s", r.reason, r.body)
	}
	if r := a.callTicket(ticket+"x", "GET", "/access/users/alice@pve"); r.status != 401 {
		t.Fatalf("a forged ticket on A: %s", r.reason)
	}
	// A storage added on C is in A's storage.cfg.
	c.mustOK(tok, "POST", "/storage", url.Values{"storage": {"shared1"}, "type": {"dir"}, "path": {"/srv/shared1"}, "content": {"iso"}})
	a.mustOK(tok, "GET", "/storage/shared1", nil)
	// /nodes/nodec/... asked of A is answered by C: C's own task list.
	a.mustOK(tok, "GET", "/nodes/nodec/status", nil)
	tasks := a.mustOK(tok, "GET", "/nodes/nodec/tasks", url.Values{"typefilter": {"clusterjoin"}}).([]any)
	if len(tasks) == 0 || !strings.Contains(tasks[0].(map[string]any)["upid"].(string), ":nodec:") {
		t.Fatalf("tasks of nodec through A: %v", tasks)
	}
	list := a.mustOK(tok, "GET", "/nodes", nil).([]any)
	if len(list) != 3 {
		t.Fatalf("/nodes = %v", list)
	}

	// C dies: A and B stay quorate and writable, C is offline, calls for
	// C answer 595.
	c.kill()
	waitFor(t, "C offline on A", 20*time.Second, func() (bool, string) {
		q, st, info := a.status(tok)
		return q && !st["nodec"] && st["nodeb"], info
	})
	a.mustOK(tok, "POST", "/access/users", url.Values{"userid": {"bob@pve"}, "password": {"bob-secret12"}})
	if r := a.call(tok, "GET", "/nodes/nodec/status", nil); r.status != 595 {
		t.Fatalf("call for dead C: %s %s", r.reason, r.body)
	}
	// B dies too: A is read-only, reads still work.
	b.kill()
	waitFor(t, "A read-only", 20*time.Second, func() (bool, string) {
		r := a.call(tok, "POST", "/access/users", url.Values{"userid": {"carol@pve"}})
		return r.status == 500 && strings.Contains(r.msg, "no quorum"), r.reason + r.body
	})
	if users := a.mustOK(tok, "GET", "/access/users", nil).([]any); len(users) < 3 {
		t.Fatalf("users without quorum: %v", users)
	}
	if q, _, _ := a.status(tok); q {
		t.Fatal("A says quorate alone")
	}
	// Both come back: all three quorate, nothing lost.
	b.start()
	c.start()
	for _, p := range nodes {
		waitFor(t, "all back on "+p.name, 40*time.Second, func() (bool, string) {
			q, st, info := p.status(tok)
			return q && st["nodea"] && st["nodeb"] && st["nodec"], info
		})
	}
	for _, u := range []string{"alice@pve", "bob@pve"} {
		c.mustOK(tok, "GET", "/access/users/"+u, nil)
	}
	c.mustOK(tok, "GET", "/storage/shared1", nil)
	concurrentWriters(t, nodes, tok)
	cliAndRemoval(t, nodes, tok)
}

// pvecm asks p with the CLI over HTTPS.
func pvecm(t *testing.T, p *proc, tok string, args ...string) string {
	t.Helper()
	args = append([]string{"pvecm"}, args...)
	args = append(args, "--host", p.url(), "--token", tok, "--insecure")
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

// cliAndRemoval checks pvecm and the cluster-wide task list, then removes
// C: A and B go on as a two-node cluster.
func cliAndRemoval(t *testing.T, nodes []*proc, tok string) {
	a := nodes[0]
	if out := pvecm(t, a, tok, "status"); !strings.Contains(out, "Quorate:          Yes") || !strings.Contains(out, "nodec") {
		t.Fatalf("pvecm status:\n%s", out)
	}
	if out := pvecm(t, a, tok, "nodes"); strings.Count(out, "127.0.0.1") != 3 {
		t.Fatalf("pvecm nodes:\n%s", out)
	}
	all := fmt.Sprint(a.mustOK(tok, "GET", "/cluster/tasks", nil))
	for _, n := range []string{":nodeb:", ":nodec:", ":nodea:"} {
		if !strings.Contains(all, n) {
			t.Errorf("/cluster/tasks on A lacks tasks of %s: %s", n, all)
		}
	}
	pvecm(t, a, tok, "delnode", "nodec")
	waitFor(t, "C removed", 20*time.Second, func() (bool, string) {
		q, st, info := a.status(tok)
		return q && len(st) == 2 && st["nodeb"], info
	})
	a.mustOK(tok, "POST", "/access/users", url.Values{"userid": {"dave@pve"}, "password": {"dave-secret12"}})
	nodes[1].mustOK(tok, "GET", "/access/users/dave@pve", nil)
}

// concurrentWriters has 50 writers spread over the nodes each add its
// mark to one storage's node list with the digest it read, retrying on a
// digest mismatch: no acknowledged update may be lost.
func concurrentWriters(t *testing.T, nodes []*proc, tok string) {
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		p := nodes[i%len(nodes)]
		wg.Go(func() {
			for try := 0; try < 200; try++ {
				r := p.call(tok, "GET", "/storage/shared1", nil)
				if r.status != 200 {
					errs <- r.body
					return
				}
				m := r.data.(map[string]any)
				list, _ := m["nodes"].(string)
				if list != "" {
					list += ","
				}
				w := p.call(tok, "PUT", "/storage/shared1", url.Values{"digest": {m["digest"].(string)},
					"nodes": {list + fmt.Sprintf("w%d", i)}})
				if w.status == 200 {
					return
				}
				if !strings.Contains(w.msg, "modified configuration") && !strings.Contains(w.msg, "lock") {
					errs <- w.reason + w.body
					return
				}
			}
			errs <- fmt.Sprintf("writer %d never succeeded", i)
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, p := range nodes {
		m := p.mustOK(tok, "GET", "/storage/shared1", nil).(map[string]any)
		list, _ := m["nodes"].(string)
		marks := map[string]bool{}
		for _, w := range strings.Split(list, ",") {
			marks[w] = true
		}
		for i := range n {
			if !marks[fmt.Sprintf("w%d", i)] {
				t.Errorf("%s: update of writer %d lost: %q", p.name, i, list)
			}
		}
	}
}
