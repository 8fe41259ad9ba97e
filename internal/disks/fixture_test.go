package disks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

// mkBlock creates a block device node under a test root. Major 240 is
// reserved for local/experimental use, so no driver answers behind it:
// the node only makes "is a block device" checks pass.
func mkBlock(t testing.TB, path string, minor int) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := unix.Mknod(path, unix.S_IFBLK|0o600, int(unix.Mkdev(240, uint32(minor)))); err != nil {
		t.Skipf("mknod %s: %v (needs root)", path, err)
	}
}

// host1 is a fixture node: an HDD with BIOS boot, EFI and LVM partitions,
// an unused SSD, a SAS disk with a file system, a USB stick, a CD-ROM, an
// iSCSI disk, a disk udev has no data for, a disk held by device mapper,
// an NVMe disk in a ZFS pool, and a loop device.
func host1() []fakeDisk {
	return []fakeDisk{
		{name: "sda", devnum: "8:0", sectors: 7814037168, rot: 1, vendor: "ATA", model: "ST4000NM0035-1V",
			udev: []string{"S:disk/by-path/pci-0000:00:17.0-ata-1", "S:disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C",
				"S:disk/by-id/wwn-0x5000c500a1b2c3d4", "E:ID_ATA=1", "E:ID_TYPE=disk", "E:ID_BUS=ata",
				"E:ID_MODEL=ST4000NM0035-1V4107", "E:ID_SERIAL=ST4000NM0035-1V4107_ZC1A2B3C",
				"E:ID_SERIAL_SHORT=ZC1A2B3C", "E:ID_WWN=0x5000c500a1b2c3d4", "E:ID_ATA_ROTATION_RATE_RPM=7200",
				"E:ID_PART_TABLE_TYPE=gpt", "G:systemd", "Q:systemd", "V:1"},
			parts: []fakePart{
				{name: "sda1", devnum: "8:1", num: 1, sectors: 2014},
				{name: "sda2", devnum: "8:2", num: 2, sectors: 2097152},
				{name: "sda3", devnum: "8:3", num: 3, sectors: 7811938304},
			}},
		{name: "sdb", devnum: "8:16", sectors: 976773168, rot: 0, vendor: "ATA", model: "Samsung SSD 860",
			udev: []string{"S:disk/by-id/ata-Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456A", "E:ID_BUS=ata",
				"E:ID_MODEL=Samsung_SSD_860_EVO_500GB", "E:ID_SERIAL_SHORT=S3Z1NB0K123456A",
				"E:ID_WWN=0x5002538e40a1b2c3", "E:ID_ATA_ROTATION_RATE_RPM=0"}},
		{name: "sdc", devnum: "8:32", sectors: 7814037168, rot: 1, vendor: "SEAGATE", model: "ST4000NM0043",
			udev: []string{"S:disk/by-id/scsi-35000c500a0b1c2d3", "E:ID_BUS=scsi", "E:ID_MODEL=ST4000NM0043",
				"E:ID_SERIAL_SHORT=Z1Z5DWJK", "E:ID_WWN=0x5000c500a0b1c2d3"}},
		{name: "sdd", devnum: "8:48", sectors: 60437492, rot: 1, vendor: "SanDisk", model: "Ultra",
			udev: []string{"S:disk/by-id/usb-SanDisk_Ultra_4C530001-0:0", "E:ID_BUS=usb", "E:ID_MODEL=Ultra",
				"E:ID_SERIAL_SHORT=4C530001"}},
		{name: "sde", devnum: "11:0", sectors: 2097152, rot: 1, vendor: "QEMU", model: "QEMU DVD-ROM",
			udev: []string{"E:ID_CDROM=1", "E:ID_BUS=ata"}},
		{name: "sdf", devnum: "8:80", sectors: 209715200, rot: 1, vendor: "LIO-ORG", model: "iscsi-disk",
			udev: []string{"E:ID_BUS=scsi"}, iscsi: true},
		{name: "sdg", devnum: "8:96", sectors: 2097152, rot: 1, vendor: "QEMU", model: "QEMU HARDDISK"},
		{name: "sdh", devnum: "8:112", sectors: 2097152, rot: 1, vendor: "ATA", model: "WDC WD10EFRX",
			udev:    []string{"E:ID_BUS=ata", "E:ID_SERIAL_SHORT=WD-WCC4J1234567", "E:ID_ATA_ROTATION_RATE_RPM=5400"},
			holders: []string{"md0"}},
		{name: "nvme0n1", devnum: "259:0", sectors: 1953525168, rot: 0, vendor: "", model: "Samsung SSD 970 EVO Plus 1TB",
			udev: []string{"S:disk/by-id/nvme-eui.0025385b71b0a1b2", "S:disk/by-id/nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R123456",
				"E:ID_MODEL=Samsung SSD 970 EVO Plus 1TB", "E:ID_SERIAL_SHORT=S4EWNX0R123456",
				"E:ID_WWN=eui.0025385b71b0a1b2", "E:ID_PART_TABLE_TYPE=gpt"},
			parts: []fakePart{
				{name: "nvme0n1p1", devnum: "259:1", num: 1, sectors: 1953505280},
				{name: "nvme0n1p9", devnum: "259:2", num: 9, sectors: 16384},
			}},
		{name: "loop0", devnum: "7:0", sectors: 131072, rot: 0, vendor: "", model: ""},
	}
}

// host1Recorder answers the commands a listing of host1 runs, with the
// outputs the real tools give for such a host (hand-written in their
// formats; smartctl outputs from testdata/smart, see testdata/README.md).
func host1Recorder(t testing.TB, root string) *host.Recorder {
	t.Helper()
	writeHost(t, root, host1()...)
	for i, n := range []string{"sda", "sda1", "sda2", "sda3", "sdb", "sdc", "sdd", "sdg", "sdh", "nvme0n1", "nvme0n1p1", "nvme0n1p9"} {
		mkBlock(t, filepath.Join(root, "dev", n), i)
	}
	writeFile(t, filepath.Join(root, "proc/mounts"), string(golden.Read(t, "host1/mounts")))
	os.WriteFile(filepath.Join(root, "usr/sbin/zpool"), nil, 0o755)
	writeFile(t, filepath.Join(root, "usr/sbin/zpool"), "")
	rec := host.NewRecorder()
	rec.On(strings.Fields("lsblk --json -o path,parttype,fstype"), host.Reply{Stdout: string(golden.Read(t, "host1/lsblk.json"))})
	rec.On(strings.Fields("pvs --noheadings --readonly -o pv_name"), host.Reply{Stdout: "  /dev/sda3\n"})
	rec.On(strings.Fields("zpool list -HPLv"), host.Reply{Stdout: string(golden.Read(t, "host1/zpool-list-HPLv"))})
	rec.On(strings.Fields("blkid -p -o export /dev/sdg"), host.Reply{Stdout: "PTUUID=8f3c1e2a-6b4d-4e5f-9a0b-1c2d3e4f5a6b\nPTTYPE=gpt\n"})
	smart := func(dev, file string, attrs bool) {
		argv := []string{"smartctl", "-j", "-H"}
		if attrs {
			argv = append(argv, "-A")
		}
		out := string(golden.Read(t, "smart/"+file))
		rec.On(append(argv, dev), host.Reply{Stdout: out, ExitCode: exitStatusOf(t, out)})
	}
	smart("/dev/sda", "ata-failing.json", false)
	smart("/dev/sdb", "ata-ssd.json", true)
	smart("/dev/sdc", "sas.json", false)
	smart("/dev/sdd", "loop-unavailable.json", false)
	smart("/dev/sdg", "loop-unavailable.json", false)
	smart("/dev/sdh", "loop-unavailable.json", false)
	smart("/dev/nvme0n1", "nvme.json", true)
	return rec
}

func exitStatusOf(t testing.TB, out string) int {
	sd, err := ParseSmartctlJSON([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	return sd.ExitStatus
}
