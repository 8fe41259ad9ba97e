package api_test

import (
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/host"
)

// TestLVMThinOps: a thin pool inside the existing VG "pve", growing a
// pool and its metadata, and a formatted thin volume, by exact argv
// against the recorded lvs report (this kernel has no device-mapper);
// bad names and sizes are refused before anything runs.
func TestLVMThinOps(t *testing.T) {
	env := daemontest.Start(t)
	rec := host.NewRecorder()
	rec.On(lvm.VGArgs, host.Reply{Stdout: "  pve:274877906944:17179869184:3:/dev/sda3:274877906944:17179869184\n"})
	rec.On(lvm.ThinArgs, host.Reply{Stdout: disktest.Testdata(t, "lvm", "lvs-thin.json")})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	root := env.RootAuth()
	node := "/nodes/" + daemontest.Node + "/disks"

	for _, bad := range []struct {
		method, path string
		params       url.Values
		param        string
	}{
		{"POST", "/lvm/pve/thinpool", url.Values{"pool": {"data"}, "size": {"10G"}}, "pool"}, // exists
		{"POST", "/lvm/nope/thinpool", url.Values{"pool": {"vz"}, "size": {"10G"}}, "pool"},  // no VG
		{"POST", "/lvm/pve/thinpool", url.Values{"pool": {"vz;x"}, "size": {"10G"}}, "pool"}, // bad name
		{"POST", "/lvm/pve/thinpool", url.Values{"pool": {"vz"}, "size": {"10 G"}}, "pool"},  // bad size
		{"POST", "/lvm/pve/thinpool", url.Values{"pool": {"vz"}, "size": {"+10G"}}, "pool"},  // growth at creation
		{"PUT", "/lvmthin/data/resize", url.Values{"volume-group": {"pve"}}, "size"},         // nothing to do
		{"PUT", "/lvmthin/nope/resize", url.Values{"volume-group": {"pve"}, "size": {"+1G"}}, "size"},
		{"PUT", "/lvmthin/data/resize", url.Values{"volume-group": {"pve"}, "size": {"90%FREE"}}, "size"},
		{"POST", "/lvmthin/data/volume", url.Values{"volume-group": {"pve"}, "volume": {"vz"}, "size": {"-1G"}}, "volume"},
		{"POST", "/lvmthin/nope/volume", url.Values{"volume-group": {"pve"}, "volume": {"vz"}, "size": {"1G"}}, "name"},
	} {
		r := env.Do(root, bad.method, node+bad.path, bad.params)
		if r.Status != 400 || r.Errors[bad.param] == "" {
			t.Errorf("%s %s %v: %d %v", bad.method, bad.path, bad.params, r.Status, r.Errors)
		}
	}
	for _, c := range rec.Calls() {
		if !strings.HasPrefix(c, "vgs") && !strings.HasPrefix(c, "lvs") {
			t.Fatalf("bad input ran %s", c)
		}
	}

	steps := []struct {
		method, path string
		params       url.Values
		argv         [][]string
	}{
		{"POST", "/lvm/pve/thinpool", url.Values{"pool": {"vz"}, "size": {"90%FREE"}, "poolmetadatasize": {"1G"}},
			[][]string{{"lvcreate", "--type", "thin-pool", "-l", "90%FREE", "--poolmetadatasize", "1G", "-n", "vz", "pve"}}},
		{"PUT", "/lvmthin/data/resize", url.Values{"volume-group": {"pve"}, "size": {"+50G"}, "poolmetadatasize": {"+1G"}},
			[][]string{{"lvresize", "-L", "+50G", "pve/data"}, {"lvresize", "--poolmetadatasize", "+1G", "pve/data"}}},
		{"POST", "/lvmthin/data/volume", url.Values{"volume-group": {"pve"}, "volume": {"vz"}, "size": {"100G"}},
			[][]string{{"lvcreate", "-n", "vz", "-V", "100G", "--thinpool", "pve/data"}, {"mkfs.ext4", "-q", "/dev/pve/vz"}}},
	}
	for _, s := range steps {
		for _, argv := range s.argv {
			rec.On(argv, host.Reply{})
		}
		upid := env.MustOK(root, s.method, node+s.path, s.params).Data.(string)
		st, log := waitTask(t, env, upid)
		if st != "OK" {
			t.Fatalf("%s: %s\n%s", s.path, st, log)
		}
		for _, argv := range s.argv {
			if !strings.Contains(log, "# "+strings.Join(argv, " ")) {
				t.Errorf("%s: log lacks %v:\n%s", s.path, argv, log)
			}
		}
	}
	pools := env.MustOK(root, "GET", node+"/lvmthin", nil).Data.([]any)
	if p := pools[1].(map[string]any); p["lv"] != "data" || p["used"] != 17654890294.0 || p["metadata_used"] != 22863151.0 {
		t.Errorf("listing %v", pools)
	}
}
