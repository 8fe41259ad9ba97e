package storage

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
	"hostadm/internal/sectioncfg"
)

func newService(t *testing.T, node string) (*Service, cfs.Store) {
	t.Helper()
	st, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, node), st
}

func file(t *testing.T, st cfs.Store) string {
	t.Helper()
	e, err := st.Get(t.Context(), Path)
	if err != nil {
		t.Fatal(err)
	}
	return string(e.Data)
}

func TestAddEnableCleanup(t *testing.T) {
	s, st := newService(t, "n1")
	ctx := t.Context()
	values := map[string]any{"type": nil, "pool": "tank", "content": "rootdir,images"}
	delete(values, "type")
	if err := s.Add(ctx, "tank", "zfspool", values, []string{"pool"}, true); err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig + "zfspool: tank\n\tdisable\n\tpool tank\n\tcontent rootdir,images\n\tnodes n1\n\n"
	if got := file(t, st); got != want {
		t.Errorf("after add:\n%q\nwant\n%q", got, want)
	}
	if err := s.Add(ctx, "tank", "zfspool", values, []string{"pool"}, false); err == nil ||
		err.Error() != "Storage ID 'tank' already exists on node n1" {
		t.Errorf("second add: %v", err)
	}
	if err := s.Enable(ctx, "tank"); err != nil {
		t.Fatal(err)
	}
	if got := file(t, st); strings.Contains(got, "disable") {
		t.Errorf("still disabled:\n%s", got)
	}
	// Another node adds itself to the same pool storage.
	s2 := New(st, "n2")
	if err := s2.Add(ctx, "tank", "zfspool", map[string]any{"pool": "other"}, []string{"pool"}, false); err == nil ||
		err.Error() != "Option 'pool' (other) does not match existing storage configuration 'tank'" {
		t.Errorf("mismatch: %v", err)
	}
	if err := s2.Add(ctx, "tank", "zfspool", values, []string{"pool"}, false); err != nil {
		t.Fatal(err)
	}
	if got := file(t, st); !strings.Contains(got, "\tnodes n1,n2\n") {
		t.Errorf("nodes not extended:\n%s", got)
	}
	match := func(sec *sectioncfg.Section) bool { return sec.Type == "zfspool" && sec.Props["pool"] == "tank" }
	if err := s.CleanupForNode(ctx, match); err != nil {
		t.Fatal(err)
	}
	if got := file(t, st); !strings.Contains(got, "\tnodes n2\n") {
		t.Errorf("n1 not removed:\n%s", got)
	}
	if err := s2.CleanupForNode(ctx, match); err != nil {
		t.Fatal(err)
	}
	if got := file(t, st); got != DefaultConfig {
		t.Errorf("storage not removed:\n%s", got)
	}
}

func TestCreateUpdateDelete(t *testing.T) {
	s, st := newService(t, "n1")
	ctx := t.Context()
	if err := s.Create(ctx, "lvm", "vg1", map[string]any{"vgname": "vg1", "content": "iso"}); err == nil ||
		!strings.Contains(err.Error(), "content") {
		t.Errorf("iso on lvm: %v", err)
	}
	if err := s.Create(ctx, "btrfs", "my-storage", map[string]any{"path": "/my-storage"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "btrfs", "my-storage", map[string]any{"path": "/x"}); err == nil ||
		err.Error() != "storage ID 'my-storage' already defined" {
		t.Errorf("duplicate: %v", err)
	}
	if err := s.Create(ctx, "dir", "1bad", map[string]any{"path": "/x"}); err == nil {
		t.Error("bad id accepted")
	}
	if err := s.Update(ctx, "my-storage", map[string]any{"path": "/y"}, nil, ""); err == nil ||
		err.Error() != "can't change value of fixed parameter 'path'" {
		t.Errorf("fixed: %v", err)
	}
	if err := s.Update(ctx, "my-storage", map[string]any{"content": "images,rootdir"}, nil, "0000"); err != host.ErrDigestMismatch {
		t.Errorf("digest: %v", err)
	}
	if err := s.Update(ctx, "my-storage", map[string]any{"content": "images,rootdir"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig + "btrfs: my-storage\n\tpath /my-storage\n\tcontent images,rootdir\n\n"
	if got := file(t, st); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if err := s.Delete(ctx, "my-storage"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "my-storage"); err == nil || err.Error() != "storage 'my-storage' does not exist" {
		t.Errorf("delete twice: %v", err)
	}
}

func TestStatuses(t *testing.T) {
	s, _ := newService(t, "n1")
	ctx := t.Context()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "srv/dir"), 0o755)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Create(ctx, "dir", "dir1", map[string]any{"path": "/srv/dir", "content": "iso"}))
	must(s.Create(ctx, "zfspool", "zfs1", map[string]any{"pool": "tank", "content": "images"}))
	must(s.Create(ctx, "lvmthin", "thin1", map[string]any{"vgname": "pve", "thinpool": "data"}))
	must(s.Create(ctx, "lvm", "other", map[string]any{"vgname": "vg", "nodes": "n2"}))
	must(s.Create(ctx, "dir", "off", map[string]any{"path": "/nope", "disable": true}))
	rec := host.NewRecorder()
	rec.On(strings.Fields("zfs get -o value -Hp -- available,used tank"), host.Reply{Stdout: "900\n100\n"})
	rec.On(strings.Fields("lvs --noheadings --units b --nosuffix -o lv_size,data_percent -- pve/data"), host.Reply{Stdout: "  1000 25.00\n"})
	r, _ := host.NewRoot(root)
	list, err := s.Statuses(ctx, Prober{Root: r, Runner: rec})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Status{}
	for _, st := range list {
		got[st.Storage] = st
	}
	if len(list) != 5 /* local, dir1, zfs1, thin1, off */ || got["other"].Storage != "" {
		t.Errorf("storages: %+v", list)
	}
	if d := got["dir1"]; d.Active != 1 || d.Total <= 0 || d.Avail <= 0 || d.Content != "iso" {
		t.Errorf("dir: %+v", d)
	}
	if z := got["zfs1"]; z.Total != 1000 || z.Used != 100 || z.Avail != 900 || z.Fraction != 0.1 {
		t.Errorf("zfs: %+v", z)
	}
	if th := got["thin1"]; th.Total != 1000 || th.Used != 250 || th.Avail != 750 {
		t.Errorf("thin: %+v", th)
	}
	if off := got["off"]; off.Enabled != 0 || off.Active != 0 {
		t.Errorf("disabled: %+v", off)
	}
}

// TestStatusesOfProbesOnlyKept: storages the filter drops are neither
// listed nor measured, so no command runs for them.
func TestStatusesOfProbesOnlyKept(t *testing.T) {
	s, _ := newService(t, "n1")
	ctx := t.Context()
	for _, c := range []struct {
		typ, id string
		v       map[string]any
	}{
		{"zfspool", "zfs1", map[string]any{"pool": "tank"}},
		{"lvm", "vg1", map[string]any{"vgname": "vg1"}},
		{"lvmthin", "thin1", map[string]any{"vgname": "pve", "thinpool": "data"}},
	} {
		if err := s.Create(ctx, c.typ, c.id, c.v); err != nil {
			t.Fatal(err)
		}
	}
	rec := host.NewRecorder()
	rec.On(VGSizeArgs("vg1"), host.Reply{Stdout: "  1000 400\n"})
	r, _ := host.NewRoot(t.TempDir())
	list, err := s.StatusesOf(ctx, Prober{Root: r, Runner: rec}, func(id string) bool { return id == "vg1" })
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Storage != "vg1" || list[0].Total != 1000 || list[0].Used != 600 {
		t.Errorf("statuses: %+v", list)
	}
	if got := strings.Join(rec.Calls(), "\n"); got != strings.Join(VGSizeArgs("vg1"), " ") {
		t.Errorf("commands run:\n%s", got)
	}
}

// TestNamesReachingCommandsHaveFormats: vgname and thinpool are
// pve-storage-vgname and pool a ZFS name, so a value that would be an
// option of vgs, lvs or zfs never gets into storage.cfg; the commands
// also end their options with "--" before the names.
func TestNamesReachingCommandsHaveFormats(t *testing.T) {
	s, st := newService(t, "n1")
	ctx := t.Context()
	evil := `--config=log{file="/etc/cron.d/x" level=7}`
	cases := []struct {
		typ  string
		v    map[string]any
		want string
	}{
		{"lvm", map[string]any{"vgname": evil}, "property 'vgname': invalid format - lvm name '" + evil + "' contains illegal characters"},
		{"lvmthin", map[string]any{"vgname": "pve", "thinpool": "-a"}, "property 'thinpool': invalid format - lvm name '-a' contains illegal characters"},
		{"lvmthin", map[string]any{"vgname": "-x", "thinpool": "data"}, "property 'vgname': invalid format - lvm name '-x' contains illegal characters"},
		{"zfspool", map[string]any{"pool": "-r"}, "property 'pool': invalid format - invalid ZFS pool or dataset name '-r'"},
	}
	if err := s.Create(ctx, "lvm", "fine", map[string]any{"vgname": "pve"}); err != nil {
		t.Fatal(err)
	}
	before := file(t, st)
	for _, c := range cases {
		err := s.Create(ctx, c.typ, "evil", c.v)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %v: %v, want %q", c.typ, c.v, err, c.want)
		}
	}
	if after := file(t, st); after != before {
		t.Errorf("storage.cfg changed:\n%s", after)
	}
	for _, argv := range [][]string{VGSizeArgs("vg"), ThinSizeArgs("vg", "lv"), ZFSSpaceArgs("tank"),
		LVSArgs("vg"), ZFSListArgs("tank")} {
		if n := len(argv); n < 2 || !slices.Contains(argv[n-3:n-1], "--") {
			t.Errorf("no -- before the name: %q", argv)
		}
	}
}
