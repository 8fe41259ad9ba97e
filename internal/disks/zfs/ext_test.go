package zfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

func TestCheckARC(t *testing.T) {
	const mem = 64 * gib
	cases := []struct {
		max, min, curMin int64
		wantMin          int64
		err              string
	}{
		{32 << 20, 0, 0, 0, "zfs_arc_max must be at least 64 MiB (67108864 bytes)"},
		{mem, 0, 0, 0, "zfs_arc_max must be less than the installed memory (68719476736 bytes)"},
		{8 * gib, 8 * gib, 0, 0, "zfs_arc_min must be less than zfs_arc_max"},
		{8 * gib, 0, 0, 0, ""},                   // above the default min (mem/32 = 2 GiB)
		{1 * gib, 0, 0, 1*gib - 1, ""},           // the pitfall: below the default min
		{2 * gib, 0, 0, 2*gib - 1, ""},           // equal is ignored too
		{4 * gib, 0, 6 * gib, 4*gib - 1, ""},     // below a configured min
		{4 * gib, 1 * gib, 6 * gib, 1 * gib, ""}, // explicit min
	}
	for _, c := range cases {
		got, err := CheckARC(c.max, c.min, mem, c.curMin)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != c.err || got != c.wantMin {
			t.Errorf("max %d min %d cur %d: %d %q, want %d %q", c.max, c.min, c.curMin, got, msg, c.wantMin, c.err)
		}
	}
	if Recommended(64*gib) != 6871947673 || Recommended(512*gib) != 16*gib || Recommended(256<<20) != MinARCMax {
		t.Error("recommended")
	}
	if RuleOfThumb(8<<40) != 10*gib {
		t.Error("rule of thumb")
	}
}

func TestModprobeConf(t *testing.T) {
	in := "# ZFS tuning\noptions zfs zfs_arc_min=1073741824 zfs_prefetch_disable=1\n"
	out := SetModprobeOption([]byte(in), "zfs_arc_min", 42)
	out = SetModprobeOption(out, "zfs_arc_max", 4294967296)
	want := "# ZFS tuning\noptions zfs zfs_arc_min=42 zfs_prefetch_disable=1\noptions zfs zfs_arc_max=4294967296\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	if ModprobeOption(out, "zfs_arc_max") != 4294967296 || ModprobeOption(out, "zfs_arc_min") != 42 {
		t.Error("read back")
	}
	if string(SetModprobeOption(nil, "zfs_arc_max", 1)) != "options zfs zfs_arc_max=1\n" {
		t.Error("empty file")
	}
}

func arcHost(t *testing.T, rootFS string) (*Service, *host.Recorder, string) {
	s, rec, root := zfsHost(t)
	for p, v := range map[string]string{
		"proc/meminfo":                          "MemTotal:       67108864 kB\nMemFree:  1 kB\n",
		"proc/mounts":                           "rpool/ROOT/pve-1 / " + rootFS + " rw 0 0\n",
		"sys/module/zfs/parameters/zfs_arc_min": "0\n",
		"sys/module/zfs/parameters/zfs_arc_max": "0\n",
		"proc/spl/kstat/zfs/arcstats":           "13 1 0x01 147 39984 1 2\nname type data\nsize 4 1234567\nc_min 4 2147483648\nc_max 4 34359738368\n",
		"etc/modprobe.d/zfs.conf":               "# keep me\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(v), 0o644)
	}
	return s, rec, root
}

func TestSetARC(t *testing.T) {
	s, rec, root := arcHost(t, "zfs")
	rec.On([]string{"update-initramfs", "-u", "-k", "all"}, host.Reply{})
	var l disktest.Log
	if err := s.SetARC(t.Context(), &l, 1<<30, 0); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string { b, _ := os.ReadFile(filepath.Join(root, p)); return string(b) }
	if read("sys/module/zfs/parameters/zfs_arc_min") != "1073741823\n" || read("sys/module/zfs/parameters/zfs_arc_max") != "1073741824\n" {
		t.Errorf("params %q %q", read("sys/module/zfs/parameters/zfs_arc_min"), read("sys/module/zfs/parameters/zfs_arc_max"))
	}
	if got := read("etc/modprobe.d/zfs.conf"); got != "# keep me\noptions zfs zfs_arc_min=1073741823\noptions zfs zfs_arc_max=1073741824\n" {
		t.Errorf("zfs.conf:\n%s", got)
	}
	if calls := rec.Calls(); calls[len(calls)-1] != "update-initramfs -u -k all" {
		t.Errorf("calls %v", calls)
	}
	a, err := s.ReadARC(t.Context())
	if err != nil || a.Size != 1234567 || a.Max != 34359738368 || a.ConfMax != 1<<30 || a.RootOnZFS != 1 ||
		a.MemTotal != 64*gib || a.ParamMin != 1<<30-1 || a.PoolSize == 0 {
		t.Errorf("arc %+v %v", a, err)
	}

	// Bad values change nothing; without root on ZFS no initramfs rebuild.
	s, rec, root = arcHost(t, "ext4")
	if err := s.SetARC(t.Context(), &l, 1<<20, 0); err == nil {
		t.Error("1 MiB accepted")
	}
	if read("etc/modprobe.d/zfs.conf") != "# keep me\n" {
		t.Error("file changed on error")
	}
	if err := s.SetARC(t.Context(), &l, 8<<30, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Calls() {
		if strings.HasPrefix(c, "update-initramfs") {
			t.Error("initramfs rebuilt without root on ZFS")
		}
	}
}

func TestOpsArgv(t *testing.T) {
	s, rec, _ := zfsHost(t)
	var l disktest.Log
	id := func(n string) string { return "/dev/disk/by-id/ata-DISK_" + strings.ToUpper(n) }
	for _, c := range []struct {
		typ    string
		mirror bool
		devs   []string
		want   string
	}{
		{"cache", false, []string{"/dev/sdb"}, "zpool add tank cache " + id("sdb")},
		{"log", true, []string{"/dev/sdb", "/dev/sdc"}, "zpool add tank log mirror " + id("sdb") + " " + id("sdc")},
		{"special", true, []string{"/dev/sdd", "/dev/sde"}, "zpool add tank special mirror " + id("sdd") + " " + id("sde")},
	} {
		rec.On(strings.Fields(c.want), host.Reply{})
		if err := s.AddVdev(t.Context(), &l, "tank", c.typ, c.mirror, c.devs); err != nil {
			t.Errorf("%s: %v", c.want, err)
		}
		if !strings.Contains(l.String(), "# "+c.want+"\n") {
			t.Errorf("log lacks %s", c.want)
		}
	}
	if _, err := AddVdevArgs("tank", "cache", true, []string{"a", "b"}); err == nil {
		t.Error("mirrored cache accepted")
	}
	if _, err := AddVdevArgs("tank", "dedup2", false, []string{"a"}); err == nil {
		t.Error("unknown type accepted")
	}
	rec.On(strings.Fields("zpool replace rpool /dev/disk/by-id/ata-OLD-part3 "+id("sdf")), host.Reply{})
	if err := s.Replace(t.Context(), &l, "rpool", "/dev/disk/by-id/ata-OLD-part3", "/dev/sdf", true, "/dev/sda"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(BootableNote("/dev/sda", "/dev/nvme1n1"), "proxmox-boot-tool format /dev/nvme1n1p2") {
		t.Error("bootable note")
	}
	for action, want := range map[string]string{"start": "zpool scrub tank", "stop": "zpool scrub -s tank", "pause": "zpool scrub -p tank"} {
		rec.On(strings.Fields(want), host.Reply{})
		if err := s.Scrub(t.Context(), &l, "tank", action); err != nil || !strings.Contains(l.String(), "# "+want+"\n") {
			t.Errorf("%s: %v", action, err)
		}
	}
	if err := s.Scrub(t.Context(), &l, "mirror", "start"); err == nil {
		t.Error("reserved pool name accepted")
	}
}
