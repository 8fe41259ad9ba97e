package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

const smartdBefore = "# admin notes\nDEVICESCAN -d removable -n standby -m root -M exec /usr/share/smartmontools/smartd-runner\n"

// TestSmartdEndpoints: set the DEVICESCAN schedule and mail, add and
// remove a disk override, refuse bad values and a stale digest without
// touching the file, and turn SMART on with the exact smartctl argv.
func TestSmartdEndpoints(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.FakeDisks(t, root, "sdb")
		os.MkdirAll(filepath.Join(root, "etc"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/smartd.conf"), []byte(smartdBefore), 0o644)
	}})
	rec := host.NewRecorder()
	rec.On([]string{"smartctl", "-s", "on", "/dev/sdb"}, host.Reply{Stdout: disktest.Testdata(t, ".", "smart/s-on-ata.txt")})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	root := env.RootAuth()
	path := "/nodes/" + daemontest.Node + "/disks/smartd"
	file := filepath.Join(env.Root, "etc/smartd.conf")
	read := func() string { b, _ := os.ReadFile(file); return string(b) }

	got := env.MustOK(root, "GET", path, nil).Data.(map[string]any)
	digest := got["digest"].(string)
	entries := got["entries"].([]any)
	if len(entries) != 1 || entries[0].(map[string]any)["mail"] != "root" {
		t.Fatalf("before: %v", got)
	}
	for name, bad := range map[string]url.Values{
		"schedule": {"device": {"DEVICESCAN"}, "schedule": {"S/../.././02 -M exec /bin/sh"}},
		"mail":     {"device": {"DEVICESCAN"}, "mail": {"root -M exec /tmp/x"}},
		"device":   {"device": {"/dev/sdb;reboot"}, "mail": {"root"}},
		"delete":   {"device": {"DEVICESCAN"}, "delete": {"directives"}},
	} {
		if r := env.Do(root, "PUT", path, bad); r.Status != 400 || r.Errors[name] == "" {
			t.Errorf("%s: %d %v", name, r.Status, r.Errors)
		}
	}
	if r := env.Do(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "mail": {"x"}, "digest": {strings.Repeat("0", 40)}}); r.Status != 500 || !strings.Contains(r.Message, "file changed by other user") {
		t.Errorf("stale digest: %d %s", r.Status, r.Message)
	}
	if read() != smartdBefore {
		t.Fatalf("refused edits changed the file:\n%s", read())
	}

	env.MustOK(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "schedule": {"(S/../.././02|L/../../6/03)"},
		"mail": {"admin@example.com"}, "digest": {digest}})
	env.MustOK(root, "PUT", path, url.Values{"device": {"/dev/disk/by-id/ata-DISK_SDB"}, "schedule": {"L/../../7/04"}})
	want := "# admin notes\n" +
		"/dev/disk/by-id/ata-DISK_SDB -a -n standby -m admin@example.com -M exec /usr/share/smartmontools/smartd-runner -s L/../../7/04\n" +
		"DEVICESCAN -d removable -n standby -m admin@example.com -M exec /usr/share/smartmontools/smartd-runner -s (S/../.././02|L/../../6/03)\n"
	if read() != want {
		t.Fatalf("file:\n%s\nwant:\n%s", read(), want)
	}
	env.MustOK(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "delete": {"mail"}})
	if r := env.Do(root, "DELETE", path, url.Values{"device": {"/dev/sdq"}}); r.Status != 400 {
		t.Errorf("removing a missing override: %d", r.Status)
	}
	env.MustOK(root, "DELETE", path, url.Values{"device": {"/dev/disk/by-id/ata-DISK_SDB"}})
	if read() != "# admin notes\nDEVICESCAN -d removable -n standby -M exec /usr/share/smartmontools/smartd-runner -s (S/../.././02|L/../../6/03)\n" {
		t.Errorf("after delete:\n%s", read())
	}

	out := env.MustOK(root, "POST", "/nodes/"+daemontest.Node+"/disks/smart", url.Values{"disk": {"/dev/sdb"}}).Data.(string)
	if !strings.Contains(out, "SMART Enabled.") {
		t.Errorf("smart enable: %q", out)
	}
	if r := env.Do(root, "POST", "/nodes/"+daemontest.Node+"/disks/smart", url.Values{"disk": {"/dev/sdz"}}); r.Status == 200 {
		t.Errorf("unknown disk accepted")
	}
	if calls := strings.Join(rec.Calls(), "\n"); calls != "smartctl -s on /dev/sdb" {
		t.Errorf("calls:\n%s", calls)
	}
}

// TestSmartdReload: where systemd runs the host, every write of
// smartd.conf is followed by the reload (exact argv); a failing reload is
// the answer's error while the new file stays.
func TestSmartdReload(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "run/systemd/system"), 0o755)
		os.MkdirAll(filepath.Join(root, "etc"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/smartd.conf"), []byte(smartdBefore), 0o644)
	}})
	rec := host.NewRecorder()
	rec.On(disks.SmartdReloadArgs, host.Reply{})
	rec.On(disks.SmartdReloadArgs, host.Reply{ExitCode: 1, Stderr: "Job for smartmontools.service failed.\n"})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	root := env.RootAuth()
	path := "/nodes/" + daemontest.Node + "/disks/smartd"
	file := filepath.Join(env.Root, "etc/smartd.conf")
	reload := strings.Join(disks.SmartdReloadArgs, " ")

	if r := env.Do(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "mail": {"a;b"}}); r.Status != 400 || len(rec.Calls()) != 0 {
		t.Errorf("refused edit: %d, ran %q", r.Status, rec.Calls())
	}
	env.MustOK(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "mail": {"admin@example.com"}})
	if calls := rec.Calls(); len(calls) != 1 || calls[0] != reload {
		t.Errorf("after a write ran %q, want %q", calls, reload)
	}
	r := env.Do(root, "PUT", path, url.Values{"device": {"DEVICESCAN"}, "mail": {"ops@example.com"}})
	if r.Status != 500 || r.Message != "/etc/smartd.conf written, but smartd did not reload it: command 'systemctl try-reload-or-restart smartmontools.service' failed: exit code 1: Job for smartmontools.service failed.\n" {
		t.Errorf("failed reload: %d %q", r.Status, r.Message)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "-m ops@example.com") {
		t.Errorf("the written file is gone:\n%s", b)
	}
	if calls := rec.Calls(); len(calls) != 2 || calls[1] != reload {
		t.Errorf("calls %q", calls)
	}
}
