package apt_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
)

const node = "/nodes/" + daemontest.Node

// waitTask polls a task until it stops and returns its exit status and log.
func waitTask(t *testing.T, env *daemontest.Env, auth daemontest.Auth, upid string) (string, string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		st := env.MustOK(auth, "GET", node+"/tasks/"+url.PathEscape(upid)+"/status", nil).Data.(map[string]any)
		if st["status"] == "stopped" {
			lines := env.MustOK(auth, "GET", node+"/tasks/"+url.PathEscape(upid)+"/log", url.Values{"limit": {"10000"}}).Data.([]any)
			var b strings.Builder
			for _, l := range lines {
				b.WriteString(l.(map[string]any)["t"].(string) + "\n")
			}
			return st["exitstatus"].(string), b.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("task %s did not finish", upid)
	return "", ""
}

// TestRealApt runs the update, list, changelog and upgrade endpoints
// against real apt-get and dpkg in a sandbox under the test root, with a
// signed repository served on loopback.
func TestRealApt(t *testing.T) {
	needTools(t)
	repo := newTestRepo(t)
	repo.publish(t, "bookworm", []testPkg{
		{"hello", "2.0", "newdep"}, {"newdep", "1.0", ""}, {"other", "1.0", ""}, {"intel-microcode", "3.20240910.1", ""},
	}, false)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		repo.prepareSandbox(t, root, "bookworm", []testPkg{{"hello", "1.0", ""}, {"keep", "1.0", ""}})
	}})
	auth := env.RootAuth()

	upid := env.MustOK(auth, "POST", node+"/apt/update", nil).Data.(string)
	if !strings.Contains(upid, ":aptupdate::") {
		t.Errorf("upid %s", upid)
	}
	status, log := waitTask(t, env, auth, upid)
	if status != "OK" || !strings.Contains(log, "starting apt-get update") {
		t.Fatalf("update task: %s\n%s", status, log)
	}
	proxy, _ := os.ReadFile(filepath.Join(env.Root, "etc/apt/apt.conf.d/76pveproxy"))
	if string(proxy) != "// no proxy configured\n" {
		t.Errorf("proxy file %q", proxy)
	}

	list := env.MustOK(auth, "GET", node+"/apt/update", nil).Data.([]any)
	got := map[string]map[string]any{}
	for _, e := range list {
		m := e.(map[string]any)
		got[m["Package"].(string)] = m
	}
	if len(got) != 2 || got["hello"] == nil || got["newdep"] == nil {
		t.Fatalf("upgradable list %v", list)
	}
	h := got["hello"]
	want := map[string]any{"Package": "hello", "Version": "2.0", "OldVersion": "1.0", "Origin": "HostadmTest",
		"Arch": "all", "Section": "admin", "Priority": "optional", "Title": "the hello test package",
		"Description": "First line of the long description. Second line."}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("hello %s = %v, want %v", k, h[k], v)
		}
	}
	if _, ok := got["newdep"]["OldVersion"]; ok {
		t.Errorf("new package has OldVersion: %v", got["newdep"])
	}
	if _, err := os.Stat(filepath.Join(env.Root, "var/lib/pve-manager/pkgupdates")); err != nil {
		t.Errorf("cache not written: %v", err)
	}

	cl := env.MustOK(auth, "GET", node+"/apt/changelog", url.Values{"name": {"hello"}, "version": {"2.0"}}).Data.(string)
	if !strings.HasPrefix(cl, "hello (2.0) bookworm; urgency=medium") {
		t.Errorf("changelog %q", cl)
	}
	cl = env.MustOK(auth, "GET", node+"/apt/changelog", url.Values{"name": {"nosuchpkg"}}).Data.(string)
	if !strings.HasSuffix(cl, "RC: 100") {
		t.Errorf("missing package changelog %q", cl)
	}
	if r := env.Do(auth, "GET", node+"/apt/changelog", url.Values{"name": {"Bad;name"}}); r.Status != 400 {
		t.Errorf("bad name: %d %v", r.Status, r.Errors)
	}

	vers := env.MustOK(auth, "GET", node+"/apt/versions", nil).Data.([]any)
	var micro map[string]any
	for _, v := range vers {
		if m := v.(map[string]any); m["Package"] == "intel-microcode" {
			micro = m
		}
	}
	if micro == nil || micro["CurrentState"] != "NotInstalled" || micro["Version"] != "3.20240910.1" || micro["Origin"] != "HostadmTest" {
		t.Errorf("versions: microcode entry %v in %v", micro, vers)
	}

	upid = env.MustOK(auth, "POST", node+"/apt/upgrade", nil).Data.(string)
	status, log = waitTask(t, env, auth, upid)
	if status != "OK" {
		t.Fatalf("upgrade task: %s\n%s", status, log)
	}
	if v := statusVersion(t, env.Root, "hello"); v != "2.0" {
		t.Errorf("hello after upgrade: %q\n%s", v, log)
	}
	if v := statusVersion(t, env.Root, "newdep"); v != "1.0" {
		t.Errorf("newdep after upgrade: %q", v)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "usr/share/doc/hello/VERSION")); err != nil {
		t.Errorf("files not installed into the sandbox: %v", err)
	}
	if !strings.Contains(log, "no reboot required") {
		t.Errorf("upgrade log lacks the reboot verdict:\n%s", log)
	}
	if list := env.MustOK(auth, "GET", node+"/apt/update", nil).Data.([]any); len(list) != 0 {
		t.Errorf("still upgradable after upgrade: %v", list)
	}
}

// TestRealAptBadSignature: a repository whose InRelease signature does
// not verify makes the update task fail with apt's error.
func TestRealAptBadSignature(t *testing.T) {
	needTools(t)
	repo := newTestRepo(t)
	repo.publish(t, "bookworm", []testPkg{{"hello", "2.0", ""}}, true)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		repo.prepareSandbox(t, root, "bookworm", nil)
	}})
	auth := env.RootAuth()
	upid := env.MustOK(auth, "POST", node+"/apt/update", url.Values{"quiet": {"1"}}).Data.(string)
	status, log := waitTask(t, env, auth, upid)
	if status == "OK" || !strings.Contains(log, "BADSIG") && !strings.Contains(log, "not signed") && !strings.Contains(log, "signatures were invalid") {
		t.Fatalf("bad signature: status %q\n%s", status, log)
	}
	if strings.Contains(log, "starting apt-get update") {
		t.Errorf("quiet run printed the banner")
	}
}
