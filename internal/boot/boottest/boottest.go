// Package boottest gives boot tests real ESPs safely: a host root with a
// dpkg database and kernels of several series in /boot, partitions on the
// test's own loop device mirrored into that root (udev's by-uuid links
// made by hand), a runner that runs only the disk tools for real, and
// mtools to read an ESP back without mounting it. This kernel has no vfat
// driver, so the runner mounts ESPs with fusefat (FUSE, same on-disk
// format); the file systems are real vfat made by mkfs.vfat.
package boottest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

// RealTools run for real in these tests; everything else must be recorded.
var RealTools = []string{"mount", "umount", "blkid", "sgdisk", "mkfs.vfat"}

// RealOnly runs the real tools. This kernel has no vfat driver, so a
// mount of an ESP (anything but a bind mount) is done by fusefat, a FUSE
// driver for the same on-disk format; the file system stays real vfat
// made by mkfs.vfat and is read back with mtools, a third implementation.
type RealOnly struct{ T testing.TB }

func (r RealOnly) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	if c.Argv[0] == "mount" && !slices.Contains(c.Argv, "--bind") {
		n := len(c.Argv)
		c.Argv = []string{"fusefat", "-o", "rw+", c.Argv[n-2], c.Argv[n-1]}
		return host.ExecRunner{}.Run(ctx, c)
	}
	if !slices.Contains(RealTools, c.Argv[0]) {
		r.T.Errorf("unexpected command %q", strings.Join(c.Argv, " "))
		return host.Result{ExitCode: 127}, fmt.Errorf("not allowed in tests: %s", c.Argv[0])
	}
	return host.ExecRunner{}.Run(ctx, c)
}

// GrubFaker stands in for grub-install.real: it leaves the grub directory
// the real one creates in --boot-directory and, for x86_64-efi, the
// EFI/proxmox/grubx64.efi GRUB is detected by (GRUB is not installed here).
type GrubFaker struct{ host.Runner }

func (g GrubFaker) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	res, err := g.Runner.Run(ctx, c)
	if err == nil && c.Argv[0] == "grub-install.real" {
		os.MkdirAll(filepath.Join(c.Argv[2], "grub"), 0o755)
		if slices.Contains(c.Argv, "x86_64-efi") && !slices.Contains(c.Argv, "--removable") {
			os.MkdirAll(filepath.Join(c.Argv[2], "EFI/proxmox"), 0o755)
			os.WriteFile(filepath.Join(c.Argv[2], "EFI/proxmox/grubx64.efi"), []byte("grub"), 0o644)
		}
	}
	return res, err
}

// FakePackages are kernels of several series installed in the fake root.
var FakePackages = []struct{ pkg, status string }{
	{"proxmox-kernel-6.8.12-5-pve-signed", "install ok installed"},
	{"proxmox-kernel-6.8.12-4-pve-signed", "install ok installed"},
	{"proxmox-kernel-6.8.8-2-pve-signed", "install ok installed"},
	{"proxmox-kernel-6.8", "install ok installed"},
	{"proxmox-kernel-6.8.12-5-pve-signed-dbgsym", "install ok installed"},
	{"proxmox-kernel-6.5.13-6-pve-signed", "hold ok installed"},
	{"proxmox-kernel-6.5.13-5-pve", "install ok installed"},
	{"proxmox-kernel-6.5", "install ok installed"},
	{"pve-kernel-6.2.16-20-pve", "install ok installed"},
	{"pve-kernel-6.2", "install ok installed"},
	{"pve-kernel-5.15.158-1-pve", "deinstall ok config-files"},
	{"proxmox-kernel-helper", "install ok installed"},
}

// Populate writes NewRoot's files into an existing root directory.
func Populate(t testing.TB, dir string, uefi bool) {
	t.Helper()
	var status strings.Builder
	for _, p := range FakePackages {
		fmt.Fprintf(&status, "Package: %s\nStatus: %s\nArchitecture: amd64\nVersion: 1\n\n", p.pkg, p.status)
	}
	Write(t, dir, "/var/lib/dpkg/status", status.String())
	for _, p := range FakePackages {
		v := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(p.pkg, "pve-kernel-"), "proxmox-kernel-"), "-signed")
		if strings.HasSuffix(v, "-pve") && p.status != "deinstall ok config-files" {
			Write(t, dir, "/boot/vmlinuz-"+v, "kernel image "+v+"\n")
			Write(t, dir, "/boot/initrd.img-"+v, "initrd "+v+"\n")
		}
	}
	Write(t, dir, "/proc/sys/kernel/osrelease", "6.2.16-20-pve\n")
	Write(t, dir, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz-6.2.16-20-pve initrd=\\EFI\\proxmox\\initrd.img root=ZFS=rpool/ROOT/pve-1 boot=zfs\n")
	Write(t, dir, "/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n")
	if uefi {
		os.MkdirAll(filepath.Join(dir, "sys/firmware/efi"), 0o755)
	}
}

// NewRoot makes a host root with a dpkg database, kernels and initrds in
// /boot, a running kernel, a command line and, when uefi, /sys/firmware/efi.
func NewRoot(t testing.TB, uefi bool) host.Root {
	t.Helper()
	dir := t.TempDir()
	Populate(t, dir, uefi)
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Write writes a file under dir, making its directories.
func Write(t testing.TB, dir, p, content string) {
	t.Helper()
	full := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Disk is a loop device with three partitions: p1 (300 MiB, Linux type,
// the ESP to be), p2 (20 MiB, too small) and p3 (260 MiB, ESP type).
type Disk struct {
	Loop *disktest.Loop
	P1   string // host paths as the tool is given them
	P2   string
	P3   string
}

// NewDisk attaches the test's own loop device, partitions it and mirrors
// its nodes and sysfs entries into root; leftover mounts of this test are
// unmounted by name before the device is detached.
func NewDisk(t *testing.T, root host.Root) *Disk {
	t.Helper()
	disktest.Need(t, "sgdisk", "partx", "mkfs.vfat", "blkid", "mount", "fusefat", "mdir", "mkfs.ext4")
	l := disktest.AttachLoop(t, 600)
	disktest.Run(t, "sgdisk", "-n1:1M:+300M", "-t1:8300", "-n2:0:+20M", "-t2:EF00", "-n3:0:+260M", "-t3:EF00", l.Dev)
	disktest.Partitions(t, root.Dir(), l)
	os.Symlink("/proc/self", root.Path("/proc/self"))
	LinkSysfs(t, root, l.Name)
	t.Cleanup(func() { unmountUnder(root.Dir()) })
	return &Disk{Loop: l, P1: "/dev/" + l.Name + "p1", P2: "/dev/" + l.Name + "p2", P3: "/dev/" + l.Name + "p3"}
}

// LinkSysfs links ROOT/sys/dev/block/MAJ:MIN to the real sysfs entry of
// the loop device name and of each of its partitions mirrored in ROOT/dev.
func LinkSysfs(t *testing.T, root host.Root, name string) {
	t.Helper()
	ents, _ := os.ReadDir(root.Path("/dev"))
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), name) {
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat(root.Path("/dev/"+e.Name()), &st); err != nil {
			t.Fatal(err)
		}
		mm := fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
		os.MkdirAll(root.Path("/sys/dev/block"), 0o755)
		os.Symlink("/sys/dev/block/"+mm, root.Path("/sys/dev/block/"+mm))
	}
}

// unmountUnder unmounts whatever is still mounted below dir (this test's
// own temporary root), deepest first.
func unmountUnder(dir string) {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	var mps []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mps = append(mps, f[4])
		}
	}
	slices.Sort(mps)
	slices.Reverse(mps)
	for _, mp := range mps {
		exec.Command("umount", mp).Run()
	}
}

// UdevLink does what udev would: /dev/disk/by-uuid/UUID -> the partition.
func UdevLink(t *testing.T, root host.Root, part string) string {
	t.Helper()
	out, err := exec.Command("blkid", "-p", "-s", "UUID", "-o", "value", root.Path(part)).Output()
	if err != nil {
		t.Fatalf("blkid %s: %v", part, err)
	}
	uuid := strings.TrimSpace(string(out))
	link := root.Path("/dev/disk/by-uuid/" + uuid)
	os.MkdirAll(filepath.Dir(link), 0o755)
	os.Remove(link)
	if err := os.Symlink("../.."+strings.TrimPrefix(part, "/dev"), link); err != nil {
		t.Fatal(err)
	}
	return uuid
}

// ESPFiles reads every file of a vfat partition with mtools (no mount)
// and returns its content (or a hash of large or binary ones).
func ESPFiles(t *testing.T, root host.Root, part string) map[string]string {
	t.Helper()
	dev := root.Path(part)
	list := mtools(t, "mdir", "-/", "-b", "-i", dev, "::")
	files := map[string]string{}
	for _, p := range strings.Split(strings.TrimSpace(list), "\n") {
		if p == "" || strings.HasSuffix(p, "/") {
			continue
		}
		b := mtools(t, "mcopy", "-n", "-i", dev, p, "-")
		rel := strings.TrimPrefix(p, "::/")
		if len(b) > 512 || strings.IndexByte(b, 0) >= 0 {
			sum := sha1.Sum([]byte(b))
			files[rel] = "sha1:" + hex.EncodeToString(sum[:])
		} else {
			files[rel] = b
		}
	}
	return files
}

func mtools(t *testing.T, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if argv[0] == "mdir" && errors.As(err, &ee) && ee.ExitCode() == 1 && len(out) == 0 {
		return "" // an empty file system
	}
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out)
}
