package cluster_test

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"hostadm/internal/guests/gueststest"
)

// vmStatus is a VM's status/current as asked of p (proxied to node).
func (p *proc) vmStatus(tok, node string, vmid int) (map[string]any, string) {
	r := p.call(tok, "GET", fmt.Sprintf("/nodes/%s/qemu/%d/status/current", node, vmid), nil)
	if r.status != 200 {
		return nil, r.reason + " " + r.body
	}
	return r.data.(map[string]any), r.body
}

// waitRunning waits until the VM runs on node with QEMU's run state
// "running" and returns its status.
func (p *proc) waitRunning(tok, node string, vmid int) map[string]any {
	p.t.Helper()
	var st map[string]any
	waitFor(p.t, fmt.Sprintf("VM %d running on %s", vmid, node), 30*time.Second, func() (bool, string) {
		var info string
		st, info = p.vmStatus(tok, node, vmid)
		return st != nil && st["status"] == "running" && st["qmpstatus"] == "running", info
	})
	return st
}

// vmids lists the VMIDs GET /nodes/NODE/qemu answers.
func (p *proc) vmids(tok, node string) []int {
	p.t.Helper()
	var out []int
	for _, e := range p.mustOK(tok, "GET", "/nodes/"+node+"/qemu", nil).([]any) {
		out = append(out, int(e.(map[string]any)["vmid"].(float64)))
	}
	return out
}

// qemuPIDs lists the QEMU processes of node p (their command lines name
// its root), of the VMs given or of all.
func (p *proc) qemuPIDs(vmids ...int) []int {
	var out []int
	for _, pid := range gueststest.Under(p.root) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if len(vmids) == 0 || slices.ContainsFunc(vmids, func(id int) bool {
			return strings.Contains(string(b), fmt.Sprintf("/qemu-server/%d.qmp", id))
		}) {
			out = append(out, pid)
		}
	}
	return out
}

// TestLiveMigration runs QEMU's live migration between real daemons of a
// cluster on loopback: migrateall moves two running VMs from A to B, a
// migration whose target daemon is killed midway leaves the VM running on
// A, and bad requests change nothing. The third node keeps the store
// quorate while B is dead, so it is the migration itself that must notice.
func TestLiveMigration(t *testing.T) {
	gueststest.NeedQEMU(t)
	begin := time.Now()
	phase := func(name string) { t.Logf("%5.1fs %s", time.Since(begin).Seconds(), name) }
	nodes, tok := formCluster(t)
	phase("cluster formed")
	a, b, c := nodes[0], nodes[1], nodes[2]
	t.Cleanup(func() {
		for _, p := range nodes {
			p.kill() // first, so that it starts no QEMU meanwhile
			gueststest.KillUnder(p.root)
		}
	})
	for _, id := range []int{101, 102} {
		a.mustOK(tok, "POST", "/nodes/nodea/qemu", url.Values{"vmid": {fmt.Sprint(id)}, "memory": {"64"}, "name": {fmt.Sprintf("mig%d", id)}})
		upid := a.mustOK(tok, "POST", fmt.Sprintf("/nodes/nodea/qemu/%d/status/start", id), nil).(string)
		if exit := a.waitTask(tok, upid); exit != "OK" {
			t.Fatalf("start %d: %s", id, exit)
		}
	}
	// Some uptime to carry over.
	var before float64
	waitFor(t, "uptime", 20*time.Second, func() (bool, string) {
		st, info := a.vmStatus(tok, "nodea", 102)
		if st == nil {
			return false, info
		}
		before = st["uptime"].(float64)
		return before >= 2, info
	})
	badRequests(t, nodes, tok)
	phase("VMs started, bad requests refused")

	upid := b.mustOK(tok, "POST", "/nodes/nodea/migrateall", url.Values{"target": {"nodeb"}, "max-workers": {"2"}}).(string)
	if exit := a.waitTask(tok, upid); exit != "OK" {
		t.Fatalf("migrateall: %s\n%s", exit, a.log())
	}
	for _, id := range []int{101, 102} {
		st := c.waitRunning(tok, "nodeb", id)
		if st["uptime"].(float64) < before {
			t.Errorf("VM %d uptime on B %v < %v on A: not carried over", id, st["uptime"], before)
		}
		if r := a.call(tok, "GET", fmt.Sprintf("/nodes/nodea/qemu/%d/config", id), nil); r.status == 200 ||
			!strings.Contains(r.msg, fmt.Sprintf("nodes/nodea/qemu-server/%d.conf' does not exist", id)) {
			t.Errorf("config of VM %d on A after the migration: %s %s", id, r.reason, r.body)
		}
		conf := a.mustOK(tok, "GET", fmt.Sprintf("/nodes/nodeb/qemu/%d/config", id), nil).(map[string]any)
		if conf["name"] != fmt.Sprintf("mig%d", id) || conf["memory"] != "64" {
			t.Errorf("config of VM %d on B: %v", id, conf)
		}
	}
	if pids := a.qemuPIDs(); len(pids) != 0 {
		t.Errorf("QEMU processes left on A: %v", pids)
	}
	if ids := a.vmids(tok, "nodea"); len(ids) != 0 {
		t.Errorf("VMs on A after migrateall: %v", ids)
	}
	phase("migrateall done")
	targetDies(t, nodes, tok)
	phase("target killed midway, restarted")
	sourceDies(t, nodes, tok)
	phase("source killed midway, restarted")
}

// taskLog is a task's log text as asked of p.
func (p *proc) taskLog(tok, upid string) string {
	node := strings.Split(upid, ":")[1]
	r := p.call(tok, "GET", "/nodes/"+node+"/tasks/"+url.PathEscape(upid)+"/log", url.Values{"limit": {"1000"}})
	var b strings.Builder
	if l, ok := r.data.([]any); ok {
		for _, e := range l {
			fmt.Fprintln(&b, e.(map[string]any)["t"])
		}
	}
	return b.String()
}

// targetDies kills B's daemon (SIGKILL) while a VM moves from A to B: the
// VM keeps running on A with its config there, A lists it and can stop and
// start it, and B, restarted, runs no copy of it.
func targetDies(t *testing.T, nodes []*proc, tok string) {
	a, b, c := nodes[0], nodes[1], nodes[2]
	a.mustOK(tok, "POST", "/nodes/nodea/qemu", url.Values{"vmid": {"103"}, "memory": {"64"}})
	if exit := a.waitTask(tok, a.mustOK(tok, "POST", "/nodes/nodea/qemu/103/status/start", nil).(string)); exit != "OK" {
		t.Fatalf("start 103: %s", exit)
	}
	// 64 KiB/s: the idle VM's ~600 KB of non-zero RAM take seconds.
	upid := c.mustOK(tok, "POST", "/nodes/nodea/qemu/103/migrate", url.Values{"target": {"nodeb"}, "online": {"1"}, "bwlimit": {"64"}}).(string)
	waitFor(t, "migration under way", 30*time.Second, func() (bool, string) {
		l := a.taskLog(tok, upid)
		return strings.Contains(l, "migration active") && len(b.qemuPIDs(103)) > 0, l
	})
	b.kill()
	exit := a.waitTask(tok, upid)
	log := a.taskLog(tok, upid)
	if exit != "migration aborted" || !strings.Contains(log, "target node 'nodeb' went offline") ||
		!strings.Contains(log, "VM 103 keeps running on node 'nodea'") {
		t.Fatalf("migration to a node killed midway: %s\n%s", exit, log)
	}
	a.waitRunning(tok, "nodea", 103)
	if ids := a.vmids(tok, "nodea"); !slices.Contains(ids, 103) {
		t.Errorf("VM 103 not listed on A: %v", ids)
	}
	a.mustOK(tok, "GET", "/nodes/nodea/qemu/103/config", nil)
	// B is offline now: migrations to it are refused before anything starts.
	for path, form := range map[string]url.Values{
		"/nodes/nodea/qemu/103/migrate": {"target": {"nodeb"}, "online": {"1"}},
		"/nodes/nodea/migrateall":       {"target": {"nodeb"}, "max-workers": {"1"}},
	} {
		if r := c.call(tok, "POST", path, form); r.status != 500 || r.msg != "target node 'nodeb' is offline\n" {
			t.Errorf("POST %s to the offline node: %s %s", path, r.reason, r.body)
		}
	}
	if ids := a.vmids(tok, "nodea"); !slices.Equal(ids, []int{103}) {
		t.Errorf("VMs on A after refused migrations to the offline node: %v", ids)
	}
	a.waitRunning(tok, "nodea", 103)
	b.start()
	waitFor(t, "B back", 40*time.Second, func() (bool, string) {
		q, st, info := a.status(tok)
		return q && st["nodeb"], info
	})
	// B runs the two VMs it received before, and no copy of 103.
	if ids := a.vmids(tok, "nodeb"); !slices.Equal(ids, []int{101, 102}) {
		t.Errorf("VMs on B after its restart: %v", ids)
	}
	for _, id := range []int{101, 102} {
		a.waitRunning(tok, "nodeb", id)
	}
	waitFor(t, "no copy of VM 103 on B", 30*time.Second, func() (bool, string) {
		pids := b.qemuPIDs(103)
		return len(pids) == 0, fmt.Sprint(pids)
	})
	for _, action := range []string{"stop", "start"} {
		u := c.mustOK(tok, "POST", "/nodes/nodea/qemu/103/status/"+action, nil).(string)
		if exit := a.waitTask(tok, u); exit != "OK" {
			t.Errorf("%s of VM 103 after the failed migration: %s", action, exit)
		}
	}
	a.waitRunning(tok, "nodea", 103)
}

// sourceDies kills A's daemon while a VM moves from A to B: B gives its
// incoming copy up, the VM runs on on A, and A, restarted, clears the
// request, so that the VM then migrates again, at full speed (the failed
// attempt's bandwidth cap does not stay in its QEMU).
func sourceDies(t *testing.T, nodes []*proc, tok string) {
	a, b, c := nodes[0], nodes[1], nodes[2]
	c.mustOK(tok, "POST", "/nodes/nodea/qemu", url.Values{"vmid": {"104"}, "memory": {"64"}})
	if exit := c.waitTask(tok, c.mustOK(tok, "POST", "/nodes/nodea/qemu/104/status/start", nil).(string)); exit != "OK" {
		t.Fatalf("start 104: %s", exit)
	}
	upid := c.mustOK(tok, "POST", "/nodes/nodea/qemu/104/migrate", url.Values{"target": {"nodeb"}, "online": {"1"}, "bwlimit": {"64"}}).(string)
	waitFor(t, "migration under way", 30*time.Second, func() (bool, string) {
		l := a.taskLog(tok, upid)
		return strings.Contains(l, "migration active") && len(b.qemuPIDs(104)) > 0, l
	})
	a.kill()
	waitFor(t, "B gives its copy of VM 104 up", 30*time.Second, func() (bool, string) {
		pids := b.qemuPIDs(104)
		return len(pids) == 0, fmt.Sprint(pids)
	})
	if len(a.qemuPIDs(104)) != 1 {
		t.Fatalf("VM 104's QEMU on A: %v", a.qemuPIDs(104))
	}
	a.start()
	waitFor(t, "A back", 40*time.Second, func() (bool, string) {
		q, st, info := c.status(tok)
		return q && st["nodea"], info
	})
	c.waitRunning(tok, "nodea", 104)
	if ids := c.vmids(tok, "nodea"); !slices.Equal(ids, []int{103, 104}) {
		t.Errorf("VMs on A after its restart: %v", ids)
	}
	upid = c.mustOK(tok, "POST", "/nodes/nodea/qemu/104/migrate", url.Values{"target": {"nodeb"}, "online": {"1"}}).(string)
	if exit := c.waitTask(tok, upid); exit != "OK" {
		t.Fatalf("migration of VM 104 after A's restart: %s\n%s", exit, c.taskLog(tok, upid))
	}
	c.waitRunning(tok, "nodeb", 104)
}

// badRequests: a VM that does not exist, the node itself or an unknown
// node as target: clear errors, nothing started or changed.
func badRequests(t *testing.T, nodes []*proc, tok string) {
	a := nodes[0]
	cases := []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/nodes/nodea/qemu/999/migrate", url.Values{"target": {"nodeb"}}, 500, "Configuration file 'nodes/nodea/qemu-server/999.conf' does not exist"},
		{"/nodes/nodea/migrateall", url.Values{"target": {"nodeb"}, "vms": {"999"}, "max-workers": {"1"}}, 400, "VM 999 does not exist on node 'nodea'"},
		{"/nodes/nodea/qemu/101/migrate", url.Values{"target": {"nodea"}, "online": {"1"}}, 400, "target is local node."},
		{"/nodes/nodea/migrateall", url.Values{"target": {"nodea"}, "max-workers": {"1"}}, 400, "target is local node."},
		{"/nodes/nodea/migrateall", url.Values{"target": {"nowhere"}, "max-workers": {"1"}}, 500, "no such cluster node 'nowhere'"},
	}
	for _, c := range cases {
		r := nodes[1].call(tok, "POST", c.path, c.form)
		if r.status != c.status || !strings.Contains(r.body, c.want) {
			t.Errorf("POST %s %v: %s %s; want %d %q", c.path, c.form, r.reason, r.body, c.status, c.want)
		}
	}
	if ids := a.vmids(tok, "nodea"); len(ids) != 2 {
		t.Errorf("VMs on A after refused migrations: %v", ids)
	}
	for _, p := range nodes[1:] {
		if pids := p.qemuPIDs(); len(pids) != 0 {
			t.Errorf("QEMU started on %s: %v", p.name, pids)
		}
	}
}
