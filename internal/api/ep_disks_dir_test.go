package api_test

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/directory"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/host"
)

// TestDirectoryEndpointsOnLoop creates an ext4 directory storage through
// the API on a loop device (partitioning and mkfs for real; systemctl
// answered by the recorder), mounts it as systemd would, reads its usage
// through /nodes/{node}/storage and removes it with both cleanups.
func TestDirectoryEndpointsOnLoop(t *testing.T) {
	disktest.Need(t, "sgdisk", "partx", "mkfs.ext4", "blkid", "wipefs", "mount", "umount")
	l := disktest.AttachLoop(t, 64)
	env, rec := diskEnv(t, l)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/directory"
	name := "backup-" + l.Name
	unit := directory.UnitName(name)
	for _, v := range []string{"daemon-reload", "enable " + unit, "start " + unit, "stop " + unit, "disable " + unit} {
		rec.On(append([]string{"systemctl"}, strings.Fields(v)...), host.Reply{})
	}
	r := env.Do(root, "POST", base, url.Values{"device": {l.Dev}, "name": {name}, "filesystem": {"btrfs"}})
	if r.Status != 400 || r.Errors["filesystem"] == "" {
		t.Errorf("btrfs as directory fs: %d %v", r.Status, r.Errors)
	}
	upid := env.MustOK(root, "POST", base, url.Values{"device": {l.Dev}, "name": {name}, "add_storage": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# mkfs -t ext4 "+l.Dev+"p1") {
		t.Fatalf("dircreate: %s\n%s", st, log)
	}
	list := env.MustOK(root, "GET", base, nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["path"] != "/mnt/pve/"+name || list[0].(map[string]any)["type"] != "ext4" {
		t.Fatalf("list %v", list)
	}
	s := env.MustOK(root, "GET", "/storage/"+name, nil).Data.(map[string]any)
	if s["type"] != "dir" || s["path"] != "/mnt/pve/"+name || s["is_mountpoint"] != "1" || s["disable"] != nil ||
		s["content"] != "rootdir,images,iso,backup,vztmpl,snippets" || s["nodes"] != daemontest.Node {
		t.Errorf("storage %v", s)
	}
	r = env.Do(root, "POST", base, url.Values{"device": {l.Dev}, "name": {"other"}})
	if r.Status != 500 || r.Message != "device '"+l.Dev+"' is already in use\n" {
		t.Errorf("used device: %d %q", r.Status, r.Message)
	}

	// Mount it as systemd would, under the daemon's root.
	disktest.Mirror(t, env.Root, l.Name)
	where := filepath.Join(env.Root, "mnt/pve", name)
	os.MkdirAll(where, 0o755)
	disktest.Run(t, "mount", "-t", "ext4", l.Dev+"p1", where)
	t.Cleanup(func() { exec.Command("umount", where).Run() })
	os.WriteFile(filepath.Join(env.Root, "proc/mounts"), []byte(fmt.Sprintf("%sp1 /mnt/pve/%s ext4 rw 0 0\n", l.Dev, name)), 0o644)
	st := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/storage", url.Values{"storage": {name}}).Data.([]any)
	if len(st) != 1 || st[0].(map[string]any)["active"] != 1.0 || st[0].(map[string]any)["total"].(float64) < 40<<20 {
		t.Errorf("status %v", st)
	}
	disktest.Run(t, "umount", where)
	os.WriteFile(filepath.Join(env.Root, "proc/mounts"), nil, 0o644)

	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", l.Dev+"p1"))
	os.MkdirAll(filepath.Join(env.Root, "dev/disk/by-uuid"), 0o755)
	os.Symlink("../../"+l.Name+"p1", filepath.Join(env.Root, "dev/disk/by-uuid", uuid))
	upid = env.MustOK(root, "DELETE", base+"/"+name, url.Values{"cleanup-config": {"1"}, "cleanup-disks": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "wipefs --all "+l.Dev+"p1 "+l.Dev) {
		t.Fatalf("dirremove: %s\n%s", st, log)
	}
	if r := env.Do(root, "GET", "/storage/"+name, nil); r.Status == 200 {
		t.Errorf("storage left: %s", r.Body)
	}
	if list := env.MustOK(root, "GET", base, nil).Data.([]any); len(list) != 0 {
		t.Errorf("units left: %v", list)
	}
}

// TestLVMThinEndpointsOnLoop makes the VG for real on a sparse 3 GiB loop
// device; lvcreate and lvremove, which need device-mapper, are answered
// by the recorder, so their exact vectors are what the test checks.
func TestLVMThinEndpointsOnLoop(t *testing.T) {
	disktest.Need(t, "pvcreate", "vgcreate", "vgs", "pvs", "vgremove", "wipefs")
	l := disktest.AttachLoop(t, 3<<10)
	name := "hostadmthin" + strings.TrimPrefix(l.Name, "loop")
	disktest.RemoveVGAtEnd(t, name, l)
	env, rec := diskEnv(t, l)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/lvmthin"
	// 3 GiB less the 1 MiB data alignment, in whole 4 MiB extents.
	data, meta := lvm.ThinSizes(3068 << 10)
	create := lvm.ThinCreateArgs(name, data, meta)
	rec.On(create, host.Reply{})
	upid := env.MustOK(root, "POST", base, url.Values{"device": {l.Dev}, "name": {name}, "add_storage": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# "+strings.Join(create, " ")+"\n") {
		t.Fatalf("lvmthincreate: %s\n%s", st, log)
	}
	if !strings.Contains(upid, ":lvmthincreate:"+name+":") {
		t.Errorf("upid %s", upid)
	}
	s := env.MustOK(root, "GET", "/storage/"+name, nil).Data.(map[string]any)
	if s["type"] != "lvmthin" || s["vgname"] != name || s["thinpool"] != name || s["content"] != "rootdir,images" {
		t.Errorf("storage %v", s)
	}
	rec.On(lvm.ThinArgs, host.Reply{Stdout: fmt.Sprintf(`{"report":[{"lv":[{"vg_name":"%s", "lv_name":"%s", "lv_size":"935329792", "lv_attr":"twi-a-tz--", "data_percent":"10.00", "metadata_percent":"1.00", "lv_metadata_size":"1073741824"}]}]}`, name, name)})
	pools := env.MustOK(root, "GET", base, nil).Data.([]any)
	if len(pools) != 1 || pools[0].(map[string]any)["used"] != 93532979.0 || pools[0].(map[string]any)["metadata_used"] != 10737418.0 {
		t.Errorf("pools %v", pools)
	}
	r := env.Do(root, "DELETE", base+"/"+name, nil)
	if r.Status != 400 || r.Errors["volume-group"] == "" {
		t.Errorf("no volume-group: %d %v", r.Status, r.Errors)
	}
	rec.On([]string{"lvremove", "-y", name + "/" + name}, host.Reply{})
	upid = env.MustOK(root, "DELETE", base+"/"+name, url.Values{"volume-group": {name}, "cleanup-config": {"1"},
		"cleanup-disks": {"1"}}).Data.(string)
	if !strings.Contains(upid, ":lvmthinremove:"+name+"-"+name+":") {
		t.Errorf("upid %s", upid)
	}
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# lvremove -y "+name+"/"+name) ||
		!strings.Contains(log, "# wipefs --all "+l.Dev) {
		t.Fatalf("lvmthinremove: %s\n%s", st, log)
	}
	if r := env.Do(root, "GET", "/storage/"+name, nil); r.Status == 200 {
		t.Errorf("storage left: %s", r.Body)
	}
}

// fakeDiskEnv is a daemon over a fixture root with the given empty disks
// (and partitions), whose commands are answered from the recorder only.
func fakeDiskEnv(t *testing.T, names ...string) (*daemontest.Env, *host.Recorder, string) {
	var rootDir string
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		rootDir = root
		disktest.FakeDisks(t, root, names...)
	}})
	rec := disktest.QuietRecorder()
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	return env, rec, rootDir
}

// TestDirectoryCreateRefusedLeavesNoStorage: with add_storage=1, a create
// refused because the mount unit exists adds nothing to storage.cfg.
func TestDirectoryCreateRefusedLeavesNoStorage(t *testing.T) {
	env, rec, root := fakeDiskEnv(t, "sdb")
	auth := env.RootAuth()
	unit := filepath.Join(root, directory.UnitPath("foo"))
	os.MkdirAll(filepath.Dir(unit), 0o755)
	os.WriteFile(unit, []byte("[Mount]\nWhat=/dev/disk/by-uuid/x\n"), 0o644)
	r := env.Do(auth, "POST", "/nodes/"+daemontest.Node+"/disks/directory",
		url.Values{"device": {"/dev/sdb"}, "name": {"foo"}, "add_storage": {"1"}})
	if r.Status != 500 || r.Message != "a systemd mount unit already exists: "+directory.UnitPath("foo")+"\n" {
		t.Errorf("create: %d %q", r.Status, r.Message)
	}
	if st := env.Do(auth, "GET", "/storage/foo", nil); st.Status == 200 {
		t.Errorf("refused create left storage 'foo': %s", st.Body)
	}
	for _, c := range rec.Calls() {
		if strings.HasPrefix(c, "sgdisk") || strings.HasPrefix(c, "mkfs") {
			t.Errorf("ran %s", c)
		}
	}
}

// TestDirectoryCreateTwiceFormatsOnce: two creates of one name accepted
// while the disk lock is held: the second task checks again under the
// lock, finds the first one's unit and formats nothing.
func TestDirectoryCreateTwiceFormatsOnce(t *testing.T) {
	env, rec, root := fakeDiskEnv(t, "sdb", "sdb1", "sdc", "sdc1")
	for _, p := range []struct{ disk, part, uuid string }{{"/dev/sdb", "/dev/sdb1", "1111"}, {"/dev/sdc", "/dev/sdc1", "2222"}} {
		rec.On([]string{"sgdisk", "-t1:8300", p.disk}, host.Reply{})
		rec.On([]string{"mkfs", "-t", "ext4", p.part}, host.Reply{})
		rec.On([]string{"blkid", p.part, "-o", "export"}, host.Reply{Stdout: "UUID=" + p.uuid + "\n"})
		rec.On([]string{"udevadm", "trigger", p.part}, host.Reply{})
	}
	unitName := directory.UnitName("foo")
	for _, a := range [][]string{{"daemon-reload"}, {"enable", unitName}, {"start", unitName}} {
		rec.On(append([]string{"systemctl"}, a...), host.Reply{})
	}
	s1, s2 := createTwiceUnderLock(t, env, root, "/nodes/"+daemontest.Node+"/disks/directory",
		url.Values{"device": {"/dev/sdb1"}, "name": {"foo"}},
		url.Values{"device": {"/dev/sdc1"}, "name": {"foo"}})
	// Whichever task gets the lock first wins; the other must refuse.
	refused := "a systemd mount unit already exists: " + directory.UnitPath("foo")
	uuid := map[string]string{"OK/" + refused: "1111", refused + "/OK": "2222"}[s1+"/"+s2]
	if uuid == "" {
		t.Fatalf("task1 %q, task2 %q", s1, s2)
	}
	var mkfs []string
	for _, c := range rec.Calls() {
		if strings.HasPrefix(c, "mkfs") || strings.HasPrefix(c, "sgdisk") {
			mkfs = append(mkfs, c)
		}
	}
	if len(mkfs) != 2 {
		t.Errorf("partitioned or formatted more than once:\n%s", strings.Join(mkfs, "\n"))
	}
	if b, _ := os.ReadFile(filepath.Join(root, directory.UnitPath("foo"))); !strings.Contains(string(b), "by-uuid/"+uuid) {
		t.Errorf("unit of the first create replaced:\n%s", b)
	}
}
