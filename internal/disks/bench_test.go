package disks

import (
	"fmt"
	"strings"
	"testing"

	"hostadm/internal/host"
)

// BenchmarkList60 lists a fixture host with 60 disks (two partitions each)
// with SMART skipped, as the benchmark asks.
func BenchmarkList60(b *testing.B) {
	root := b.TempDir()
	var ds []fakeDisk
	var lsblk []string
	for i := 0; i < 60; i++ {
		name := "sd" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		if i < 26 {
			name = "sd" + string(rune('a'+i))
		}
		maj, min := 8+16*(i/16), (i%16)*16
		ds = append(ds, fakeDisk{name: name, devnum: fmt.Sprintf("%d:%d", maj, min), sectors: 7814037168, rot: i % 2,
			vendor: "ATA", model: "MODEL",
			udev: []string{"S:disk/by-id/ata-MODEL_SERIAL" + name, "E:ID_BUS=ata", "E:ID_MODEL=MODEL",
				"E:ID_SERIAL_SHORT=SERIAL" + name, "E:ID_WWN=0x5000c500a1b2c3d4", "E:ID_ATA_ROTATION_RATE_RPM=7200",
				"E:ID_PART_TABLE_TYPE=gpt"},
			parts: []fakePart{
				{name: name + "1", devnum: fmt.Sprintf("%d:%d", maj, min+1), num: 1, sectors: 2048},
				{name: name + "2", devnum: fmt.Sprintf("%d:%d", maj, min+2), num: 2, sectors: 7814000000},
			}})
		lsblk = append(lsblk, fmt.Sprintf(`{"path":"/dev/%s","parttype":null,"fstype":null}`, name),
			fmt.Sprintf(`{"path":"/dev/%s1","parttype":"21686148-6449-6e6f-744e-656564454649","fstype":null}`, name),
			fmt.Sprintf(`{"path":"/dev/%s2","parttype":"6a898cc3-1dd2-11b2-99a6-080020736631","fstype":"zfs_member"}`, name))
	}
	writeHost(b, root, ds...)
	writeFile(b, root+"/proc/mounts", "proc /proc proc rw 0 0\n")
	rec := host.NewRecorder()
	rec.On(strings.Fields("lsblk --json -o path,parttype,fstype"), host.Reply{Stdout: `{"blockdevices":[` + strings.Join(lsblk, ",") + "]}"})
	rec.On(strings.Fields("pvs --noheadings --readonly -o pv_name"), host.Reply{})
	s := newTestService(b, root, rec)
	b.ResetTimer()
	for b.Loop() {
		list, err := s.List(b.Context(), "", ListOptions{SkipSmart: true})
		if err != nil || len(list) != 60 {
			b.Fatalf("%d disks, %v", len(list), err)
		}
	}
}
