package zfs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestParseStatus(t *testing.T) {
	for _, name := range []string{"status-mirror-spares", "status-degraded-resilver", "status-draid"} {
		t.Run(name, func(t *testing.T) {
			st := ParseStatus(golden.Read(t, name+".txt"))
			b, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.File(t, filepath.Join("testdata", name+".golden.json"), append(b, '\n'))
		})
	}
	st := ParseStatus(golden.Read(t, "status-degraded-resilver.txt"))
	if st.Name != "rpool" || st.State != "DEGRADED" || !strings.HasSuffix(st.Scan, "205G resilvered, 24.71% done, 02:03:11 to go") ||
		st.Status != "One or more devices is currently being resilvered.  The pool will continue to function, possibly in a degraded state." {
		t.Errorf("fields: %+v", st)
	}
	rep := st.Children[0].Children[0].Children[1]
	if rep.Name != "replacing-1" || rep.Children[0].Msg != "too many errors" || *rep.Children[0].Write != 340 ||
		rep.Children[1].Msg != "(resilvering)" {
		t.Errorf("tree: %+v", rep)
	}
}

func TestParseList(t *testing.T) {
	pools := ParseList(golden.Read(t, "list-HpPLo.txt"))
	if len(pools) != 3 || pools[1] != (Pool{"tank", 3985729650688, 2151677952, 3983577972736, 3, 1.25, "DEGRADED"}) ||
		pools[2].Alloc != 0 || pools[2].Frag != 0 {
		t.Errorf("%+v", pools)
	}
	if m := ParseMembers(golden.Read(t, "list-vHPL-tank.txt")); strings.Join(m, " ") != "/dev/sdb1 /dev/sdc1" {
		t.Errorf("members %v", m)
	}
}

// zfsHost is a fixture root with empty disks sdb..sdi, zpool installed and
// the import unit template present.
func zfsHost(t *testing.T, names ...string) (*Service, *host.Recorder, string) {
	return zfsHostLsblk(t, `{"blockdevices":[]}`, names...)
}

func zfsHostLsblk(t *testing.T, lsblk string, names ...string) (*Service, *host.Recorder, string) {
	root := t.TempDir()
	if names == nil {
		names = []string{"sdb", "sdc", "sdd", "sde", "sdf", "sdg", "sdh", "sdi"}
	}
	disktest.FakeDisks(t, root, names...)
	os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/sbin/zpool"), nil, 0o755)
	os.MkdirAll(filepath.Join(root, "lib/systemd/system"), 0o755)
	os.WriteFile(filepath.Join(root, ImportUnitTemplate), nil, 0o644)
	rec := disktest.QuietRecorder(lsblk)
	rec.On([]string{"zpool", "list", "-HPLv"}, host.Reply{Stdout: string(golden.Read(t, "list-vHPL-tank.txt"))})
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"}, host.Reply{Stdout: string(golden.Read(t, "list-HpPLo.txt"))})
	r, _ := host.NewRoot(root)
	return New(disks.New(disks.Config{Root: r, Runner: rec})), rec, root
}

func intp(i int) *int { return &i }

func TestCheck(t *testing.T) {
	s, rec, _ := zfsHost(t)
	devs := func(n int) []string {
		return []string{"/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde", "/dev/sdf", "/dev/sdg", "/dev/sdh"}[:n]
	}
	cases := []struct {
		o    CreateOptions
		want string
	}{
		{CreateOptions{Name: "tank", RaidLevel: "mirror", Devices: devs(2), Node: "n1"}, "pool 'tank' already exists on node 'n1'"},
		{CreateOptions{Name: "p", RaidLevel: "raid10", Devices: devs(5)}, "raid10 needs an even number of disks"},
		{CreateOptions{Name: "p", RaidLevel: "raid10", Devices: devs(2)}, "raid10 needs at least 4 disks"},
		{CreateOptions{Name: "p", RaidLevel: "single", Devices: devs(2)}, "please give only one disk for single disk mode"},
		{CreateOptions{Name: "p", RaidLevel: "mirror", Devices: devs(1)}, "mirror needs at least 2 disks"},
		{CreateOptions{Name: "p", RaidLevel: "raidz", Devices: devs(2)}, "raidz needs at least 3 disks"},
		{CreateOptions{Name: "p", RaidLevel: "raidz2", Devices: devs(3)}, "raidz2 needs at least 4 disks"},
		{CreateOptions{Name: "p", RaidLevel: "raidz3", Devices: devs(4)}, "raidz3 needs at least 5 disks"},
		{CreateOptions{Name: "p", RaidLevel: "draid3", Devices: devs(4)}, "draid3 needs at least 5 disks"},
		{CreateOptions{Name: "p", RaidLevel: "draid2", Devices: devs(5), DraidData: intp(4), DraidSpares: intp(1)}, "At least 7 disks needed for current dRAID config"},
		{CreateOptions{Name: "p", RaidLevel: "raidz", Devices: devs(3), DraidData: intp(2)}, "draid-config set without using dRAID level"},
		{CreateOptions{Name: "mirror1", RaidLevel: "single", Devices: devs(1)}, "invalid pool name 'mirror1'"},
		{CreateOptions{Name: "c0pool", RaidLevel: "single", Devices: devs(1)}, "invalid pool name 'c0pool'"},
		{CreateOptions{Name: "p", RaidLevel: "draid2", Devices: devs(7), DraidData: intp(4), DraidSpares: intp(1)}, ""},
	}
	for _, c := range cases {
		err := s.Check(t.Context(), c.o)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s %d disks: %q, want %q", c.o.RaidLevel, len(c.o.Devices), got, c.want)
		}
	}
	for _, call := range rec.Calls() {
		if !strings.HasPrefix(call, "zpool list") {
			t.Errorf("check ran %s", call)
		}
	}
}

func TestCreateArgv(t *testing.T) {
	id := func(n string) string { return "/dev/disk/by-id/ata-DISK_" + strings.ToUpper(n) }
	cases := []struct {
		level string
		n     int
		data  *int
		spare *int
		want  string
	}{
		{"single", 1, nil, nil, id("sdb")},
		{"mirror", 2, nil, nil, "mirror " + id("sdb") + " " + id("sdc")},
		{"raid10", 4, nil, nil, "mirror " + id("sdb") + " " + id("sdc") + " mirror " + id("sdd") + " " + id("sde")},
		{"raidz", 3, nil, nil, "raidz " + id("sdb") + " " + id("sdc") + " " + id("sdd")},
		{"raidz2", 4, nil, nil, "raidz2 " + id("sdb") + " " + id("sdc") + " " + id("sdd") + " " + id("sde")},
		{"raidz3", 5, nil, nil, "raidz3 " + id("sdb") + " " + id("sdc") + " " + id("sdd") + " " + id("sde") + " " + id("sdf")},
		{"draid", 3, nil, nil, "draid " + id("sdb") + " " + id("sdc") + " " + id("sdd")},
		{"draid2", 7, intp(4), intp(1), "draid2:4d:1s " + id("sdb") + " " + id("sdc") + " " + id("sdd") + " " + id("sde") + " " + id("sdf") + " " + id("sdg") + " " + id("sdh")},
		{"draid3", 6, nil, intp(1), "draid3:1s " + id("sdb") + " " + id("sdc") + " " + id("sdd") + " " + id("sde") + " " + id("sdf") + " " + id("sdg")},
	}
	for _, c := range cases {
		t.Run(c.level, func(t *testing.T) {
			s, rec, _ := zfsHost(t)
			all := []string{"/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde", "/dev/sdf", "/dev/sdg", "/dev/sdh"}
			o := CreateOptions{Name: "new-pool", RaidLevel: c.level, Devices: all[:c.n], Ashift: 12, Compression: "lz4",
				DraidData: c.data, DraidSpares: c.spare}
			create := "zpool create -o ashift=12 new-pool " + c.want
			rec.On(strings.Fields(create), host.Reply{})
			rec.On(strings.Fields("zfs set compression=lz4 new-pool"), host.Reply{})
			rec.On([]string{"systemctl", "enable", `zfs-import@new\x2dpool.service`}, host.Reply{})
			rec.On(append([]string{"udevadm", "trigger"}, strings.Fields(c.want)...), host.Reply{})
			var l disktest.Log
			if err := s.Create(t.Context(), &l, o); err != nil {
				t.Fatal(err)
			}
			want := "# " + create + "\n# zfs set compression=lz4 new-pool\n# systemctl enable zfs-import@new\\x2dpool.service\n"
			if l.String() != want {
				t.Errorf("log:\n%s\nwant:\n%s", l.String(), want)
			}
			var changes []string
			for _, c := range rec.Calls() {
				if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool list") {
					changes = append(changes, c)
				}
			}
			if len(changes) != 4 || !strings.HasPrefix(changes[3], "udevadm trigger") {
				t.Errorf("commands: %q", changes)
			}
		})
	}
}

func TestDestroyArgv(t *testing.T) {
	lsblk := `{"blockdevices":[{"path":"/dev/sdb9","parttype":"6a945a3b-1dd2-11b2-99a6-080020736631","fstype":null},
		{"path":"/dev/sdc9","parttype":"6a945a3b-1dd2-11b2-99a6-080020736631","fstype":null}]}`
	s, rec, _ := zfsHostLsblk(t, lsblk, "sdb", "sdb1", "sdb9", "sdc", "sdc1", "sdc2", "sdc9")
	rec.On([]string{"zpool", "list", "-vHPL", "tank"}, host.Reply{Stdout: string(golden.Read(t, "list-vHPL-tank.txt"))})
	// sdb has the usual layout (1 + 9) and is wiped whole; sdc has a third
	// partition, so only its member partition is wiped.
	want := []string{"systemctl disable zfs-import@tank.service", "zpool destroy tank",
		"wipefs --all /dev/sdb1 /dev/sdb9 /dev/sdb", "dd if=/dev/zero of=/dev/sdb bs=1M conv=fdatasync count=200",
		"wipefs --all /dev/sdc1", "dd if=/dev/zero of=/dev/sdc1 bs=1M conv=fdatasync count=200",
		"udevadm trigger /dev/sdb /dev/sdc1"}
	for _, c := range want {
		rec.On(strings.Fields(c), host.Reply{})
	}
	cleaned := false
	var l disktest.Log
	err := s.Destroy(t.Context(), &l, DestroyOptions{Name: "tank", CleanupDisks: true, CleanupConfig: func() error { cleaned = true; return nil }})
	if err != nil || !cleaned {
		t.Fatalf("destroy: %v, config cleaned %v\n%s", err, cleaned, l.String())
	}
	var got []string
	for _, c := range rec.Calls() {
		if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool list") {
			got = append(got, c)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
