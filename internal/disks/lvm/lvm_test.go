package lvm

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

func TestParseVGs(t *testing.T) {
	// The installer's pve VG on one PV and a data VG over two PVs, in the
	// shape VGArgs prints (see testdata/README.md).
	out := "  pve:999653638144:16106127360:3:/dev/sda3:999653638144:16106127360\n" +
		"  data:2000397795328:2000397795328:0:/dev/sdb:1000198897664:1000198897664\n" +
		"  data:2000397795328:2000397795328:0:/dev/sdc:1000198897664:1000198897664\n"
	vgs := ParseVGs([]byte(out))
	if len(vgs) != 2 || vgs[0].Name != "data" || len(vgs[0].PVs) != 2 || vgs[1].LVCount != 3 ||
		vgs[1].PVs[0] != (PV{"/dev/sda3", 999653638144, 16106127360}) {
		t.Errorf("%+v", vgs)
	}
	tree := Tree(vgs)
	if tree["leaf"] != 0 || tree["children"].([]map[string]any)[1]["children"].([]map[string]any)[0]["leaf"] != 1 {
		t.Errorf("tree %v", tree)
	}
}

// TestCreateRemoveOnLoop creates a real volume group on a loop device
// (pvcreate and vgcreate need no device-mapper) and removes it again.
func TestCreateRemoveOnLoop(t *testing.T) {
	disktest.Need(t, "pvcreate", "vgcreate", "vgs", "vgremove", "wipefs", "blkid")
	l := disktest.AttachLoop(t, 64)
	name := fmt.Sprintf("hostadmtest%d", os.Getpid())
	disktest.RemoveVGAtEnd(t, name, l)
	root := disktest.Root(t, l)
	r, _ := host.NewRoot(root)
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	d := disks.New(disks.Config{Root: r, Runner: rec, ExtraDisks: []string{l.Name}})
	s := New(d)
	var log disktest.Log
	if err := s.Create(t.Context(), &log, l.Dev, name, "testnode"); err != nil {
		t.Fatalf("create: %v\n%s", err, log.String())
	}
	for _, want := range []string{"# pvcreate --metadatasize 250k " + l.Dev, "# vgcreate " + name + " " + l.Dev} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	vg, err := s.vg(t.Context(), name)
	if err != nil || vg == nil || len(vg.PVs) != 1 || vg.PVs[0].Name != l.Dev || vg.Size <= 0 || vg.Size > 64<<20 {
		t.Fatalf("vg %+v %v", vg, err)
	}
	if used, err := d.DiskIsUsed(t.Context(), l.Dev); !used || err != nil {
		t.Errorf("PV not seen as used: %v", err)
	}
	if err := s.Create(t.Context(), &log, l.Dev, name, "testnode"); err == nil ||
		err.Error() != "device '"+l.Dev+"' is already in use" {
		t.Errorf("second create: %v", err)
	}
	cleaned := false
	if err := s.Remove(t.Context(), &log, name, true, func() error { cleaned = true; return nil }); err != nil {
		t.Fatalf("remove: %v\n%s", err, log.String())
	}
	if !cleaned || !strings.Contains(log.String(), "# vgremove -y "+name) || !strings.Contains(log.String(), "# wipefs --all "+l.Dev) {
		t.Errorf("remove log:\n%s", log.String())
	}
	if used, _ := d.DiskIsUsed(t.Context(), l.Dev); used {
		t.Error("disk still used after remove with cleanup-disks")
	}
	if err := s.Remove(t.Context(), &log, name, false, nil); err == nil || err.Error() != "no such volume group '"+name+"'" {
		t.Errorf("remove twice: %v", err)
	}
}
