package disktest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hostadm/internal/host"
)

// FakeDisks writes, under root, the sysfs directory, udev entry (with a
// /dev/disk/by-id/ata-DISK_<NAME> link) and a block node of an empty SSD
// for each name (sdX or nvmeXnY), for tests that only look at disks and
// answer commands from a Recorder. Partitions are given as "sdb1"; they
// belong to the disk whose name prefixes them.
func FakeDisks(t testing.TB, root string, names ...string) {
	t.Helper()
	for i, name := range names {
		dir := filepath.Join(root, "sys/block", name)
		devtype := "disk"
		for _, other := range names {
			if other != name && strings.HasPrefix(name, other) {
				dir = filepath.Join(root, "sys/block", other, name)
				devtype = "partition"
				write(t, filepath.Join(dir, "partition"), name[len(strings.TrimRight(name, "0123456789")):])
			}
		}
		devnum := fmt.Sprintf("240:%d", i)
		write(t, filepath.Join(dir, "uevent"), "DEVNAME="+name+"\nDEVTYPE="+devtype+"\n")
		write(t, filepath.Join(dir, "dev"), devnum)
		write(t, filepath.Join(dir, "size"), "2097152")
		write(t, filepath.Join(dir, "queue/rotational"), "0")
		os.MkdirAll(filepath.Join(dir, "device"), 0o755)
		write(t, filepath.Join(root, "run/udev/data/b"+devnum), "S:disk/by-id/ata-DISK_"+strings.ToUpper(name)+"\nE:ID_BUS=ata\n")
		node := filepath.Join(root, "dev", name)
		os.MkdirAll(filepath.Dir(node), 0o755)
		if err := unix.Mknod(node, unix.S_IFBLK|0o600, int(unix.Mkdev(240, uint32(i)))); err != nil {
			t.Skipf("mknod: %v (needs root)", err)
		}
	}
	if !fileExists(filepath.Join(root, "proc/mounts")) {
		write(t, filepath.Join(root, "proc/mounts"), "")
	}
}

// QuietRecorder answers the read-only commands a disk listing runs as a
// host with no file systems, LVM or ZFS members would; lsblk, when given,
// is the output lsblk answers with instead.
func QuietRecorder(lsblk ...string) *host.Recorder {
	rec := host.NewRecorder()
	out := `{"blockdevices":[]}`
	if len(lsblk) > 0 {
		out = lsblk[0]
	}
	rec.On([]string{"lsblk", "--json", "-o", "path,parttype,fstype"}, host.Reply{Stdout: out})
	rec.On([]string{"pvs", "--noheadings", "--readonly", "-o", "pv_name"}, host.Reply{})
	return rec
}

// Testdata reads a recorded output from the testdata directory of a
// disks package, dir naming it relative to internal/disks ("zfs",
// "storage", "." for disks itself), for tests of the API and the CLI.
func Testdata(t testing.TB, dir, name string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", dir, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t testing.TB, p, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(data+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
