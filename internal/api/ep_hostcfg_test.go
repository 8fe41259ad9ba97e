package api_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
	"hostadm/internal/nodecfg"
)

// chronydOnly lets the real chronyd check configurations; every other
// command must have been recorded.
type chronydOnly struct{}

func (chronydOnly) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	if c.Argv[0] == "chronyd" {
		return host.ExecRunner{}.Run(ctx, c)
	}
	return host.Result{}, errors.New("not recorded: " + strings.Join(c.Argv, " "))
}

func hostEnv(t *testing.T, prepare func(root string)) (*daemontest.Env, *host.Recorder) {
	t.Helper()
	rec := host.NewRecorder()
	rec.Fallback = chronydOnly{}
	env := daemontest.Start(t, daemontest.Options{Runner: rec, Prepare: prepare})
	return env, rec
}

func writeRoot(t *testing.T, root, p, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
	if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRoot(t *testing.T, root, p string) string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(root, p))
	return string(b)
}

// waitHostTask waits for a task and returns its exit status.
func waitHostTask(t *testing.T, env *daemontest.Env, upid string) string {
	t.Helper()
	for range 200 {
		st := env.MustOK(env.RootAuth(), "GET", "/nodes/testnode/tasks/"+url.PathEscape(upid)+"/status", nil).Data.(map[string]any)
		if st["status"] == "stopped" {
			return st["exitstatus"].(string)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("task did not finish")
	return ""
}

func TestHostDNSAndHosts(t *testing.T) {
	env, _ := hostEnv(t, func(root string) {
		writeRoot(t, root, "/etc/resolv.conf", "# keep me\nsearch old.example\nnameserver 192.0.2.1\noptions rotate\n")
		writeRoot(t, root, "/etc/hosts", "127.0.0.1 localhost\n")
	})
	root := env.RootAuth()
	got := env.MustOK(root, "GET", "/nodes/testnode/dns", nil).Data.(map[string]any)
	if got["search"] != "old.example" || got["dns1"] != "192.0.2.1" || got["dns2"] != nil {
		t.Fatalf("dns %v", got)
	}
	env.MustOK(root, "PUT", "/nodes/testnode/dns", url.Values{"search": {"example.com"}, "dns1": {"2001:db8::53"}, "dns2": {"0.0.0.0"}})
	if f := readRoot(t, env.Root, "/etc/resolv.conf"); f != "search example.com\nnameserver 2001:db8::53\n# keep me\noptions rotate\n" {
		t.Fatalf("resolv.conf %q", f)
	}
	for _, tc := range []struct {
		params url.Values
		param  string
	}{
		{url.Values{"search": {"a.example\nnameserver 6.6.6.6"}}, "search"},
		{url.Values{"search": {"a.example"}, "dns1": {"not-an-ip"}}, "dns1"},
		{url.Values{"dns1": {"192.0.2.1"}}, "search"},
	} {
		r := env.Do(root, "PUT", "/nodes/testnode/dns", tc.params)
		if r.Status != 400 || r.Errors[tc.param] == "" {
			t.Errorf("%v: %d %v", tc.params, r.Status, r.Errors)
		}
	}
	if f := readRoot(t, env.Root, "/etc/resolv.conf"); !strings.HasPrefix(f, "search example.com\n") {
		t.Fatalf("bad input changed resolv.conf: %q", f)
	}

	h := env.MustOK(root, "GET", "/nodes/testnode/hosts", nil).Data.(map[string]any)
	digest := h["digest"].(string)
	if h["data"] != "127.0.0.1 localhost\n" || digest != host.Digest([]byte("127.0.0.1 localhost\n")) {
		t.Fatalf("hosts %v", h)
	}
	for _, tc := range []struct{ data, msg string }{
		{"127.0.0.1 localhost\n192.0.2.300 pve1\n", "Invalid IP '192.0.2.300'"},
		{"192.0.2.1 pve1;reboot\n", "Invalid Hostname 'pve1;reboot'"},
	} {
		r := env.Do(root, "POST", "/nodes/testnode/hosts", url.Values{"data": {tc.data}})
		if r.Status != 400 || r.Errors["data"] != tc.msg {
			t.Errorf("%q: %d %v", tc.data, r.Status, r.Errors)
		}
	}
	r := env.Do(root, "POST", "/nodes/testnode/hosts", url.Values{"data": {"127.0.0.1 x\n"}, "digest": {strings.Repeat("a", 40)}})
	if r.Status != 500 || !strings.HasPrefix(r.Message, "detected modified configuration") {
		t.Fatalf("stale digest: %d %q", r.Status, r.Message)
	}
	env.MustOK(root, "POST", "/nodes/testnode/hosts", url.Values{"data": {"127.0.0.1 localhost\n192.0.2.1 pve1.example.com pve1\n"}, "digest": {digest}})
	if f := readRoot(t, env.Root, "/etc/hosts"); f != "127.0.0.1 localhost\n192.0.2.1 pve1.example.com pve1\n" {
		t.Fatalf("hosts %q", f)
	}
}

func TestHostTime(t *testing.T) {
	env, _ := hostEnv(t, func(root string) {
		os.MkdirAll(filepath.Join(root, "usr/share"), 0o755)
		os.Symlink("/usr/share/zoneinfo", filepath.Join(root, "usr/share/zoneinfo"))
		writeRoot(t, root, "/etc/timezone", "UTC\n")
	})
	root := env.RootAuth()
	env.MustOK(root, "PUT", "/nodes/testnode/time", url.Values{"timezone": {"Asia/Tokyo"}})
	got := env.MustOK(root, "GET", "/nodes/testnode/time", nil).Data.(map[string]any)
	if got["timezone"] != "Asia/Tokyo" || got["localtime"].(float64)-got["time"].(float64) != 9*3600 {
		t.Fatalf("time %v", got)
	}
	for _, bad := range []string{"Asia/Atlantis", "../../../etc/shadow"} {
		r := env.Do(root, "PUT", "/nodes/testnode/time", url.Values{"timezone": {bad}})
		if r.Status != 400 || r.Errors["timezone"] != "No such timezone" {
			t.Errorf("%q: %d %v", bad, r.Status, r.Errors)
		}
	}
	if readRoot(t, env.Root, "/etc/timezone") != "Asia/Tokyo\n" {
		t.Error("bad zone changed /etc/timezone")
	}
}

func TestHostNodeConfig(t *testing.T) {
	env, _ := hostEnv(t, nil)
	root := env.RootAuth()
	env.MustOK(root, "PUT", "/nodes/testnode/config", url.Values{
		"description": {"Rack 4: top"}, "wakeonlan": {"aa:bb:cc:dd:ee:f0,bind-interface=vmbr0"},
		"startall-onboot-delay": {"15"}, "acmedomain0": {"pve1.example.com"},
	})
	got := env.MustOK(root, "GET", "/nodes/testnode/config", nil).Data.(map[string]any)
	if got["description"] != "Rack 4: top\n" || got["startall-onboot-delay"] != float64(15) || got["digest"] == nil {
		t.Fatalf("config %v", got)
	}
	one := env.MustOK(root, "GET", "/nodes/testnode/config", url.Values{"property": {"wakeonlan"}}).Data.(map[string]any)
	if len(one) != 1 || one["wakeonlan"] != "aa:bb:cc:dd:ee:f0,bind-interface=vmbr0" {
		t.Fatalf("property %v", one)
	}
	none := env.MustOK(root, "GET", "/nodes/testnode/config", url.Values{"property": {"acme"}}).Data.(map[string]any)
	if len(none) != 0 {
		t.Fatalf("absent property %v", none)
	}
	for _, tc := range []struct {
		params      url.Values
		status      int
		param, text string
	}{
		{url.Values{"wakeonlan": {"01:bb:cc:dd:ee:f0"}}, 400, "wakeonlan", "invalid format - format error\nmac: invalid format - value does not look like a valid unicast MAC address\n"},
		{url.Values{"startall-onboot-delay": {"301"}}, 400, "startall-onboot-delay", "value must have a maximum value of 300"},
		{url.Values{"acme": {"domains=PVE1.example.com"}}, 500, "", "duplicate domain 'pve1.example.com' in ACME config properties 'acmedomain0' and 'acme'\n"},
		{url.Values{"acmedomain1": {"x.example.com,plugin=missing"}}, 500, "", "plugin 'missing' for domain 'x.example.com' not found!\n"},
		{url.Values{"description": {"x"}, "digest": {strings.Repeat("0", 40)}}, 500, "", "detected modified configuration - file changed by other user? Try again.\n"},
	} {
		r := env.Do(root, "PUT", "/nodes/testnode/config", tc.params)
		if r.Status != tc.status || (tc.param != "" && r.Errors[tc.param] != tc.text) || (tc.param == "" && r.Message != tc.text) {
			t.Errorf("%v: %d %q %v", tc.params, r.Status, r.Message, r.Errors)
		}
	}
	after := env.MustOK(root, "GET", "/nodes/testnode/config", nil).Data.(map[string]any)
	if after["digest"] != got["digest"] {
		t.Fatal("bad input changed the file")
	}
	env.MustOK(root, "PUT", "/nodes/testnode/config", url.Values{"delete": {"description,acmedomain0"}, "digest": {got["digest"].(string)}})
	after = env.MustOK(root, "GET", "/nodes/testnode/config", nil).Data.(map[string]any)
	if after["description"] != nil || after["acmedomain0"] != nil || after["wakeonlan"] == nil {
		t.Fatalf("after delete %v", after)
	}
}

func TestHostWakeOnLAN(t *testing.T) {
	env, _ := hostEnv(t, nil)
	root := env.RootAuth()
	var sent []nodecfg.Packet
	node := env.Server.Node()
	node.Services.NodeCfg = nodecfg.New(nodecfg.Config{Store: node.Store(), Root: node.Services.Root, Node: "testnode",
		Send: func(_ context.Context, p nodecfg.Packet) error { sent = append(sent, p); return nil }})
	env.MustOK(root, "PUT", "/nodes/testnode/config", url.Values{"wakeonlan": {"02:00:00:00:00:01,broadcast-address=192.0.2.255,bind-interface=vmbr0"}})
	node.Store().Put(context.Background(), "nodes/pve2/config", []byte("wakeonlan: aa:bb:cc:dd:ee:f0\n"), 0)
	node.Store().Put(context.Background(), "nodes/pve3/config", []byte("description: no mac\n"), 0)
	r := env.MustOK(root, "POST", "/nodes/pve2/wakeonlan", nil)
	if r.Data != "aa:bb:cc:dd:ee:f0" || len(sent) != 1 || sent[0].Broadcast.String() != "192.0.2.255" ||
		sent[0].Interface != "vmbr0" || len(sent[0].Payload) != 102 {
		t.Fatalf("answer %v sent %+v", r.Data, sent)
	}
	for node, msg := range map[string]string{
		"testnode": "'testnode' is local node, cannot wake my self!\n",
		"pve3":     "No wake on LAN MAC address defined for 'pve3'!\n",
		"pve9":     "no such cluster node 'pve9'\n",
	} {
		if r := env.Do(root, "POST", "/nodes/"+node+"/wakeonlan", nil); r.Status != 500 || r.Message != msg {
			t.Errorf("%s: %d %q", node, r.Status, r.Message)
		}
	}
}

func TestHostServicesAndLogs(t *testing.T) {
	env, rec := hostEnv(t, nil)
	root := env.RootAuth()
	show, _ := os.ReadFile("../hostcfg/testdata/systemctl-show-chrony.txt")
	rec.On([]string{"systemctl", "show", "--property=Id,Description,LoadState,ActiveState,SubState,UnitFileState,Type,Result", "chrony"},
		host.Reply{Stdout: string(show)})
	list := env.MustOK(root, "GET", "/nodes/testnode/services", nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["state"] != "running" {
		t.Fatalf("services %v", list)
	}
	rec.On([]string{"systemctl", "restart", "chrony"}, host.Reply{})
	upid := env.MustOK(root, "POST", "/nodes/testnode/services/chrony/restart", nil).Data.(string)
	if !strings.Contains(upid, ":srvrestart:chrony:root@pam:") || waitHostTask(t, env, upid) != "OK" {
		t.Fatalf("task %s", upid)
	}
	if !slices.Contains(rec.Calls(), "systemctl restart chrony") {
		t.Errorf("transcript %q", rec.Calls())
	}
	if r := env.Do(root, "POST", "/nodes/testnode/services/pveproxy/stop", nil); r.Status != 500 || r.Message != "refusing to stop essential service!\n" {
		t.Errorf("stop pveproxy: %d %q", r.Status, r.Message)
	}
	if r := env.Do(root, "POST", "/nodes/testnode/services/nginx/start", nil); r.Status != 400 {
		t.Errorf("unknown service: %d", r.Status)
	}
	short, _ := os.ReadFile("../hostcfg/testdata/journalctl-short.txt")
	rec.On([]string{"journalctl", "-o", "short", "--no-pager", "--unit", "chrony"}, host.Reply{Stdout: string(short)})
	r := env.MustOK(root, "GET", "/nodes/testnode/syslog", url.Values{"service": {"chrony"}, "start": {"3"}})
	if *r.Total != 5 || len(r.Data.([]any)) != 2 {
		t.Fatalf("syslog total %v data %v", *r.Total, r.Data)
	}
	if r := env.Do(root, "GET", "/nodes/testnode/journal", url.Values{"since": {"1"}, "startcursor": {"x"}}); r.Status != 400 {
		t.Errorf("conflict: %d", r.Status)
	}
}

func TestHostNTPChrony(t *testing.T) {
	if _, err := exec.LookPath("chronyd"); err != nil {
		t.Skip("chronyd (Debian package chrony) is missing")
	}
	conf, err := os.ReadFile("../hostcfg/chronyconf/testdata/debian12.in")
	if err != nil {
		t.Fatal(err)
	}
	env, rec := hostEnv(t, func(root string) { writeRoot(t, root, "/etc/chrony/chrony.conf", string(conf)) })
	root := env.RootAuth()
	rec.On([]string{"systemctl", "restart", "chrony"}, host.Reply{})
	upid := env.MustOK(root, "PUT", "/nodes/testnode/ntp", url.Values{"servers": {"ntp1.example.com 192.0.2.123"}}).Data.(string)
	if waitHostTask(t, env, upid) != "OK" || !strings.Contains(upid, ":srvrestart:chrony:") {
		t.Fatalf("restart task %s", upid)
	}
	want := "# Managed by hostadm (PUT /nodes/{node}/ntp): NTP sources for chrony.\n# Changes made here are overwritten.\n" +
		"server ntp1.example.com iburst\nserver 192.0.2.123 iburst\n"
	if got := readRoot(t, env.Root, "/etc/chrony/sources.d/hostadm.sources"); got != want {
		t.Fatalf("sources file %q", got)
	}
	if readRoot(t, env.Root, "/etc/chrony/chrony.conf") != string(conf) {
		t.Error("chrony.conf changed")
	}
	checked := false
	for _, c := range rec.Calls() {
		checked = checked || strings.HasPrefix(c, "chronyd -p -f "+env.Root)
	}
	if !checked {
		t.Errorf("chronyd did not check: %q", rec.Calls())
	}
	got := env.MustOK(root, "GET", "/nodes/testnode/ntp", nil).Data.(map[string]any)
	if got["daemon"] != "chrony" || len(got["sources"].([]any)) != 3 {
		t.Fatalf("ntp %v", got)
	}
	r := env.Do(root, "PUT", "/nodes/testnode/ntp", url.Values{"servers": {"bad_host!"}})
	if r.Status != 400 || readRoot(t, env.Root, "/etc/chrony/sources.d/hostadm.sources") != want {
		t.Errorf("bad server: %d %v", r.Status, r.Errors)
	}
}

func TestHostKSMAndSysctl(t *testing.T) {
	env, rec := hostEnv(t, func(root string) {
		for k, v := range map[string]string{"run": "1", "pages_sharing": "1000", "pages_shared": "10", "full_scans": "7"} {
			writeRoot(t, root, "/sys/kernel/mm/ksm/"+k, v+"\n")
		}
		writeRoot(t, root, "/proc/sys/vm/swappiness", "60\n")
		writeRoot(t, root, "/etc/sysctl.d/10-other.conf", "kernel.panic = 10\n")
	})
	root := env.RootAuth()
	tuned, _ := os.ReadFile("../hostcfg/testdata/systemctl-show-ksmtuned.txt")
	rec.On([]string{"systemctl", "show", "--property=Id,Description,LoadState,ActiveState,SubState,UnitFileState,Type,Result", "ksmtuned"},
		host.Reply{Stdout: string(tuned)})
	got := env.MustOK(root, "GET", "/nodes/testnode/ksm", nil).Data.(map[string]any)
	if got["run"] != float64(1) || got["merged_bytes"] != float64(1000*os.Getpagesize()) {
		t.Fatalf("ksm %v", got)
	}
	rec.On([]string{"systemctl", "stop", "ksmtuned"}, host.Reply{})
	rec.On([]string{"systemctl", "disable", "ksmtuned"}, host.Reply{})
	upid := env.MustOK(root, "PUT", "/nodes/testnode/ksm", url.Values{"enable": {"0"}}).Data.(string)
	if waitHostTask(t, env, upid) != "OK" || readRoot(t, env.Root, "/sys/kernel/mm/ksm/run") != "2\n" {
		t.Fatalf("disable task %s", upid)
	}
	calls := rec.Calls()
	if i := slices.Index(calls, "systemctl stop ksmtuned"); i < 0 || calls[i+1] != "systemctl disable ksmtuned" {
		t.Errorf("transcript %q", calls)
	}

	snippet := filepath.Join(env.Root, "etc/sysctl.d/99-hostadm.conf")
	rec.On([]string{"sysctl", "-p", snippet}, host.Reply{})
	env.MustOK(root, "PUT", "/nodes/testnode/sysctl", url.Values{"swappiness": {"10"}, "ipv6": {"0"}})
	want := "# Managed by hostadm (PUT /nodes/{node}/sysctl): swappiness and IPv6.\nvm.swappiness = 10\n" +
		"net.ipv6.conf.all.disable_ipv6 = 1\nnet.ipv6.conf.default.disable_ipv6 = 1\n"
	if f := readRoot(t, env.Root, "/etc/sysctl.d/99-hostadm.conf"); f != want {
		t.Fatalf("snippet %q", f)
	}
	if readRoot(t, env.Root, "/etc/sysctl.d/10-other.conf") != "kernel.panic = 10\n" {
		t.Error("other sysctl file touched")
	}
	for _, bad := range []url.Values{{"swappiness": {"201"}}, {"swappiness": {"10\nkernel.panic=1"}}, {"ipv6": {"yes"}}} {
		if r := env.Do(root, "PUT", "/nodes/testnode/sysctl", bad); r.Status != 400 {
			t.Errorf("%v: %d", bad, r.Status)
		}
	}
	// The recorder hands out the recorded "ok" once more before the failure.
	rec.On([]string{"sysctl", "-p", snippet}, host.Reply{ExitCode: 255, Stderr: "sysctl: permission denied on key \"vm.swappiness\""})
	env.MustOK(root, "PUT", "/nodes/testnode/sysctl", url.Values{"swappiness": {"10"}})
	if r := env.Do(root, "PUT", "/nodes/testnode/sysctl", url.Values{"swappiness": {"5"}}); r.Status != 500 {
		t.Errorf("failed apply: %d", r.Status)
	}
	if f := readRoot(t, env.Root, "/etc/sysctl.d/99-hostadm.conf"); f != want {
		t.Errorf("failed apply left %q", f)
	}
}
