package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

// TestBtrfsEndpointsOnLoop runs the BTRFS extension through the API on
// two loop devices: raid1 with storage, a read-only snapshot, the node's
// storage status, and removal with both cleanups.
func TestBtrfsEndpointsOnLoop(t *testing.T) {
	disktest.Need(t, "mkfs.btrfs", "btrfs", "blkid", "wipefs", "mount", "umount")
	a, b := disktest.AttachLoop(t, 256), disktest.AttachLoop(t, 256)
	env, _ := diskEnv(t, a, b)
	mnt := filepath.Join(env.Root, "mnt/pve/fast")
	disktest.UnmountBtrfsAtEnd(t, mnt, a, b)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/btrfs"
	r := env.Do(root, "POST", base, url.Values{"name": {"fast"}, "devices": {a.Dev}, "data": {"raid1"}})
	if r.Status != 500 || r.Message != "raid1 needs at least 2 devices\n" {
		t.Errorf("raid1 on one device: %d %q", r.Status, r.Message)
	}
	upid := env.MustOK(root, "POST", base, url.Values{"name": {"fast"}, "devices": {a.Dev + "," + b.Dev},
		"data": {"raid1"}, "metadata": {"raid1"}, "compression": {"zstd"}, "add_storage": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" {
		t.Fatalf("btrfscreate: %s\n%s", st, log)
	}
	list := env.MustOK(root, "GET", base, nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["mounted"] != 1.0 || list[0].(map[string]any)["compression"] != "zstd" {
		t.Fatalf("list %v", list)
	}
	s := env.MustOK(root, "GET", "/storage/fast", nil).Data.(map[string]any)
	if s["type"] != "btrfs" || s["path"] != "/mnt/pve/fast" || s["content"] != "images,rootdir" {
		t.Errorf("storage %v", s)
	}
	st := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/storage", url.Values{"storage": {"fast"}}).Data.([]any)
	if len(st) != 1 || st[0].(map[string]any)["active"] != 1.0 || st[0].(map[string]any)["total"].(float64) < 200<<20 {
		t.Errorf("status %v", st)
	}
	for _, v := range []url.Values{{"subvolume": {"images"}}, {"subvolume": {"images-ro"}, "snapshot-of": {"images"}, "readonly": {"1"}}} {
		upid = env.MustOK(root, "POST", base+"/fast/subvolumes", v).Data.(string)
		if st, log := waitTask(t, env, upid); st != "OK" {
			t.Fatalf("subvolume %v: %s\n%s", v, st, log)
		}
	}
	if r := env.Do(root, "POST", base+"/fast/subvolumes", url.Values{"subvolume": {".."}}); r.Status != 400 {
		t.Errorf("subvolume '..': %d", r.Status)
	}
	subs := env.MustOK(root, "GET", base+"/fast/subvolumes", nil).Data.([]any)
	if len(subs) != 2 || subs[1].(map[string]any)["readonly"] != 1.0 || subs[0].(map[string]any)["readonly"] != 0.0 {
		t.Errorf("subvolumes %v", subs)
	}
	d := env.MustOK(root, "GET", base+"/fast", nil).Data.(map[string]any)
	if u := d["usage"].(map[string]any); u["data_ratio"] != 2.0 {
		t.Errorf("detail %v", d)
	}
	upid = env.MustOK(root, "DELETE", base+"/fast", url.Values{"cleanup-config": {"1"}, "cleanup-disks": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# umount ") {
		t.Fatalf("btrfsremove: %s\n%s", st, log)
	}
	if r := env.Do(root, "GET", "/storage/fast", nil); r.Status == 200 {
		t.Errorf("storage left")
	}
}

// TestBtrfsCreateTwiceFormatsOnce: two creates of one name accepted while
// the disk lock is held: the task that gets the lock second checks again
// under it, finds the first one's fstab line and formats nothing.
func TestBtrfsCreateTwiceFormatsOnce(t *testing.T) {
	env, rec, root := fakeDiskEnv(t, "sdb", "sdc")
	mp := filepath.Join(root, "mnt/pve/foo")
	for _, p := range []struct{ dev, uuid string }{{"/dev/sdb", "1111"}, {"/dev/sdc", "2222"}} {
		rec.On([]string{"mkfs.btrfs", "-L", "foo", p.dev}, host.Reply{})
		rec.On([]string{"blkid", p.dev, "-o", "export"}, host.Reply{Stdout: "UUID=" + p.uuid + "\n"})
		rec.On([]string{"mount", "-t", "btrfs", "-o", "defaults", p.dev, mp}, host.Reply{})
		rec.On([]string{"udevadm", "trigger", p.dev}, host.Reply{})
	}
	s1, s2 := createTwiceUnderLock(t, env, root, "/nodes/"+daemontest.Node+"/disks/btrfs",
		url.Values{"devices": {"/dev/sdb"}, "name": {"foo"}},
		url.Values{"devices": {"/dev/sdc"}, "name": {"foo"}})
	refused := "/mnt/pve/foo already has an entry in /etc/fstab"
	uuid := map[string]string{"OK/" + refused: "1111", refused + "/OK": "2222"}[s1+"/"+s2]
	if uuid == "" {
		t.Fatalf("task1 %q, task2 %q", s1, s2)
	}
	var mkfs []string
	for _, c := range rec.Calls() {
		if strings.HasPrefix(c, "mkfs") {
			mkfs = append(mkfs, c)
		}
	}
	if len(mkfs) != 1 {
		t.Errorf("formatted more than once:\n%s", strings.Join(mkfs, "\n"))
	}
	b, _ := os.ReadFile(filepath.Join(root, "etc/fstab"))
	if string(b) != "UUID="+uuid+" /mnt/pve/foo btrfs defaults 0 0\n" {
		t.Errorf("fstab:\n%s", b)
	}
}
