package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/guests/gueststest"
)

// qemuEnv starts a daemon and kills, by PID, every QEMU it started when
// the test ends (also on failure).
func qemuEnv(t *testing.T) *daemontest.Env {
	t.Helper()
	gueststest.NeedQEMU(t)
	env := daemontest.Start(t)
	root := env.Server.Node().Services.Root.Dir()
	t.Cleanup(func() { gueststest.KillUnder(root) })
	return env
}

func TestQemuAPI(t *testing.T) {
	env := qemuEnv(t)
	root := env.RootAuth()
	node := "/nodes/" + daemontest.Node
	create := func(v url.Values) *daemontest.Response { return env.Do(root, "POST", node+"/qemu", v) }

	t.Run("bad input", func(t *testing.T) {
		cases := []struct {
			v      url.Values
			status int
			param  string
			msg    string
		}{
			{url.Values{"vmid": {"100"}, "net0": {"virtio,bridge=vmbr0"}}, 400, "net0", "not supported by hostadm"},
			{url.Values{"vmid": {"100"}, "scsi0": {"local-lvm:4"}}, 400, "scsi0", "not supported by hostadm"},
			{url.Values{"vmid": {"100"}, "args": {"-S"}}, 400, "args", "option 'args' is not supported by hostadm"},
			{url.Values{"vmid": {"100"}, "bogus": {"1"}}, 400, "bogus", "property is not defined in schema"},
			{url.Values{"vmid": {"100"}, "memory": {"8"}}, 400, "memory", "minimum value of 16"},
			{url.Values{"vmid": {"100"}, "memory": {"64"}, "balloon": {"128"}}, 400, "balloon", "balloon value too large"},
			{url.Values{"vmid": {"99"}}, 400, "vmid", ""},
		}
		for _, c := range cases {
			r := create(c.v)
			if r.Status != c.status || !strings.Contains(r.Errors[c.param], c.msg) {
				t.Errorf("%v: %d %v %s", c.v, r.Status, r.Errors, r.Message)
			}
		}
		if ids := env.MustOK(root, "GET", node+"/qemu", nil).Data.([]any); len(ids) != 0 {
			t.Fatalf("bad input created VMs: %v", ids)
		}
	})

	for _, v := range []url.Values{
		{"vmid": {"100"}, "name": {"alpha"}, "memory": {"32"}, "onboot": {"1"}, "startup": {"order=2"}},
		{"vmid": {"101"}, "name": {"beta"}, "memory": {"64"}, "balloon": {"32"}, "onboot": {"1"}, "startup": {"order=1,up=0"}},
	} {
		upid := env.MustOK(root, "POST", node+"/qemu", v).Data.(string)
		if st, log := waitTask(t, env, upid); st != "OK" {
			t.Fatalf("create: %s %s", st, log)
		}
	}
	if r := create(url.Values{"vmid": {"100"}, "memory": {"32"}}); r.Status != 500 || !strings.Contains(r.Message, "VM 100 already exists on node") {
		t.Errorf("duplicate vmid: %d %s", r.Status, r.Message)
	}
	if got := env.MustOK(root, "GET", "/cluster/nextid", nil).Data; got != float64(102) {
		t.Errorf("nextid %v", got)
	}
	if r := env.Do(root, "GET", "/cluster/nextid", url.Values{"vmid": {"100"}}); r.Status != 400 {
		t.Errorf("nextid for a used id: %d", r.Status)
	}
	res := env.MustOK(root, "GET", "/cluster/resources", url.Values{"type": {"vm"}}).Data.([]any)
	if len(res) != 2 || res[0].(map[string]any)["id"] != "qemu/100" || res[0].(map[string]any)["node"] != daemontest.Node ||
		res[1].(map[string]any)["maxmem"] != float64(64<<20) || res[1].(map[string]any)["status"] != "stopped" {
		t.Errorf("cluster resources %v", res)
	}
	cfg := env.MustOK(root, "GET", node+"/qemu/100/config", nil).Data.(map[string]any)
	if cfg["name"] != "alpha" || cfg["memory"] != "32" || cfg["onboot"] != float64(1) || cfg["digest"] == "" {
		t.Errorf("config %v", cfg)
	}
	if r := env.Do(root, "PUT", node+"/qemu/100/config", url.Values{"description": {"hello"}, "digest": {strings.Repeat("1", 40)}}); r.Status != 500 {
		t.Errorf("stale digest: %d %s", r.Status, r.Message)
	}
	env.MustOK(root, "PUT", node+"/qemu/100/config", url.Values{"description": {"hello"}, "delete": {"startup"}, "digest": {cfg["digest"].(string)}})
	cfg = env.MustOK(root, "GET", node+"/qemu/100/config", nil).Data.(map[string]any)
	if cfg["description"] != "hello\n" || cfg["startup"] != nil {
		t.Errorf("after update %v", cfg)
	}
	if r := env.Do(root, "PUT", node+"/qemu/100/config", url.Values{"delete": {"net0"}}); r.Status != 400 || !strings.Contains(r.Errors["net0"], "not supported by hostadm") {
		t.Errorf("delete net0: %d %v", r.Status, r.Errors)
	}

	// Permissions: VM.PowerMgmt on one VM allows startall for that VM only.
	op := env.AddUser("op@pve", "op-password", map[string]string{"/vms/101": "PVEVMUser"})
	if r := env.Do(op, "POST", node+"/startall", nil); r.Status != 403 || !strings.Contains(r.Message, "Permission check failed (/, VM.PowerMgmt)") {
		t.Errorf("startall without vms as op: %d %s", r.Status, r.Message)
	}
	if r := env.Do(op, "POST", node+"/startall", url.Values{"vms": {"100"}}); r.Status != 403 {
		t.Errorf("startall of VM 100 as op: %d", r.Status)
	}
	if r := env.Do(root, "POST", node+"/startall", url.Values{"vms": {"100,999"}}); r.Status != 400 || !strings.Contains(r.Errors["vms"], "VM 999 does not exist") {
		t.Errorf("startall with an unknown VM: %d %v", r.Status, r.Errors)
	}
	if r := env.Do(root, "POST", node+"/migrateall", url.Values{"target": {daemontest.Node}}); r.Status != 400 || r.Errors["target"] != "target is local node." {
		t.Errorf("migrateall to self: %d %v", r.Status, r.Errors)
	}
	if r := env.Do(root, "POST", node+"/migrateall", url.Values{"target": {"elsewhere"}, "max-workers": {"1"}}); r.Status != 500 || r.Message != "no such cluster node 'elsewhere'\n" {
		t.Errorf("migrateall to an unknown node: %d %q", r.Status, r.Message)
	}
	list := env.MustOK(root, "GET", node+"/qemu", nil).Data.([]any)
	for _, e := range list {
		if e.(map[string]any)["status"] != "stopped" {
			t.Fatalf("bad input started a VM: %v", e)
		}
	}

	upid := env.MustOK(op, "POST", node+"/startall", url.Values{"vms": {"101"}}).Data.(string)
	st, log := waitTask(t, env, upid)
	if st != "OK" || !strings.Contains(log, "Starting VM 101\n") || strings.Contains(log, "VM 100") {
		t.Fatalf("startall as op: %s\n%s", st, log)
	}
	cur := env.MustOK(op, "GET", node+"/qemu/101/status/current", nil).Data.(map[string]any)
	if cur["status"] != "running" || cur["qmpstatus"] != "running" || cur["balloon"] != float64(64<<20) || cur["maxmem"] != float64(64<<20) {
		t.Errorf("status %v", cur)
	}
	if r := env.Do(op, "GET", node+"/qemu/100/status/current", nil); r.Status != 403 {
		t.Errorf("op reads VM 100: %d", r.Status)
	}
	if l := env.MustOK(op, "GET", node+"/qemu", nil).Data.([]any); len(l) != 1 {
		t.Errorf("op's VM list %v", l)
	}
	for _, a := range []struct{ action, want string }{{"suspend", "paused"}, {"resume", "running"}, {"reset", "running"}} {
		upid := env.MustOK(root, "POST", node+"/qemu/101/status/"+a.action, nil).Data.(string)
		if st, log := waitTask(t, env, upid); st != "OK" {
			t.Fatalf("%s: %s %s", a.action, st, log)
		}
		if cur := env.MustOK(root, "GET", node+"/qemu/101/status/current", nil).Data.(map[string]any); cur["qmpstatus"] != a.want {
			t.Errorf("after %s: %v", a.action, cur["qmpstatus"])
		}
	}
	if r := env.Do(root, "POST", node+"/qemu/100/status/stop", nil); r.Status != 500 || r.Message != "VM 100 not running\n" {
		t.Errorf("stop of a stopped VM: %d %s", r.Status, r.Message)
	}
	if r := env.Do(root, "DELETE", node+"/qemu/101", nil); r.Status != 500 || !strings.Contains(r.Message, "is running - destroy failed") {
		t.Errorf("destroy a running VM: %d %s", r.Status, r.Message)
	}
	// Shutdown of firmware that ignores ACPI, with forceStop after 1 s.
	upid = env.MustOK(root, "POST", node+"/qemu/101/status/shutdown", url.Values{"timeout": {"1"}, "forceStop": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "WARNINGS: 1" || !strings.Contains(log, "VM still running - terminating now with SIGTERM") {
		t.Errorf("shutdown: %s\n%s", st, log)
	}
	upid = env.MustOK(root, "DELETE", node+"/qemu/101", nil).Data.(string)
	if st, _ := waitTask(t, env, upid); st != "OK" {
		t.Errorf("destroy: %s", st)
	}
	if r := env.Do(root, "GET", node+"/qemu/101/config", nil); r.Status != 500 || !strings.Contains(r.Message, "does not exist") {
		t.Errorf("config after destroy: %d %s", r.Status, r.Message)
	}
}

// TestQemuSurvivesDaemonRestart starts a VM, stops the daemon and starts a
// new one over the same root: the new daemon finds the VM running (same
// QEMU process) and can stop it.
func TestQemuSurvivesDaemonRestart(t *testing.T) {
	env := qemuEnv(t)
	node := "/nodes/" + daemontest.Node
	env.MustOK(env.RootAuth(), "POST", node+"/qemu", url.Values{"vmid": {"130"}, "memory": {"32"}})
	upid := env.MustOK(env.RootAuth(), "POST", node+"/qemu/130/status/start", nil).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" {
		t.Fatalf("start: %s %s", st, log)
	}
	before := env.MustOK(env.RootAuth(), "GET", node+"/qemu/130/status/current", nil).Data.(map[string]any)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	again := daemontest.Restart(t, env)
	after := again.MustOK(again.RootAuth(), "GET", node+"/qemu/130/status/current", nil).Data.(map[string]any)
	if after["status"] != "running" || after["qmpstatus"] != "running" || after["pid"] != before["pid"] {
		t.Fatalf("after restart %v (before %v)", after, before)
	}
	upid = again.MustOK(again.RootAuth(), "POST", node+"/qemu/130/status/stop", nil).Data.(string)
	if st, log := waitTask(t, again, upid); st != "OK" {
		t.Fatalf("stop: %s %s", st, log)
	}
	if cur := again.MustOK(again.RootAuth(), "GET", node+"/qemu/130/status/current", nil).Data.(map[string]any); cur["status"] != "stopped" {
		t.Errorf("after stop %v", cur)
	}
}
