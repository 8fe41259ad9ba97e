package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/host"
)

// TestZFSCreateWithAuxVdevs: cache, mirrored log and mirrored special
// vdevs and autotrim already at creation, by exact argv; bad layouts are
// refused before anything runs.
func TestZFSCreateWithAuxVdevs(t *testing.T) {
	env, rec := zfsEnv(t)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/zfs"
	before := len(rec.Calls())
	for _, bad := range []url.Values{
		{"name": {"p1"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"}, "cache": {"/dev/sdc,/dev/sdd"}, "log": {"/dev/sde"}, "log-mirror": {"1"}},
		{"name": {"p1"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"}, "special": {"/dev/sdb"}},
		{"name": {"p1"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"}, "cache": {"/etc/passwd"}},
	} {
		if r := env.Do(root, "POST", base, bad); r.Status == 200 {
			t.Errorf("%v accepted", bad)
		}
	}
	for _, c := range rec.Calls()[before:] {
		if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool list") {
			t.Errorf("bad input ran %s", c)
		}
	}
	id := func(n string) string { return "/dev/disk/by-id/ata-DISK_" + strings.ToUpper(n) }
	create := []string{"zpool", "create", "-o", "ashift=12", "-o", "autotrim=on", "fast", id("sdb"),
		"special", "mirror", id("sdc"), id("sdd"), "cache", id("sde")}
	rec.On(create, host.Reply{})
	rec.On([]string{"zfs", "set", "compression=on", "fast"}, host.Reply{})
	rec.On([]string{"udevadm", "trigger", id("sdb")}, host.Reply{})
	upid := env.MustOK(root, "POST", base, url.Values{"name": {"fast"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"},
		"special": {"/dev/sdc,/dev/sdd"}, "special-mirror": {"1"}, "cache": {"/dev/sde"}, "autotrim": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# "+strings.Join(create, " ")) {
		t.Fatalf("create: %s\n%s", st, log)
	}
}

// TestZFSMaintenance: change-key with the key on stdin only, trim as a
// task, autotrim, the schedules and ZED's mail settings in zed.rc.
func TestZFSMaintenance(t *testing.T) {
	env, rec := zfsEnv(t)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/zfs"
	ds := disktest.Testdata(t, "zfs", "list-datasets-tank.txt")
	for _, line := range strings.Split(strings.TrimSpace(ds), "\n") {
		rec.On(zfs.DatasetsArgs(strings.Split(line, "\t")[0], false), host.Reply{Stdout: line + "\n"})
	}
	const pass = "correct horse battery staple"
	change := []string{"zfs", "change-key", "-o", "keylocation=prompt", "-o", "keyformat=passphrase", "tank/keyed"}
	rec.On(change, host.Reply{})
	upid := env.MustOK(root, "POST", base+"/tank/change-key", url.Values{"dataset": {"tank/keyed"}, "key": {pass}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# "+strings.Join(change, " ")) || strings.Contains(log, pass) {
		t.Errorf("change-key: %s\n%s", st, log)
	}
	for _, bad := range []url.Values{
		{"dataset": {"tank/enc"}, "key": {pass}},      // key not loaded
		{"dataset": {"tank/keyed"}, "key": {"short"}}, // too short
		{"dataset": {"tank"}, "key": {pass}},          // not encrypted
		{"dataset": {"rpool/x"}, "key": {pass}},       // other pool
		{"dataset": {"tank/keyed"}, "keyformat": {"hex"}, "key": {"zz"}},
	} {
		if r := env.Do(root, "POST", base+"/tank/change-key", bad); r.Status != 400 || strings.Contains(string(r.Body), pass) {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	for _, c := range rec.Calls() {
		if strings.Contains(c, pass) {
			t.Errorf("key on a command line: %s", c)
		}
	}

	rec.On([]string{"zpool", "trim", "tank"}, host.Reply{})
	upid = env.MustOK(root, "POST", base+"/tank/trim", nil).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# zpool trim tank") {
		t.Errorf("trim: %s\n%s", st, log)
	}
	rec.On([]string{"zpool", "trim", "-c", "tank"}, host.Reply{})
	upid = env.MustOK(root, "POST", base+"/tank/trim", url.Values{"action": {"cancel"}}).Data.(string)
	if st, _ := waitTask(t, env, upid); st != "OK" {
		t.Errorf("trim cancel: %s", st)
	}
	if r := env.Do(root, "POST", base+"/tank/trim", url.Values{"action": {"pause"}}); r.Status != 400 {
		t.Errorf("bad trim action: %d", r.Status)
	}
	rec.On([]string{"zpool", "set", "autotrim=on", "tank"}, host.Reply{})
	env.MustOK(root, "PUT", base+"/tank/autotrim", url.Values{"autotrim": {"1"}})

	os.MkdirAll(filepath.Join(env.Root, "etc/cron.d"), 0o755)
	os.WriteFile(filepath.Join(env.Root, "etc/cron.d/zfsutils-linux"), []byte(disktest.Testdata(t, "zfs", "cron-zfsutils-linux.txt")), 0o644)
	wants := filepath.Join(env.Root, "etc/systemd/system/timers.target.wants")
	os.MkdirAll(wants, 0o755)
	os.WriteFile(filepath.Join(wants, "zfs-scrub-weekly@tank.timer"), nil, 0o644)
	rec.On([]string{"zpool", "get", "-H", "-o", "name,value", "autotrim"}, host.Reply{Stdout: disktest.Testdata(t, "zfs", "get-autotrim.txt")})
	sch := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/disks/zfs-schedules", nil).Data.(map[string]any)
	list := sch["schedules"].([]any)
	if len(list) != 3 {
		t.Fatalf("schedules %v", sch)
	}
	trim, scrub, timer := list[0].(map[string]any), list[1].(map[string]any), list[2].(map[string]any)
	if trim["kind"] != "trim" || trim["when"] != "24 0 1-7 * *" || !strings.Contains(trim["note"].(string), "Sunday") ||
		scrub["kind"] != "scrub" || scrub["when"] != "24 0 8-14 * *" || timer["pool"] != "tank" || timer["when"] != "weekly" {
		t.Errorf("schedules %v", list)
	}
	if p := sch["pools"].([]any); len(p) != 2 || p[0].(map[string]any)["autotrim"] != "on" {
		t.Errorf("pools %v", p)
	}

	zedPath := filepath.Join(env.Root, "etc/zfs/zed.d/zed.rc")
	os.MkdirAll(filepath.Dir(zedPath), 0o755)
	orig := disktest.Testdata(t, "zfs/zedrc", "openzfs.in")
	os.WriteFile(zedPath, []byte(orig), 0o644)
	zed := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/disks/zfs-zed", nil).Data.(map[string]any)
	if zed["settings"].(map[string]any)["email-addr"] != "root" {
		t.Fatalf("zed %v", zed)
	}
	for name, bad := range map[string]url.Values{
		"email-addr": {"email-addr": {"root $(reboot)"}},
		"email-prog": {"email-prog": {"mail; reboot"}},
		"delete":     {"delete": {"debug-log"}},
	} {
		if r := env.Do(root, "PUT", "/nodes/"+daemontest.Node+"/disks/zfs-zed", bad); r.Status != 400 || r.Errors[name] == "" {
			t.Errorf("%s: %d %v", name, r.Status, r.Errors)
		}
	}
	if b, _ := os.ReadFile(zedPath); string(b) != orig {
		t.Fatal("refused zed.rc edits changed the file")
	}
	env.MustOK(root, "PUT", "/nodes/"+daemontest.Node+"/disks/zfs-zed", url.Values{"email-addr": {"admin@example.com"},
		"notify-verbose": {"1"}, "notify-interval": {"600"}, "digest": {zed["digest"].(string)}})
	b, _ := os.ReadFile(zedPath)
	want := strings.Replace(strings.Replace(strings.Replace(orig, `ZED_EMAIL_ADDR="root"`, `ZED_EMAIL_ADDR="admin@example.com"`, 1),
		"#ZED_NOTIFY_VERBOSE=0", `ZED_NOTIFY_VERBOSE="1"`, 1), "#ZED_NOTIFY_INTERVAL_SECS=3600", `ZED_NOTIFY_INTERVAL_SECS="600"`, 1)
	if string(b) != want {
		t.Errorf("zed.rc:\n%s", b)
	}
}
