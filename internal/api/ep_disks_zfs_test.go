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

// zfsEnv is a daemon over a fixture root with empty disks sdb..sde and
// zpool installed, whose commands are answered from recorded outputs only.
func zfsEnv(t *testing.T) (*daemontest.Env, *host.Recorder) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.FakeDisks(t, root, "sdb", "sdc", "sdd", "sde")
		os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755)
		os.WriteFile(filepath.Join(root, "usr/sbin/zpool"), nil, 0o755)
	}})
	rec := disktest.QuietRecorder()
	rec.On([]string{"zpool", "list", "-HPLv"}, host.Reply{})
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"},
		host.Reply{Stdout: disktest.Testdata(t, "zfs", "list-HpPLo.txt")})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	return env, rec
}

func TestZFSEndpoints(t *testing.T) {
	env, rec := zfsEnv(t)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/zfs"

	pools := env.MustOK(root, "GET", base, nil).Data.([]any)
	if len(pools) != 3 || pools[1].(map[string]any)["dedup"] != 1.25 || pools[1].(map[string]any)["health"] != "DEGRADED" {
		t.Errorf("pools %v", pools)
	}
	rec.On([]string{"zpool", "status", "-P", "rpool"}, host.Reply{Stdout: disktest.Testdata(t, "zfs", "status-degraded-resilver.txt")})
	d := env.MustOK(root, "GET", base+"/rpool", nil).Data.(map[string]any)
	if d["name"] != "rpool" || d["state"] != "DEGRADED" || d["leaf"] != 0.0 || d["errors"] != "No known data errors" {
		t.Errorf("detail %v", d)
	}

	bad := []struct {
		params url.Values
		want   string
	}{
		{url.Values{"name": {"tank"}, "raidlevel": {"mirror"}, "devices": {"/dev/sdb,/dev/sdc"}}, "pool 'tank' already exists on node 'testnode'"},
		{url.Values{"name": {"p1"}, "raidlevel": {"raidz"}, "devices": {"/dev/sdb,/dev/sdc"}}, "raidz needs at least 3 disks"},
		{url.Values{"name": {"p1"}, "raidlevel": {"raid10"}, "devices": {"/dev/sdb,/dev/sdc,/dev/sdd"}}, "raid10 needs an even number of disks"},
		{url.Values{"name": {"p1"}, "raidlevel": {"mirror"}, "devices": {"/dev/sdb,/etc/passwd"}}, "failed to get absolute path to /etc/passwd"},
		{url.Values{"name": {"p1"}, "raidlevel": {"draid"}, "devices": {"/dev/sdb,/dev/sdc,/dev/sdd"}, "draid-config": {"data=2,spares=1"}},
			"At least 4 disks needed for current dRAID config"},
	}
	before := len(rec.Calls())
	for _, b := range bad {
		r := env.Do(root, "POST", base, b.params)
		if r.Status != 500 || !strings.HasPrefix(r.Message, b.want) {
			t.Errorf("%v: %d %q", b.params, r.Status, r.Message)
		}
	}
	r := env.Do(root, "POST", base, url.Values{"name": {"1pool"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"}})
	if r.Status != 400 || r.Errors["name"] != "invalid format - storage ID '1pool' contains illegal characters\n" {
		t.Errorf("bad name: %d %v", r.Status, r.Errors)
	}
	for _, c := range rec.Calls()[before:] {
		if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool list") {
			t.Errorf("bad input ran %s", c)
		}
	}

	id := func(n string) string { return "/dev/disk/by-id/ata-DISK_" + strings.ToUpper(n) }
	create := []string{"zpool", "create", "-o", "ashift=12", "mypool", "draid2:1d:1s", id("sdb"), id("sdc"), id("sdd"), id("sde")}
	rec.On(create, host.Reply{})
	rec.On([]string{"zfs", "set", "compression=zstd", "mypool"}, host.Reply{})
	rec.On([]string{"udevadm", "trigger", id("sdb"), id("sdc"), id("sdd"), id("sde")}, host.Reply{})
	upid := env.MustOK(root, "POST", base, url.Values{"name": {"mypool"}, "raidlevel": {"draid2"}, "compression": {"zstd"},
		"devices": {"/dev/sdb /dev/sdc;/dev/sdd,/dev/sde"}, "draid-config": {"data=1,spares=1"}, "add_storage": {"1"}}).Data.(string)
	st, log := waitTask(t, env, upid)
	if st != "OK" || !strings.Contains(log, "# "+strings.Join(create, " ")) {
		t.Fatalf("create task: %s\n%s", st, log)
	}
	s := env.MustOK(root, "GET", "/storage/mypool", nil).Data.(map[string]any)
	if s["type"] != "zfspool" || s["pool"] != "mypool" || s["content"] != "rootdir,images" || s["nodes"] != daemontest.Node || s["disable"] != nil {
		t.Errorf("storage %v", s)
	}

	rec.On([]string{"zpool", "destroy", "mypool"}, host.Reply{})
	upid = env.MustOK(root, "DELETE", base+"/mypool", url.Values{"cleanup-config": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" {
		t.Fatalf("destroy task: %s\n%s", st, log)
	}
	if r := env.Do(root, "GET", "/storage/mypool", nil); r.Status == 200 {
		t.Errorf("storage left after cleanup-config: %s", r.Body)
	}
}

func TestStorageEndpoints(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	os.MkdirAll(filepath.Join(env.Root, "my-storage"), 0o755)
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"my-storage"}, "type": {"btrfs"}, "path": {"/my-storage"}})
	r := env.Do(root, "POST", "/storage", url.Values{"storage": {"my-storage"}, "type": {"dir"}, "path": {"/x"}})
	if r.Status != 500 || r.Message != "storage ID 'my-storage' already defined\n" {
		t.Errorf("duplicate: %d %q", r.Status, r.Message)
	}
	list := env.MustOK(root, "GET", "/storage", url.Values{"type": {"btrfs"}}).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["path"] != "/my-storage" {
		t.Errorf("list %v", list)
	}
	env.MustOK(root, "PUT", "/storage/my-storage", url.Values{"content": {"images,rootdir"}, "disable": {"1"}})
	s := env.MustOK(root, "GET", "/storage/my-storage", nil).Data.(map[string]any)
	if s["content"] != "images,rootdir" || s["disable"] != 1.0 {
		t.Errorf("after update %v", s)
	}
	env.MustOK(root, "PUT", "/storage/my-storage", url.Values{"delete": {"disable"}})
	var status map[string]any
	for _, e := range env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/storage", nil).Data.([]any) {
		if e.(map[string]any)["storage"] == "my-storage" {
			status = e.(map[string]any)
		}
	}
	if status == nil || status["active"] != 1.0 || status["total"].(float64) <= 0 || status["type"] != "btrfs" {
		t.Errorf("status %v", status)
	}
	env.MustOK(root, "DELETE", "/storage/my-storage", nil)
	if r := env.Do(root, "GET", "/storage/my-storage", nil); r.Status != 400 {
		t.Errorf("after delete: %d", r.Status)
	}
}
