package directory

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

func TestUnitRoundTrip(t *testing.T) {
	u := MountUnit("my-store", "0b3c7a4e-1c1d-4c7e-9d6f-2b1f3f0c9a11", "xfs")
	var b bytes.Buffer
	u.Write(&b)
	// The layout of Proxmox's write_ini: sections and keys sorted.
	want := "[Install]\nWantedBy=multi-user.target\n\n" +
		"[Mount]\nOptions=defaults\nType=xfs\nWhat=/dev/disk/by-uuid/0b3c7a4e-1c1d-4c7e-9d6f-2b1f3f0c9a11\nWhere=/mnt/pve/my-store\n\n" +
		"[Unit]\nDescription=Mount storage 'my-store' under /mnt/pve\n\n"
	if b.String() != want {
		t.Fatalf("unit:\n%s\nwant:\n%s", b.String(), want)
	}
	back, err := ParseUnit(strings.NewReader("# comment\n" + want + "[Mount]\nOptions=noatime\n"))
	if err != nil {
		t.Fatal(err)
	}
	if back.Get("Mount", "Where") != "/mnt/pve/my-store" || len(back["Mount"]["Options"]) != 2 {
		t.Errorf("parsed %v", back)
	}
	if UnitName("my-store") != `mnt-pve-my\x2dstore.mount` || UnescapeUnit(`my\x2dstore`) != "my-store" {
		t.Errorf("unit name %s", UnitName("my-store"))
	}
}

// TestDirectoryOnLoop makes a directory storage for real on a loop device
// (partition, mkfs, blkid), with systemctl answered by the recorder as
// there is no systemd here; the test then does what systemd would (mount
// the file system on the unit's Where under the test's root) and removes
// the storage again with cleanup-disks.
func TestDirectoryOnLoop(t *testing.T) {
	for _, c := range []struct {
		fs      string
		sizeMiB int
	}{{"ext4", 64}, {"xfs", 320}} {
		t.Run(c.fs, func(t *testing.T) {
			disktest.Need(t, "sgdisk", "partx", "mkfs."+c.fs, "blkid", "wipefs", "mount", "umount")
			testDirectory(t, c.fs, c.sizeMiB)
		})
	}
}

func testDirectory(t *testing.T, fstype string, sizeMiB int) {
	l := disktest.AttachLoop(t, sizeMiB)
	root := disktest.Root(t, l)
	r, _ := host.NewRoot(root)
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	name := "store-" + fstype
	unit := UnitName(name)
	for _, argv := range [][]string{{"systemctl", "daemon-reload"}, {"systemctl", "enable", unit},
		{"systemctl", "start", unit}, {"systemctl", "stop", unit}, {"systemctl", "disable", unit}} {
		rec.On(argv, host.Reply{})
	}
	s := New(disks.New(disks.Config{Root: r, Runner: rec, ExtraDisks: []string{l.Name}}))
	var log disktest.Log
	if err := s.Create(t.Context(), &log, l.Dev, name, fstype); err != nil {
		t.Fatalf("create: %v\n%s", err, log.String())
	}
	part := l.Dev + "p1"
	wantCmds := []string{"sgdisk -n1 -t1:8300 " + l.Dev, "partx -a " + l.Dev, "mkfs -t " + fstype + " " + part,
		"blkid " + part + " -o export", "udevadm trigger " + part, "systemctl daemon-reload",
		"systemctl enable " + unit, "systemctl start " + unit}
	if got := changes(rec.Calls()); strings.Join(got, "\n") != strings.Join(wantCmds, "\n") {
		t.Errorf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantCmds, "\n"))
	}
	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", part))
	if typ := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "TYPE", "-o", "value", part)); typ != fstype {
		t.Errorf("file system on %s: %s", part, typ)
	}
	var want bytes.Buffer
	MountUnit(name, uuid, fstype).Write(&want)
	got, err := os.ReadFile(filepath.Join(root, UnitPath(name)))
	if err != nil || string(got) != want.String() {
		t.Fatalf("unit file %v:\n%s", err, got)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0] != (Entry{UnitFile: UnitPath(name), Path: "/mnt/pve/" + name,
		Device: "/dev/disk/by-uuid/" + uuid, Type: fstype, Options: "defaults"}) {
		t.Errorf("list %+v %v", list, err)
	}
	if err := s.Check(name); err == nil || err.Error() != "a systemd mount unit already exists: "+UnitPath(name) {
		t.Errorf("check: %v", err)
	}

	// What udev and systemd would do: the by-uuid link and the mount.
	disktest.Mirror(t, root, l.Name)
	os.MkdirAll(filepath.Join(root, "dev/disk/by-uuid"), 0o755)
	os.Symlink("../../"+l.Name+"p1", filepath.Join(root, "dev/disk/by-uuid", uuid))
	where := filepath.Join(root, MountPath(name))
	os.MkdirAll(where, 0o755)
	disktest.Run(t, "mount", "-t", fstype, part, where)
	t.Cleanup(func() { exec.Command("umount", where).Run() })
	os.WriteFile(filepath.Join(root, "proc/mounts"), []byte(fmt.Sprintf("%s %s %s rw 0 0\n", part, MountPath(name), fstype)), 0o644)
	if err := s.Check(name); err == nil || err.Error() != fmt.Sprintf("the path for '%s' is already mounted: /mnt/pve/%s (%s)", name, name, part) {
		t.Errorf("check mounted: %v", err)
	}
	if err := os.WriteFile(filepath.Join(where, "probe"), []byte("x"), 0o644); err != nil {
		t.Errorf("write on the mounted file system: %v", err)
	}
	disktest.Run(t, "umount", where)
	os.WriteFile(filepath.Join(root, "proc/mounts"), nil, 0o644)

	before := len(rec.Calls())
	log.Reset()
	cleaned := false
	if err := s.Remove(t.Context(), &log, name, true, func() error { cleaned = true; return nil }); err != nil {
		t.Fatalf("remove: %v\n%s", err, log.String())
	}
	wantCmds = []string{"systemctl stop " + unit, "systemctl disable " + unit, "wipefs --all " + part + " " + l.Dev,
		"dd if=/dev/zero of=" + l.Dev + " bs=1M conv=fdatasync count=" + fmt.Sprint(min(sizeMiB, 200)), "udevadm trigger " + l.Dev}
	if got := changes(rec.Calls()[before:]); !cleaned || strings.Join(got, "\n") != strings.Join(wantCmds, "\n") {
		t.Errorf("remove commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantCmds, "\n"))
	}
	if r.Exists(UnitPath(name)) {
		t.Error("unit file still there")
	}
	if out, _ := exec.Command("blkid", "-p", l.Dev).Output(); len(out) > 0 {
		t.Errorf("device not wiped: %s", out)
	}
	if err := s.Remove(t.Context(), &log, name, false, nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("remove twice: %v", err)
	}
}

// changes drops the read-only commands a disk listing runs.
func changes(calls []string) []string {
	var out []string
	for _, c := range calls {
		if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool") &&
			!strings.HasPrefix(c, "blkid -p") {
			out = append(out, c)
		}
	}
	return out
}

// TestCreateChecksAgainUnderLock: the worker repeats Check under the disk
// lock, so a unit or mount that appeared after the request was accepted
// stops it before anything is partitioned or formatted.
func TestCreateChecksAgainUnderLock(t *testing.T) {
	root := t.TempDir()
	disktest.FakeDisks(t, root, "sdb")
	r, _ := host.NewRoot(root)
	rec := disktest.QuietRecorder()
	s := New(disks.New(disks.Config{Root: r, Runner: rec}))
	if err := s.Check("foo"); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(UnitPath("foo"), []byte("[Mount]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log disktest.Log
	err := s.Create(t.Context(), &log, "/dev/sdb", "foo", "ext4")
	if err == nil || err.Error() != "a systemd mount unit already exists: "+UnitPath("foo") {
		t.Errorf("unit exists: %v", err)
	}
	if err := os.Remove(r.Path(UnitPath("foo"))); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("/proc/mounts", []byte("/dev/sdc /mnt/pve/foo ext4 rw 0 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Create(t.Context(), &log, "/dev/sdb", "foo", "ext4")
	if err == nil || !strings.HasPrefix(err.Error(), "the path for 'foo' is already mounted: /mnt/pve/foo") {
		t.Errorf("mounted: %v", err)
	}
	if calls := rec.Calls(); len(calls) != 0 || log.String() != "" {
		t.Errorf("ran %q\n%s", calls, log.String())
	}
}
