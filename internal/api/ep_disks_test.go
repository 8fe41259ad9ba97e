package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"net/url"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

// diskEnv starts a daemon whose disk service sees the test's loop devices
// (and only those, besides the whitelist) and runs the real tools through
// a recorder, so a test may also answer a command from a recorded output.
func diskEnv(t *testing.T, loops ...*disktest.Loop) (*daemontest.Env, *host.Recorder) {
	t.Helper()
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.Prepare(t, root, loops...)
	}})
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	var names []string
	for _, l := range loops {
		names = append(names, l.Name)
	}
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec, ExtraDisks: names})
	return env, rec
}

// createTwiceUnderLock posts two creates to path while the test holds the
// disk lock, so both are accepted before either task runs, then releases
// it and returns both tasks' exit statuses.
func createTwiceUnderLock(t *testing.T, env *daemontest.Env, root, path string, first, second url.Values) (string, string) {
	t.Helper()
	hr, _ := host.NewRoot(root)
	unlock, err := hr.Lock(context.Background(), disks.LockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	auth := env.RootAuth()
	u1 := env.MustOK(auth, "POST", path, first).Data.(string)
	u2 := env.MustOK(auth, "POST", path, second).Data.(string)
	unlock()
	s1, _ := waitTask(t, env, u1)
	s2, _ := waitTask(t, env, u2)
	return s1, s2
}

// waitTask waits for a task and returns its exit status and log text.
func waitTask(t *testing.T, env *daemontest.Env, upid string) (string, string) {
	t.Helper()
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/tasks/" + url.PathEscape(upid)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := env.MustOK(root, "GET", base+"/status", nil).Data.(map[string]any)
		if st["status"] == "stopped" {
			lines := env.MustOK(root, "GET", base+"/log", url.Values{"limit": {"1000"}}).Data.([]any)
			var b strings.Builder
			for _, l := range lines {
				b.WriteString(l.(map[string]any)["t"].(string) + "\n")
			}
			return st["exitstatus"].(string), b.String()
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s did not finish", upid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDiskEndpointsOnLoop(t *testing.T) {
	disktest.Need(t, "sgdisk", "wipefs", "blkid", "partx", "mkfs.ext4")
	l := disktest.AttachLoop(t, 32)
	env, rec := diskEnv(t, l)
	root := env.RootAuth()
	node := "/nodes/" + daemontest.Node + "/disks"

	t.Run("index", func(t *testing.T) {
		var names []string
		for _, e := range env.MustOK(root, "GET", node, nil).Data.([]any) {
			names = append(names, e.(map[string]any)["name"].(string))
		}
		if got := strings.Join(names[:8], ","); got != "list,initgpt,smart,lvm,lvmthin,directory,wipedisk,zfs" {
			t.Errorf("index %s", got)
		}
	})
	t.Run("bad disk paths run nothing", func(t *testing.T) {
		os.MkdirAll(filepath.Join(env.Root, "etc"), 0o755)
		os.WriteFile(filepath.Join(env.Root, "etc/passwd"), nil, 0o644)
		os.Symlink("/etc/passwd", filepath.Join(env.Root, "dev/evil"))
		os.MkdirAll(filepath.Join(env.Root, "dev/mapper"), 0o755)
		os.Symlink("../"+l.Name, filepath.Join(env.Root, "dev/mapper/testdisk"))
		before := len(rec.Calls())
		for disk, want := range map[string]string{
			"/dev/evil":         "got unusual device path '/etc/passwd'\n",
			"/dev/nonexistent1": "failed to get absolute path to /dev/nonexistent1",
			"/dev/sys":          "not a valid block device\n",
		} {
			os.MkdirAll(filepath.Join(env.Root, "dev/sys"), 0o755)
			r := env.Do(root, "POST", node+"/initgpt", url.Values{"disk": {disk}})
			if r.Status != 500 || !strings.HasPrefix(r.Message, want) {
				t.Errorf("%s: %d %q", disk, r.Status, r.Message)
			}
		}
		r := env.Do(root, "POST", node+"/initgpt", url.Values{"disk": {"/etc/passwd"}})
		if r.Status != 400 || r.Errors["disk"] == "" {
			t.Errorf("outside /dev: %d %v", r.Status, r.Errors)
		}
		r = env.Do(root, "PUT", node+"/wipedisk", url.Values{"disk": {"/dev/../etc/passwd"}})
		if r.Status != 400 {
			t.Errorf("dot-dot: %d %v", r.Status, r.Errors)
		}
		if calls := rec.Calls()[before:]; len(calls) > 0 {
			t.Errorf("ran %v", calls)
		}
	})
	t.Run("initgpt through a symlink, list, wipe", func(t *testing.T) {
		upid := env.MustOK(root, "POST", node+"/initgpt", url.Values{"disk": {"/dev/mapper/testdisk"}}).Data.(string)
		if !strings.Contains(upid, ":diskinit:"+l.Name+":root@pam:") {
			t.Errorf("upid %s", upid)
		}
		if st, log := waitTask(t, env, upid); st != "OK" {
			t.Fatalf("initgpt task: %s\n%s", st, log)
		}
		list := env.MustOK(root, "GET", node+"/list", url.Values{"skipsmart": {"1"}}).Data.([]any)
		var mine map[string]any
		for _, d := range list {
			if d.(map[string]any)["devpath"] == l.Dev {
				mine = d.(map[string]any)
			}
		}
		if mine == nil || mine["gpt"] != 1.0 || mine["size"] != float64(32<<20) || mine["health"] != "UNKNOWN" {
			t.Fatalf("list: %v", list)
		}
		disktest.Run(t, "sgdisk", "-n1:0:+8M", l.Dev)
		disktest.Partitions(t, env.Root, l)
		disktest.Run(t, "mkfs.ext4", "-q", l.Dev+"p1")
		r := env.Do(root, "POST", node+"/initgpt", url.Values{"disk": {l.Dev}})
		if r.Status != 500 || r.Message != "disk "+l.Dev+" already in use\n" {
			t.Errorf("used disk: %d %q", r.Status, r.Message)
		}
		unused := env.MustOK(root, "GET", node+"/list", url.Values{"skipsmart": {"1"}, "type": {"unused"}}).Data.([]any)
		for _, d := range unused {
			if d.(map[string]any)["devpath"] == l.Dev {
				t.Errorf("used disk listed as unused")
			}
		}
		os.WriteFile(filepath.Join(env.Root, "proc/mounts"), []byte(l.Dev+"p1 /mnt/x ext4 rw 0 0\n"), 0o644)
		r = env.Do(root, "PUT", node+"/wipedisk", url.Values{"disk": {l.Dev}})
		if r.Status != 500 || r.Message != "disk/partition '"+l.Dev+"p1' is mounted\n" {
			t.Errorf("mounted: %d %q", r.Status, r.Message)
		}
		os.WriteFile(filepath.Join(env.Root, "proc/mounts"), nil, 0o644)
		upid = env.MustOK(root, "PUT", node+"/wipedisk", url.Values{"disk": {l.Dev}}).Data.(string)
		st, log := waitTask(t, env, upid)
		if st != "OK" || !strings.Contains(log, "wipefs --all "+l.Dev+"p1 "+l.Dev) {
			t.Errorf("wipe task: %s\n%s", st, log)
		}
	})
	t.Cleanup(func() {
		for _, c := range rec.Calls() {
			for _, arg := range strings.Fields(c) {
				if dev := strings.TrimPrefix(arg, "of="); strings.HasPrefix(dev, "/dev/") && !strings.HasPrefix(dev, l.Dev) &&
					dev != "/dev/zero" {
					t.Errorf("touched %s: %s", dev, c)
				}
			}
		}
	})
	t.Run("smart from a recorded NVMe output", func(t *testing.T) {
		out := disktest.Testdata(t, ".", "smart/nvme.json")
		rec.On([]string{"smartctl", "-j", "-H", "-A", l.Dev}, host.Reply{Stdout: out})
		m := env.MustOK(root, "GET", node+"/smart", url.Values{"disk": {l.Dev}}).Data.(map[string]any)
		if m["health"] != "PASSED" || m["type"] != "text" || m["wearout"] != 97.0 ||
			m["nvme"].(map[string]any)["power_on_hours"] != 9876.0 {
			t.Errorf("smart: %v", m)
		}
		m = env.MustOK(root, "GET", node+"/smart", url.Values{"disk": {l.Dev}, "healthonly": {"1"}}).Data.(map[string]any)
		if len(m) != 1 {
			t.Errorf("healthonly: %v", m)
		}
	})
}

func TestLVMEndpointsOnLoop(t *testing.T) {
	disktest.Need(t, "pvcreate", "vgcreate", "vgs", "vgremove", "wipefs")
	l := disktest.AttachLoop(t, 64)
	name := "hostadmapi" + strings.TrimPrefix(l.Name, "loop")
	disktest.RemoveVGAtEnd(t, name, l)
	env, _ := diskEnv(t, l)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/lvm"
	upid := env.MustOK(root, "POST", base, url.Values{"device": {l.Dev}, "name": {name}, "add_storage": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" {
		t.Fatalf("lvmcreate: %s\n%s", st, log)
	}
	tree := env.MustOK(root, "GET", base, nil).Data.(map[string]any)
	var vg map[string]any
	for _, c := range tree["children"].([]any) {
		if c.(map[string]any)["name"] == name {
			vg = c.(map[string]any)
		}
	}
	if vg == nil || vg["leaf"] != 0.0 || vg["children"].([]any)[0].(map[string]any)["name"] != l.Dev {
		t.Fatalf("tree %v", tree)
	}
	s := env.MustOK(root, "GET", "/storage/"+name, nil).Data.(map[string]any)
	if s["type"] != "lvm" || s["vgname"] != name || s["shared"] != 0.0 || s["content"] != "rootdir,images" {
		t.Errorf("storage %v", s)
	}
	r := env.Do(root, "POST", base, url.Values{"device": {l.Dev}, "name": {"other"}})
	if r.Status != 500 || r.Message != "device '"+l.Dev+"' is already in use\n" {
		t.Errorf("used device: %d %q", r.Status, r.Message)
	}
	upid = env.MustOK(root, "DELETE", base+"/"+name, url.Values{"cleanup-config": {"1"}, "cleanup-disks": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" {
		t.Fatalf("lvmremove: %s\n%s", st, log)
	}
	if r := env.Do(root, "GET", "/storage/"+name, nil); r.Status == 200 {
		t.Errorf("storage left: %s", r.Body)
	}
}
