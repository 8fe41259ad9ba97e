package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/storage"
	"hostadm/internal/host"
)

// TestStorageContentRecorded lists an lvmthin and a zfspool storage from
// recorded lvs and zfs outputs, asserting the exact commands.
func TestStorageContentRecorded(t *testing.T) {
	read := func(name string) string { return disktest.Testdata(t, "storage", name) }
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

// TestStorageNamesAreNoOptions: a Datastore.Allocate user cannot store a
// vgname, thinpool or pool that vgs, lvs or zfs would read as an option,
// and the node's storage status measures only the storages the caller may
// see, with "--" before the names.
func TestStorageNamesAreNoOptions(t *testing.T) {
	rec := host.NewRecorder()
	rec.On(storage.VGSizeArgs("vg1"), host.Reply{Stdout: "  1000 400\n"})
	rec.On(storage.ZFSSpaceArgs("tank/data"), host.Reply{Stdout: "900\n100\n"})
	env := daemontest.Start(t, daemontest.Options{Runner: rec})
	root := env.RootAuth()
	alloc := env.AddUser("alloc@pve", "password123", map[string]string{"/storage": "PVEDatastoreAdmin"})
	evil := `--config=log{file="/etc/cron.d/x" level=7}`
	for _, c := range []struct {
		values url.Values
		param  string
		want   string
	}{
		{url.Values{"type": {"lvm"}, "vgname": {evil}}, "vgname", "lvm name '" + evil + "' contains illegal characters"},
		{url.Values{"type": {"lvmthin"}, "vgname": {"pve"}, "thinpool": {"-a"}}, "thinpool", "lvm name '-a' contains illegal characters"},
		{url.Values{"type": {"zfspool"}, "pool": {"-r"}}, "pool", "invalid ZFS pool or dataset name '-r'"},
	} {
		c.values.Set("storage", "evil")
		r := env.Do(alloc, "POST", "/storage", c.values)
		if r.Status != 400 || r.Errors[c.param] != "invalid format - "+c.want+"\n" {
			t.Errorf("%v: %d %q %v", c.values, r.Status, r.Message, r.Errors)
		}
	}
	if r := env.Do(root, "GET", "/storage/evil", nil); r.Status == 200 {
		t.Errorf("a refused storage was stored: %s", r.Body)
	}
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"vg1"}, "type": {"lvm"}, "vgname": {"vg1"}})
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"tank"}, "type": {"zfspool"}, "pool": {"tank/data"}})
	vg1only := env.AddUser("vg1only@pve", "password123", map[string]string{"/storage/vg1": "PVEAuditor"})
	nobody := env.AddUser("nobody@pve", "password123", nil)
	path := "/nodes/" + daemontest.Node + "/storage"
	if list := env.MustOK(nobody, "GET", path, nil).Data.([]any); len(list) != 0 {
		t.Errorf("nobody sees %v", list)
	}
	if calls := rec.Calls(); len(calls) != 0 {
		t.Errorf("listing for a user who sees nothing ran:\n%s", strings.Join(calls, "\n"))
	}
	list := env.MustOK(vg1only, "GET", path, nil).Data.([]any)
	if len(list) != 1 || list[0].(map[string]any)["storage"] != "vg1" || list[0].(map[string]any)["total"] != 1000.0 {
		t.Errorf("vg1only sees %v", list)
	}
	if got := strings.Join(rec.Calls(), "\n"); got != strings.Join(storage.VGSizeArgs("vg1"), " ") {
		t.Errorf("commands for vg1only:\n%s", got)
	}
	env.MustOK(root, "GET", path, nil)
	if got := rec.Calls(); !slices.Contains(got, strings.Join(storage.ZFSSpaceArgs("tank/data"), " ")) {
		t.Errorf("commands for root:\n%s", strings.Join(got, "\n"))
	}
}
