package disks

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestListHost1(t *testing.T) {
	cases := []struct {
		name, typ string
		o         ListOptions
	}{
		{"default", "", ListOptions{}},
		{"partitions", "", ListOptions{IncludePartitions: true, SkipSmart: true}},
		{"unused", "unused", ListOptions{SkipSmart: true}},
		{"journal", "journal_disks", ListOptions{SkipSmart: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			rec := host1Recorder(t, root)
			s := newTestService(t, root, rec)
			list, err := s.List(t.Context(), c.typ, c.o)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.MarshalIndent(list, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.File(t, "testdata/host1/list-"+c.name+".golden.json", append(b, '\n'))
			if c.o.SkipSmart {
				for _, call := range rec.Calls() {
					if strings.HasPrefix(call, "smartctl") {
						t.Errorf("skipsmart ran %s", call)
					}
				}
			}
		})
	}
}

func TestDiskIsUsed(t *testing.T) {
	root := t.TempDir()
	s := newTestService(t, root, host1Recorder(t, root))
	for dev, want := range map[string]string{
		"/dev/sda": "used", "/dev/sdb": "", "/dev/sdc": "used", "/dev/sdd": "", "/dev/sdh": "used",
		"/dev/nvme0n1": "used", "/dev/sde": "'/dev/sde' is not a valid local disk",
		"/dev/loop0": "'/dev/loop0' is not a valid local disk",
	} {
		used, err := s.DiskIsUsed(t.Context(), dev)
		got := ""
		if err != nil {
			got = err.Error()
		} else if used {
			got = "used"
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", dev, got, want)
		}
	}
}

func TestInUseChecks(t *testing.T) {
	root := t.TempDir()
	s := newTestService(t, root, host1Recorder(t, root))
	if m := s.IsMounted("/dev/sda"); m != "/dev/sda2" {
		t.Errorf("IsMounted(sda) = %q", m)
	}
	if m := s.IsMounted("/dev/sdc"); m != "/dev/sdc" {
		t.Errorf("IsMounted(sdc) = %q", m)
	}
	if m := s.IsMounted("/dev/sdb"); m != "" {
		t.Errorf("IsMounted(sdb) = %q", m)
	}
	if h := s.HasHolder("/dev/sdh"); h != "/dev/sdh" {
		t.Errorf("HasHolder(sdh) = %q", h)
	}
	if err := s.CheckWipeable(s.Blockdev("/dev/sda")); err == nil || err.Error() != "disk/partition '/dev/sda2' is mounted" {
		t.Errorf("CheckWipeable(sda) = %v", err)
	}
	if err := s.CheckWipeable(s.Blockdev("/dev/sdh")); err == nil || err.Error() != "disk/partition '/dev/sdh' has a holder" {
		t.Errorf("CheckWipeable(sdh) = %v", err)
	}
	if !s.IsPartition("/dev/sda3") || s.IsPartition("/dev/sda") {
		t.Error("IsPartition")
	}
	if n, err := s.PartNum("/dev/nvme0n1p9"); n != 9 || err != nil {
		t.Errorf("PartNum = %d, %v", n, err)
	}
	if p, err := s.ParentDisk("/dev/nvme0n1p9"); p != "/dev/nvme0n1" || err != nil {
		t.Errorf("ParentDisk = %q, %v", p, err)
	}
}

// TestCcissPartitionPaths: sysfs spells the "/" of /dev/cciss/c0d0p1 as
// "!" (cciss!c0d0p1); every partition path is made from that name, so a
// mounted or held partition of a cciss disk is seen and wiping refused.
func TestCcissPartitionPaths(t *testing.T) {
	root := t.TempDir()
	writeHost(t, root,
		fakeDisk{name: "cciss!c0d0", devnum: "104:0", sectors: 2097152, vendor: "HP", model: "LOGICAL VOLUME",
			parts: []fakePart{{name: "cciss!c0d0p1", devnum: "104:1", num: 1, sectors: 1000}}},
		fakeDisk{name: "cciss!c0d1", devnum: "104:16", sectors: 2097152, vendor: "HP", model: "LOGICAL VOLUME",
			parts: []fakePart{{name: "cciss!c0d1p1", devnum: "104:17", num: 1, sectors: 1000, holders: []string{"dm-0"}}}})
	for i, n := range []string{"c0d0", "c0d0p1", "c0d1", "c0d1p1"} {
		mkBlock(t, filepath.Join(root, "dev/cciss", n), i)
	}
	writeFile(t, filepath.Join(root, "proc/mounts"), "/dev/cciss/c0d0p1 /data ext4 rw 0 0\n")
	rec := host.NewRecorder()
	rec.On(strings.Fields("lsblk --json -o path,parttype,fstype"), host.Reply{Stdout: `{"blockdevices":[]}`})
	rec.On(strings.Fields("pvs --noheadings --readonly -o pv_name"), host.Reply{})
	s := newTestService(t, root, rec)

	if got := s.Partitions("/dev/cciss/c0d0"); strings.Join(got, " ") != "/dev/cciss/c0d0p1" {
		t.Errorf("Partitions = %q", got)
	}
	if got, err := s.ParentDisk("/dev/cciss/c0d0p1"); err != nil || got != "/dev/cciss/c0d0" {
		t.Errorf("ParentDisk = %q, %v", got, err)
	}
	if got := s.IsMounted("/dev/cciss/c0d0"); got != "/dev/cciss/c0d0p1" {
		t.Errorf("IsMounted = %q", got)
	}
	if got := s.HasHolder("/dev/cciss/c0d1"); got != "/dev/cciss/c0d1p1" {
		t.Errorf("HasHolder = %q", got)
	}
	if err := s.CheckWipeable(s.Blockdev("/dev/cciss/c0d0")); err == nil || err.Error() != "disk/partition '/dev/cciss/c0d0p1' is mounted" {
		t.Errorf("CheckWipeable = %v", err)
	}
	m, err := s.Disks(t.Context(), ListOptions{SkipSmart: true, IncludePartitions: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := m["cciss/c0d0p1"]; p == nil || p.DevPath != "/dev/cciss/c0d0p1" || !p.Mounted || p.Parent != "/dev/cciss/c0d0" {
		t.Errorf("partition entry %+v", p)
	}
	if used, err := s.DiskIsUsed(t.Context(), "/dev/cciss/c0d0p1"); err != nil || !used {
		t.Errorf("DiskIsUsed(partition) = %v, %v", used, err)
	}
	wipe := []string{"wipefs", "--all", "/dev/cciss/c0d1p1", "/dev/cciss/c0d1"}
	rec.On(wipe, host.Reply{})
	rec.On([]string{"dd", "if=/dev/zero", "of=/dev/cciss/c0d1", "bs=1M", "conv=fdatasync", "count=200"}, host.Reply{})
	if err := s.WipeBlockdev(t.Context(), nil, "/dev/cciss/c0d1"); err != nil {
		t.Errorf("WipeBlockdev: %v\n%q", err, rec.Calls())
	}
}
