package btrfs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestParseUsage(t *testing.T) {
	u := ParseUsage(golden.Read(t, "usage-raid1-b.txt"))
	if u.DeviceSize != 536870912 || u.Used != 17137664 || u.FreeEstimated != 218103808 || u.FreeMin != 218103808 ||
		u.FreeStatfs != 217055232 || u.DataRatio != 2 || u.MetadataRatio != 2 || u.GlobalReserve != 5767168 || u.MultiProfiles {
		t.Errorf("overall %+v", u)
	}
	if len(u.Allocations) != 3 || u.Allocations[0].Type != "Data" || u.Allocations[0].Profile != "RAID1" ||
		u.Allocations[0].Used != 8388608 || len(u.Allocations[0].Devices) != 2 ||
		u.Allocations[2].Devices[1] != (DevSize{"/dev/loop1", 8388608}) {
		t.Errorf("allocations %+v", u.Allocations)
	}
	if len(u.DeviceUnalloc) != 2 || u.DeviceUnalloc[0].Bytes != 159383552 {
		t.Errorf("unallocated %+v", u.DeviceUnalloc)
	}
	subs := ParseSubvolumes(golden.Read(t, "subvolume-list.txt"), golden.Read(t, "subvolume-list-r.txt"))
	if len(subs) != 2 || subs[0] != (Subvolume{256, 8, 5, "images", false}) || !subs[1].ReadOnly {
		t.Errorf("subvolumes %+v", subs)
	}
	if d := ParseShowDevices(golden.Read(t, "show-raw.txt")); strings.Join(d, " ") != "/dev/loop0 /dev/loop1" {
		t.Errorf("devices %v", d)
	}
}

const fstabIn = "# /etc/fstab: static file system information.\n" +
	"#\n" +
	"/dev/pve/root / ext4 errors=remount-ro 0 1\n" +
	"UUID=7A2B-11C4  /boot/efi vfat    defaults 0 1\n" +
	"\n" +
	"proc /proc proc defaults 0 0\n"

func TestFstab(t *testing.T) {
	f, err := ParseFstab(strings.NewReader(fstabIn))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	f.Write(&b)
	if b.String() != fstabIn {
		t.Fatalf("round trip:\n%s", b.String())
	}
	if e := f.Find("/boot/efi"); e == nil || e.Spec != "UUID=7A2B-11C4" || e.Pass != "1" {
		t.Errorf("find %+v", e)
	}
	f.Set(FstabEntry{Spec: "UUID=u1", File: "/mnt/pve/tank", VFSType: "btrfs", Options: MountOptions("zstd"), Freq: "0", Pass: "0"})
	f.Set(FstabEntry{Spec: "UUID=u1", File: "/mnt/pve/tank", VFSType: "btrfs", Options: MountOptions("lzo"), Freq: "0", Pass: "0"})
	b.Reset()
	f.Write(&b)
	if b.String() != fstabIn+"UUID=u1 /mnt/pve/tank btrfs defaults,compress=lzo 0 0\n" {
		t.Errorf("set:\n%s", b.String())
	}
	e := f.Find("/mnt/pve/tank")
	e.SetOption("compress", "")
	if e.Options != "defaults" {
		t.Errorf("option removed: %s", e.Options)
	}
	if !f.Remove("/mnt/pve/tank") || f.Remove("/mnt/pve/tank") {
		t.Error("remove")
	}
	b.Reset()
	f.Write(&b)
	if b.String() != fstabIn {
		t.Errorf("after remove:\n%s", b.String())
	}
}

func TestCheck(t *testing.T) {
	r, _ := host.NewRoot(t.TempDir())
	s := New(disks.New(disks.Config{Root: r, Runner: host.NewRecorder()}))
	for _, c := range []struct {
		o    CreateOptions
		want string
	}{
		{CreateOptions{Name: "a/b", Devices: []string{"/dev/sdb"}}, "invalid name 'a/b'"},
		{CreateOptions{Name: "tank", Data: "raid1", Devices: []string{"/dev/sdb"}}, "raid1 needs at least 2 devices"},
		{CreateOptions{Name: "tank", Metadata: "raid10", Devices: []string{"/dev/sdb", "/dev/sdc"}}, "raid10 needs at least 4 devices"},
		{CreateOptions{Name: "tank", Data: "raid5", Devices: []string{"/dev/sdb", "/dev/sdc"}}, "unknown profile 'raid5'"},
		{CreateOptions{Name: "tank", Compression: "lz4", Devices: []string{"/dev/sdb"}}, "unknown compression 'lz4'"},
		{CreateOptions{Name: "tank", Data: "raid1", Metadata: "raid1", Devices: []string{"/dev/sdb", "/dev/sdc"}}, ""},
	} {
		got := ""
		if err := s.Check(c.o); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
	for _, bad := range []string{"..", "a/b", "", ".hidden", "x y"} {
		if CheckSubvolume(bad) == nil {
			t.Errorf("subvolume %q accepted", bad)
		}
	}
	if got := strings.Join(MkfsArgs(CreateOptions{Name: "tank", Data: "raid1", Metadata: "raid1", Devices: []string{"/dev/sdb", "/dev/sdc"}}), " "); got != "mkfs.btrfs -L tank -d raid1 -m raid1 /dev/sdb /dev/sdc" {
		t.Errorf("mkfs %s", got)
	}
}

// TestBtrfsOnLoop is the end-to-end run on two loop devices: raid1 file
// system with zstd, fstab line (other lines kept), the real mount,
// subvolumes, a read-only snapshot the kernel refuses writes to, usage,
// a compression change with remount, and removal with wiping.
func TestBtrfsOnLoop(t *testing.T) {
	disktest.Need(t, "mkfs.btrfs", "btrfs", "blkid", "wipefs", "mount", "umount")
	a, b := disktest.AttachLoop(t, 256), disktest.AttachLoop(t, 256)
	root := disktest.Root(t, a, b)
	mnt := filepath.Join(root, "mnt/pve/tank")
	disktest.UnmountBtrfsAtEnd(t, mnt, a, b)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, FstabPath), []byte(fstabIn), 0o644)
	r, _ := host.NewRoot(root)
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	s := New(disks.New(disks.Config{Root: r, Runner: rec, ExtraDisks: []string{a.Name, b.Name}}))
	var log disktest.Log
	o := CreateOptions{Name: "tank", Devices: []string{a.Dev, b.Dev}, Data: "raid1", Metadata: "raid1", Compression: "zstd"}
	if err := s.Create(t.Context(), &log, o); err != nil {
		t.Fatalf("create: %v\n%s", err, log.String())
	}
	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", a.Dev))
	fstab, _ := os.ReadFile(filepath.Join(root, FstabPath))
	if want := fstabIn + "UUID=" + uuid + " /mnt/pve/tank btrfs defaults,compress=zstd 0 0\n"; string(fstab) != want {
		t.Errorf("fstab:\n%s\nwant:\n%s", fstab, want)
	}
	if !s.Mounted("tank") || !mountOpts(t, mnt, "compress=zstd") {
		t.Fatal("not mounted with compress=zstd")
	}
	if err := s.Create(t.Context(), &log, o); err == nil || !strings.Contains(err.Error(), "already mounted") {
		t.Errorf("second create: %v", err)
	}

	for _, c := range []struct {
		sub, from string
		ro        bool
	}{{"images", "", false}, {"images-snap1", "images", true}, {"images-rw", "images", false}} {
		if err := s.CreateSubvolume(t.Context(), &log, "tank", c.sub, c.from, c.ro); err != nil {
			t.Fatalf("subvolume %s: %v\n%s", c.sub, err, log.String())
		}
	}
	if err := os.WriteFile(filepath.Join(mnt, "images-snap1/x"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write into the read-only snapshot: %v", err)
	}
	if err := s.CreateSubvolume(t.Context(), &log, "tank", "../../etc", "", false); err == nil {
		t.Error("subvolume outside the file system accepted")
	}
	subs, err := s.Subvolumes(t.Context(), "tank")
	if err != nil || len(subs) != 3 || subs[0].Path != "images" || subs[1].Path != "images-snap1" || !subs[1].ReadOnly ||
		subs[2].Path != "images-rw" || subs[2].ReadOnly {
		t.Errorf("subvolumes %v %v", subs, err)
	}
	if err := s.DeleteSubvolume(t.Context(), &log, "tank", "images-rw"); err != nil {
		t.Errorf("delete subvolume: %v", err)
	}
	os.WriteFile(filepath.Join(mnt, "images/data"), bytes.Repeat([]byte("hostadm "), 1<<20), 0o644)
	disktest.Run(t, "sync")
	fs, err := s.Get(t.Context(), "tank")
	if err != nil || fs.Mounted != 1 || fs.Usage == nil || fs.Usage.DataRatio != 2 || fs.Usage.Allocations[0].Profile != "RAID1" ||
		fs.Total != 512<<20 || fs.Compression != "zstd" {
		t.Errorf("get %+v %v", fs, err)
	}

	if err := s.SetCompression(t.Context(), &log, "tank", "lzo"); err != nil {
		t.Fatalf("set compression: %v\n%s", err, log.String())
	}
	if !mountOpts(t, mnt, "compress=lzo") {
		t.Error("not remounted with lzo")
	}
	fstab, _ = os.ReadFile(filepath.Join(root, FstabPath))
	if !strings.HasPrefix(string(fstab), fstabIn) || !strings.HasSuffix(string(fstab), " /mnt/pve/tank btrfs defaults,compress=lzo 0 0\n") {
		t.Errorf("fstab after compression change:\n%s", fstab)
	}

	log.Reset()
	cleaned := false
	if err := s.Remove(t.Context(), &log, "tank", true, func() error { cleaned = true; return nil }); err != nil {
		t.Fatalf("remove: %v\n%s", err, log.String())
	}
	fstab, _ = os.ReadFile(filepath.Join(root, FstabPath))
	if !cleaned || s.Mounted("tank") || string(fstab) != fstabIn {
		t.Errorf("after remove: mounted %v fstab:\n%s", s.Mounted("tank"), fstab)
	}
	for _, dev := range []string{a.Dev, b.Dev} {
		if !strings.Contains(log.String(), "# wipefs --all "+dev+"\n") {
			t.Errorf("%s not wiped:\n%s", dev, log.String())
		}
		if out, _ := exec.Command("blkid", "-p", dev).Output(); len(out) > 0 {
			t.Errorf("%s still has %s", dev, out)
		}
	}
}

// mountOpts tells whether the mount at p has option opt.
func mountOpts(t *testing.T, p, opt string) bool {
	b, _ := os.ReadFile("/proc/self/mounts")
	for _, m := range disks.ParseMounts(b) {
		if m.Target == p {
			for _, o := range strings.Split(m.Options, ",") {
				if o == opt || strings.HasPrefix(o, opt+":") {
					return true
				}
			}
		}
	}
	return false
}

// TestCreateChecksAgainUnderLock: the worker runs Check under the disk
// lock, so an fstab line for the mount point that appeared after the
// request was accepted stops it before mkfs; and the create path never
// replaces such a line.
func TestCreateChecksAgainUnderLock(t *testing.T) {
	root := t.TempDir()
	disktest.FakeDisks(t, root, "sdb")
	r, _ := host.NewRoot(root)
	rec := disktest.QuietRecorder()
	s := New(disks.New(disks.Config{Root: r, Runner: rec}))
	o := CreateOptions{Name: "foo", Devices: []string{"/dev/sdb"}}
	if err := s.Check(o); err != nil {
		t.Fatal(err)
	}
	fstab := "# keep\nUUID=1111 /mnt/pve/foo btrfs defaults 0 0\n"
	if err := r.WriteFile(FstabPath, []byte(fstab), 0o644); err != nil {
		t.Fatal(err)
	}
	var log disktest.Log
	err := s.Create(t.Context(), &log, o)
	if err == nil || err.Error() != "/mnt/pve/foo already has an entry in /etc/fstab" {
		t.Errorf("create: %v", err)
	}
	if calls := rec.Calls(); len(calls) != 0 {
		t.Errorf("ran %q", calls)
	}
	if b, _ := r.ReadFile(FstabPath); string(b) != fstab {
		t.Errorf("fstab changed:\n%s", b)
	}
	f, _ := ParseFstab(strings.NewReader(fstab))
	err = addEntry(f, FstabEntry{Spec: "UUID=2222", File: "/mnt/pve/foo", VFSType: "btrfs", Options: "defaults", Freq: "0", Pass: "0"})
	if err == nil || f.Find("/mnt/pve/foo").Spec != "UUID=1111" {
		t.Errorf("addEntry over an existing line: %v, %+v", err, f.Find("/mnt/pve/foo"))
	}
}
