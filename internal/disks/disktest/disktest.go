// Package disktest gives disk tests real block devices safely: image files
// under the test's temporary directory attached as loop devices, detached
// by their exact name when the test ends, and a host root whose /sys is
// the real sysfs and whose /dev holds nodes for those loop devices only.
package disktest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Need skips the test unless every tool is installed.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

// Loop is a loop device a test attached.
type Loop struct {
	Dev   string // /dev/loopN
	Name  string // loopN
	Image string
}

// AttachLoop creates an image file of sizeMiB under t.TempDir(), attaches
// it with `losetup --find --show` and detaches it (after dropping its
// partitions) when the test ends.
func AttachLoop(t testing.TB, sizeMiB int) *Loop {
	t.Helper()
	Need(t, "losetup")
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(int64(sizeMiB) << 20)
	f.Close()
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("losetup: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	if !strings.HasPrefix(dev, "/dev/loop") {
		t.Fatalf("losetup printed %q", dev)
	}
	l := &Loop{Dev: dev, Name: strings.TrimPrefix(dev, "/dev/"), Image: img}
	t.Cleanup(func() {
		exec.Command("partx", "-d", dev).Run()
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	return l
}

// RemoveVGAtEnd removes the volume group vg and the physical volume on
// l when the test ends (before l is detached), whatever the test left.
// It runs the tools without the test's context, which is already
// cancelled when cleanups run.
func RemoveVGAtEnd(t testing.TB, vg string, l *Loop) {
	t.Cleanup(func() {
		exec.Command("vgremove", "-f", vg).Run()
		exec.Command("pvremove", "-ff", "-y", l.Dev).Run()
	})
}

// UnmountBtrfsAtEnd unmounts mnt and makes the kernel forget the btrfs
// members on loops when the test ends (before they are detached).
func UnmountBtrfsAtEnd(t testing.TB, mnt string, loops ...*Loop) {
	t.Cleanup(func() {
		exec.Command("umount", mnt).Run()
		argv := []string{"device", "scan", "--forget"}
		for _, l := range loops {
			argv = append(argv, l.Dev)
		}
		exec.Command("btrfs", argv...).Run()
	})
}

// Run runs a tool on the test's own devices and fails the test on error.
func Run(t testing.TB, argv ...string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// Root makes a host root for loop tests (see Prepare).
func Root(t testing.TB, loops ...*Loop) string {
	t.Helper()
	root := t.TempDir()
	Prepare(t, root, loops...)
	return root
}

// Prepare readies an existing host root for loop tests: ROOT/sys/block
// holds links to the real sysfs entries of the given loop devices only
// (so no listing ever sees, let alone probes, another disk of this
// machine), ROOT/proc/mounts is empty (tests write what they need), and
// ROOT/dev holds block nodes for those loop devices and their partitions.
func Prepare(t testing.TB, root string, loops ...*Loop) {
	t.Helper()
	os.MkdirAll(filepath.Join(root, "sys/block"), 0o755)
	os.MkdirAll(filepath.Join(root, "proc"), 0o755)
	os.WriteFile(filepath.Join(root, "proc/mounts"), nil, 0o644)
	for _, l := range loops {
		if err := os.Symlink("/sys/block/"+l.Name, filepath.Join(root, "sys/block", l.Name)); err != nil {
			t.Fatal(err)
		}
		Mirror(t, root, l.Name)
	}
}

// Mirror (re)creates ROOT/dev nodes for a loop device and its current
// partitions, with the kernel's device numbers.
func Mirror(t testing.TB, root, name string) {
	t.Helper()
	if !strings.HasPrefix(name, "loop") {
		t.Fatalf("refusing to mirror %s: only loop devices", name)
	}
	names := []string{name}
	ents, _ := os.ReadDir("/sys/block/" + name)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), name+"p") {
			names = append(names, e.Name())
		}
	}
	for _, n := range names {
		b, err := os.ReadFile("/sys/class/block/" + n + "/dev")
		if err != nil {
			t.Fatal(err)
		}
		var maj, min uint32
		fmt.Sscanf(strings.TrimSpace(string(b)), "%d:%d", &maj, &min)
		p := filepath.Join(root, "dev", n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.Remove(p)
		if err := unix.Mknod(p, unix.S_IFBLK|0o600, int(unix.Mkdev(maj, min))); err != nil {
			t.Fatal(err)
		}
	}
}

// Partitions makes the kernel read the loop device's partition table
// (`losetup -P` makes no nodes on this kernel; `partx -a` does) and
// mirrors the new nodes into root.
func Partitions(t testing.TB, root string, l *Loop) {
	t.Helper()
	exec.Command("partx", "-d", l.Dev).Run()
	Run(t, "partx", "-a", l.Dev)
	Mirror(t, root, l.Name)
}
