package lvm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseThinPools(t *testing.T) {
	pools, err := ParseThinPools([]byte(readTestdata(t, "lvs-thin.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []ThinPool{
		{LV: "fast", VG: "fast", LVSize: 997925634048, Used: 0, MetadataSize: 10007633920, MetadataUsed: 1042795454},
		{LV: "data", VG: "pve", LVSize: 141578911744, Used: 17654890294, MetadataSize: 1447034880, MetadataUsed: 22863151},
	}
	if fmt.Sprint(pools) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", pools, want)
	}
	if pools, err := ParseThinPools([]byte(readTestdata(t, "lvs-empty.json"))); err != nil || len(pools) != 0 || pools == nil {
		t.Errorf("empty: %v %v", pools, err)
	}
	if _, err := ParseThinPools([]byte("  WARNING: not json")); err == nil {
		t.Error("garbage parsed")
	}
}

func TestThinSizes(t *testing.T) {
	cases := []struct {
		pvKiB      int64
		data, meta string
	}{
		{3145728, "917504", "1048576"},                         // small: metadata floor 1 GiB
		{500000000, "489871549.44", "4998689.28"},              // 1 %, fractional like Perl
		{2000000000, "1966314496", "16777216"},                 // metadata cap 16 GiB
		{107374182400 / 1024, "102629376", "1048576"},          // 100 GiB: 1 % is just under 1 GiB
		{1717986918400 / 1024, "1644038717.44", "16775905.28"}, // 1.6 TiB: just under the cap
	}
	for _, c := range cases {
		data, meta := ThinSizes(c.pvKiB)
		argv := strings.Join(ThinCreateArgs("vg1", data, meta), " ")
		want := "lvcreate --type thin-pool -L" + c.data + "K --poolmetadatasize " + c.meta + "K -n vg1 vg1"
		if argv != want {
			t.Errorf("%d KiB: %s\nwant %s", c.pvKiB, argv, want)
		}
	}
}

// TestThinOnLoop creates the VG for real on a loop device (pvcreate,
// vgcreate and pvs work without device-mapper), answers lvcreate from the
// recorder with the sizes computed from the real PV, lists pools from a
// recorded report, and removes the pool with cleanup-disks (the wipe is
// real).
func TestThinOnLoop(t *testing.T) {
	disktest.Need(t, "pvcreate", "vgcreate", "vgs", "pvs", "vgremove", "wipefs", "blkid")
	l := disktest.AttachLoop(t, 3<<10) // sparse 3 GiB: enough for the 1 GiB metadata floor
	name := fmt.Sprintf("hostadmthin%d", os.Getpid())
	disktest.RemoveVGAtEnd(t, name, l)
	r, _ := host.NewRoot(disktest.Root(t, l))
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	s := New(disks.New(disks.Config{Root: r, Runner: rec, ExtraDisks: []string{l.Name}}))

	// lvcreate cannot run here: answer whatever size vector comes and
	// check it against the real PV below.
	var log disktest.Log
	err := s.CreateThin(t.Context(), &log, l.Dev, name, "testnode")
	if err == nil || !strings.Contains(err.Error(), "lvcreate") {
		// Without device-mapper the real lvcreate fails; that it was
		// reached is what this first run shows.
		t.Fatalf("create without a recorded lvcreate: %v\n%s", err, log.String())
	}
	out, err := exec.Command(PVInfoArgs(l.Dev)[0], PVInfoArgs(l.Dev)[1:]...).Output()
	if err != nil {
		t.Fatal(err)
	}
	kib, _ := strconv.ParseFloat(strings.Split(strings.TrimSpace(string(out)), ":")[1], 64)
	data, meta := ThinSizes(int64(kib))
	want := ThinCreateArgs(name, data, meta)
	if !strings.Contains(log.String(), "# "+strings.Join(want, " ")+"\n") {
		t.Fatalf("log lacks %q:\n%s", strings.Join(want, " "), log.String())
	}
	for _, w := range []string{"# pvcreate --metadatasize 250k " + l.Dev, "# vgcreate " + name + " " + l.Dev} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("log lacks %q", w)
		}
	}

	// A second attempt is refused before anything runs.
	before := len(rec.Calls())
	if err := s.CreateThin(t.Context(), &log, l.Dev, name, "testnode"); err == nil ||
		err.Error() != "device '"+l.Dev+"' is already in use" {
		t.Errorf("second create: %v", err)
	}
	for _, c := range rec.Calls()[before:] {
		if strings.HasPrefix(c, "pvcreate") || strings.HasPrefix(c, "lvcreate") {
			t.Errorf("second create ran %s", c)
		}
	}

	report := fmt.Sprintf(`{"report":[{"lv":[{"vg_name":"%s", "lv_name":"%s", "lv_size":"%d", "lv_attr":"twi-a-tz--", "data_percent":"0.00", "metadata_percent":"10.43", "lv_metadata_size":"%d"}]}]}`,
		name, name, int64(data)*1024, int64(meta)*1024)
	rec.On(ThinArgs, host.Reply{Stdout: report})
	pools, err := s.ThinPools(t.Context())
	if err != nil || len(pools) != 1 || pools[0].VG != name || pools[0].LVSize != int64(data)*1024 {
		t.Fatalf("pools %+v %v", pools, err)
	}
	if err := s.RemoveThin(t.Context(), &log, name, "other", false, nil); err == nil ||
		err.Error() != "no such thin pool "+name+"/other" {
		t.Errorf("remove unknown: %v", err)
	}
	rec.On([]string{"lvremove", "-y", name + "/" + name}, host.Reply{})
	cleaned := false
	log.Reset()
	if err := s.RemoveThin(t.Context(), &log, name, name, true, func() error { cleaned = true; return nil }); err != nil {
		t.Fatalf("remove: %v\n%s", err, log.String())
	}
	if !cleaned || !strings.Contains(log.String(), "# lvremove -y "+name+"/"+name+"\n") ||
		!strings.Contains(log.String(), "# wipefs --all "+l.Dev+"\n") {
		t.Errorf("remove log:\n%s", log.String())
	}
}
