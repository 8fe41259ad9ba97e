package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/storage"
	"hostadm/internal/host"
)

// TestStorageContentRecorded lists an lvmthin and a zfspool storage from
// recorded lvs and zfs outputs, asserting the exact commands.
func TestStorageContentRecorded(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "../disks/storage/testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rec := host.NewRecorder()
	rec.On(storage.LVSArgs("pve"), host.Reply{Stdout: read("lvs-pve.txt")})
	rec.On(storage.ZFSListArgs("tank"), host.Reply{Stdout: read("zfs-list-tank.txt")})
	env := daemontest.Start(t, daemontest.Options{Runner: rec})
	root := env.RootAuth()
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"local-lvm"}, "type": {"lvmthin"}, "vgname": {"pve"},
		"thinpool": {"data"}, "content": {"images,rootdir"}})
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"tank"}, "type": {"zfspool"}, "pool": {"tank"}})
	base := "/nodes/" + daemontest.Node + "/storage/"

	vols := env.MustOK(root, "GET", base+"local-lvm/content", nil).Data.([]any)
	var ids []string
	for _, v := range vols {
		ids = append(ids, v.(map[string]any)["volid"].(string))
	}
	if strings.Join(ids, " ") != "local-lvm:base-102-disk-0 local-lvm:vm-100-disk-0 local-lvm:vm-101-disk-0" {
		t.Errorf("lvmthin content %v", ids)
	}
	vols = env.MustOK(root, "GET", base+"tank/content", url.Values{"vmid": {"104"}}).Data.([]any)
	if len(vols) != 1 || vols[0].(map[string]any)["volid"] != "tank:base-102-disk-0/vm-104-disk-0" ||
		vols[0].(map[string]any)["content"] != "images" {
		t.Errorf("zfs content %v", vols)
	}
	want := []string{strings.Join(storage.LVSArgs("pve"), " "), strings.Join(storage.ZFSListArgs("tank"), " ")}
	var got []string
	for _, c := range rec.Calls() {
		if strings.HasPrefix(c, "lvs --separator") || strings.HasPrefix(c, "zfs list") {
			got = append(got, c)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n%s", strings.Join(got, "\n"))
	}
	if r := env.Do(root, "GET", base+"nope/content", nil); r.Status != 500 || r.Message != "storage 'nope' does not exist\n" {
		t.Errorf("missing: %d %q", r.Status, r.Message)
	}
}
