package apt_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// intelCPU turns the test root's CPU into an Intel one, so the microcode
// package is intel-microcode.
func intelCPU(t *testing.T, root string) {
	p := filepath.Join(root, "proc/cpuinfo")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "AuthenticAMD", "GenuineIntel")), 0o644)
}

// TestRealMicrocode installs, downgrades, holds and unholds a fake
// intel-microcode package from a loopback repository with the real
// apt-get, apt-mark and dpkg in the sandbox, through the API's task.
func TestRealMicrocode(t *testing.T) {
	needTools(t)
	repo := newTestRepo(t)
	repo.publish(t, "bookworm", []testPkg{
		{"intel-microcode", "3.20240910.1", ""}, {"intel-microcode", "3.20250211.1", ""}, {"amd64-microcode", "3.20240820.1", ""},
	}, false)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		repo.prepareSandbox(t, root, "bookworm", nil)
		intelCPU(t, root)
	}})
	auth := env.RootAuth()
	if st, log := waitTask(t, env, auth, env.MustOK(auth, "POST", node+"/apt/update", nil).Data.(string)); st != "OK" {
		t.Fatalf("update: %s\n%s", st, log)
	}
	mc := func() map[string]any {
		return env.MustOK(auth, "GET", node+"/hardware/microcode", nil).Data.(map[string]any)
	}
	m := mc()
	if m["package"] != "intel-microcode" || m["vendor"] != "GenuineIntel" || m["installed"] != float64(0) ||
		strings.Join(strs(m["available"]), ",") != "3.20250211.1,3.20240910.1" {
		t.Fatalf("before: %v", m)
	}
	act := func(params url.Values) string {
		t.Helper()
		st, log := waitTask(t, env, auth, env.MustOK(auth, "POST", node+"/hardware/microcode", params).Data.(string))
		if st != "OK" {
			t.Fatalf("%v: %s\n%s", params, st, log)
		}
		return log
	}
	log := act(url.Values{"action": {"install"}})
	if !strings.Contains(log, "running apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install intel-microcode\n") {
		t.Errorf("install log:\n%s", log)
	}
	if v := statusVersion(t, env.Root, "intel-microcode"); v != "3.20250211.1" {
		t.Fatalf("installed %q\n%s", v, log)
	}
	act(url.Values{"action": {"downgrade"}, "version": {"3.20240910.1"}})
	if v := statusVersion(t, env.Root, "intel-microcode"); v != "3.20240910.1" {
		t.Fatalf("after downgrade %q", v)
	}
	act(url.Values{"action": {"hold"}})
	if m := mc(); m["held"] != float64(1) || m["version"] != "3.20240910.1" {
		t.Errorf("after hold: %v", m)
	}
	// A held package stays where it is on upgrade.
	if st, log := waitTask(t, env, auth, env.MustOK(auth, "POST", node+"/apt/upgrade", nil).Data.(string)); st != "OK" {
		t.Fatalf("upgrade: %s\n%s", st, log)
	}
	if m := mc(); m["version"] != "3.20240910.1" || m["installed"] != float64(1) || m["held"] != float64(1) {
		t.Errorf("held package after upgrade: %v", m)
	}
	act(url.Values{"action": {"unhold"}})
	if m := mc(); m["held"] != float64(0) {
		t.Errorf("after unhold: %v", m)
	}
	if v := statusVersion(t, env.Root, "amd64-microcode"); v != "" {
		t.Errorf("the other vendor's package was installed: %q", v)
	}

	status, _ := os.ReadFile(filepath.Join(env.Root, "var/lib/dpkg/status"))
	for _, bad := range []url.Values{
		{"action": {"downgrade"}},
		{"action": {"install"}, "version": {"9.9"}},
		{"action": {"install"}, "version": {"1.0;rm -rf /"}},
		{"action": {"hold"}, "version": {"3.20240910.1"}},
		{"action": {"purge"}},
	} {
		r := env.Do(auth, "POST", node+"/hardware/microcode", bad)
		if r.Status != 400 || len(r.Errors) == 0 {
			t.Errorf("%v: %d %v", bad, r.Status, r.Errors)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(env.Root, "var/lib/dpkg/status")); string(after) != string(status) {
		t.Error("refused requests changed the dpkg database")
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
