package disks

import (
	"encoding/json"
	"strings"
	"testing"
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
			golden(t, "host1/list-"+c.name+".golden.json", append(b, '\n'))
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
	if err := s.CheckWipeable("/dev/sda"); err == nil || err.Error() != "disk/partition '/dev/sda2' is mounted" {
		t.Errorf("CheckWipeable(sda) = %v", err)
	}
	if err := s.CheckWipeable("/dev/sdh"); err == nil || err.Error() != "disk/partition '/dev/sdh' has a holder" {
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
