package api_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/directory"
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

// imageRunner runs mkfs and blkid for real with the thin volume's device
// (which needs device-mapper, missing here) replaced by an image file;
// anything else is refused, so a command the test did not expect fails.
type imageRunner struct{ dev, image string }

func (ir imageRunner) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	if !slices.Contains([]string{"mkfs.ext4", "mkfs.xfs", "blkid"}, c.Argv[0]) || !slices.Contains(c.Argv, ir.dev) {
		return host.Result{}, fmt.Errorf("unexpected command %q", c.Argv)
	}
	c.Argv = slices.Clone(c.Argv)
	c.Argv[slices.Index(c.Argv, ir.dev)] = ir.image
	return host.ExecRunner{}.Run(ctx, c)
}

// TestThinVolumeDirectory is the chapter's extra volume for /var/lib/vz
// as a directory storage: a thin volume created (lvcreate by exact argv),
// formatted (mkfs.ext4 and blkid for real on an image file), mounted by
// the mount unit a directory storage gets and added to storage.cfg. A
// name in use is refused before anything runs; a failing mkfs or unit
// start leaves no unit, no storage and no volume.
func TestThinVolumeDirectory(t *testing.T) {
	disktest.Need(t, "mkfs.ext4", "blkid")
	env, rec := diskEnv(t)
	img := filepath.Join(t.TempDir(), "vz.img")
	rec.Fallback = imageRunner{dev: "/dev/pve/vz", image: img}
	rec.On(lvm.ThinArgs, host.Reply{Stdout: disktest.Testdata(t, "lvm", "lvs-thin.json")})
	lvs := strings.Join(lvm.ThinArgs, " ") // the pool check; any other call is listed
	lvcreate := []string{"lvcreate", "-n", "vz", "-V", "1G", "--thinpool", "pve/data"}
	rec.On(lvcreate, host.Reply{})
	rec.On([]string{"lvremove", "-y", "pve/vz"}, host.Reply{})
	rec.On([]string{"udevadm", "trigger", "/dev/pve/vz"}, host.Reply{})
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/lvmthin/data/volume"
	unit := directory.UnitName("vz")
	unitFile := filepath.Join(env.Root, directory.UnitPath("vz"))
	params := func(kv ...string) url.Values {
		v := url.Values{"volume-group": {"pve"}, "volume": {"vz"}, "size": {"1G"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// run starts a create and returns its end, log and the commands it ran
	// besides the pool check's exact lvs.
	run := func(p url.Values) (string, string, []string) {
		t.Helper()
		before := len(rec.Calls())
		upid := env.MustOK(root, "POST", base, p).Data.(string)
		st, log := waitTask(t, env, upid)
		var ran []string
		for _, c := range rec.Calls()[before:] {
			if c != lvs {
				ran = append(ran, c)
			}
		}
		return st, log, ran
	}
	noTrace := func(what string) {
		t.Helper()
		if _, err := os.Stat(unitFile); err == nil {
			t.Errorf("%s: unit file left", what)
		}
		if r := env.Do(root, "GET", "/storage/vz", nil); r.Status == 200 {
			t.Errorf("%s: storage left: %s", what, r.Body)
		}
	}

	// Refused before anything runs.
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"taken"}, "type": {"dir"}, "path": {"/srv/taken"}})
	for _, c := range []struct {
		p      url.Values
		status int
		param  string
	}{
		{params("add_storage", "1"), 400, "add_storage"},
		{params("directory", "-x"), 400, "directory"},
		{params("directory", "taken", "add_storage", "1"), 500, ""},
	} {
		before := len(rec.Calls())
		r := env.Do(root, "POST", base, c.p)
		if r.Status != c.status || (c.param != "" && r.Errors[c.param] == "") {
			t.Errorf("%v: %d %v %q", c.p, r.Status, r.Errors, r.Message)
		}
		for _, call := range rec.Calls()[before:] {
			if call != lvs {
				t.Errorf("%v ran %s", c.p, call)
			}
		}
	}
	if r := env.Do(root, "POST", base, params("directory", "taken", "add_storage", "1")); r.Message != "Storage ID 'taken' already exists on node "+daemontest.Node+"\n" {
		t.Errorf("taken: %q", r.Message)
	}

	// mkfs fails for real (an empty image): the volume goes again, nothing
	// else ran.
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, log, ran := run(params("directory", "vz", "add_storage", "1"))
	want := []string{strings.Join(lvcreate, " "), "mkfs.ext4 -q /dev/pve/vz", "lvremove -y pve/vz"}
	if st == "OK" || !slices.Equal(ran, want) {
		t.Errorf("failing mkfs: %s\nran %q\nwant %q\n%s", st, ran, want, log)
	}
	noTrace("failing mkfs")

	// Success: a real ext4 on the image, its UUID in the unit.
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"daemon-reload", "enable " + unit, "start " + unit} {
		rec.On(append([]string{"systemctl"}, strings.Fields(v)...), host.Reply{})
	}
	// The recorder gives replies in order: the second start fails.
	rec.On([]string{"systemctl", "start", unit}, host.Reply{ExitCode: 1, Stderr: "Job failed\n"})
	st, log, ran = run(params("directory", "vz", "add_storage", "1"))
	want = []string{strings.Join(lvcreate, " "), "mkfs.ext4 -q /dev/pve/vz", "blkid /dev/pve/vz -o export",
		"udevadm trigger /dev/pve/vz", "systemctl daemon-reload", "systemctl enable " + unit, "systemctl start " + unit}
	if st != "OK" || !slices.Equal(ran, want) {
		t.Fatalf("create: %s\nran %q\nwant %q\n%s", st, ran, want, log)
	}
	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", img))
	var b strings.Builder
	directory.MountUnit("vz", uuid, "ext4").Write(&b)
	if got, _ := os.ReadFile(unitFile); uuid == "" || string(got) != b.String() {
		t.Errorf("unit:\n%s\nwant:\n%s", got, b.String())
	}
	s := env.MustOK(root, "GET", "/storage/vz", nil).Data.(map[string]any)
	if s["type"] != "dir" || s["path"] != "/mnt/pve/vz" || s["is_mountpoint"] != "1" || s["disable"] != nil ||
		s["nodes"] != daemontest.Node {
		t.Errorf("storage %v", s)
	}
	list := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/disks/directory", nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["device"] != "/dev/disk/by-uuid/"+uuid {
		t.Errorf("directory list %v", list)
	}

	// The mount point is now taken: refused before anything runs.
	before := len(rec.Calls())
	if r := env.Do(root, "POST", base, params("volume", "vz2", "directory", "vz")); r.Status != 400 || r.Errors["directory"] == "" {
		t.Errorf("unit exists: %d %v", r.Status, r.Errors)
	}
	if calls := rec.Calls()[before:]; slices.ContainsFunc(calls, func(c string) bool { return c != lvs }) {
		t.Errorf("unit exists ran %q", calls)
	}

	// The unit does not start: unit, storage and volume all go again.
	env.MustOK(root, "DELETE", "/storage/vz", nil)
	os.Remove(unitFile)
	for _, v := range []string{"stop " + unit, "disable " + unit} {
		rec.On(append([]string{"systemctl"}, strings.Fields(v)...), host.Reply{})
	}
	st, log, ran = run(params("directory", "vz", "add_storage", "1"))
	want = []string{strings.Join(lvcreate, " "), "mkfs.ext4 -q /dev/pve/vz", "blkid /dev/pve/vz -o export",
		"udevadm trigger /dev/pve/vz", "systemctl daemon-reload", "systemctl enable " + unit, "systemctl start " + unit,
		"systemctl stop " + unit, "systemctl disable " + unit, "systemctl daemon-reload", "lvremove -y pve/vz"}
	if st == "OK" || !slices.Equal(ran, want) {
		t.Errorf("failing start: %s\nran %q\nwant %q\n%s", st, ran, want, log)
	}
	noTrace("failing start")
}
