package boot

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/host"
)

// TestLegacyGrubESP: on a legacy BIOS node init installs GRUB for i386-pc
// and refresh copies the kernels to the ESP's top and runs update-grub
// with the ESP bind-mounted on /boot (GRUB itself is not installed here:
// its argv is asserted).
func TestLegacyGrubESP(t *testing.T) {
	ctx := context.Background()
	root := newRoot(t, false)
	d := newDisk(t, root)
	s, rec := newService(t, root)
	rec.On([]string{"udevadm", "settle", "--timeout=5"}, host.Reply{})
	rec.On([]string{"update-grub"}, host.Reply{Stderr: "Generating grub configuration file ...\ndone\n"})
	write(t, root.Dir(), "/boot/grub/grub.cfg", "submenu 'Advanced options for Proxmox VE GNU/Linux' $menuentry_id_option 'gnulinux-advanced-7f3b1c2d9e8a' {\n")
	if err := s.Format(ctx, d.P3, false, Out{}); err != nil {
		t.Fatal(err)
	}
	uuid := udevLink(t, root, d.P3)
	mp := root.Path(MountRoot + "/" + uuid)
	rec.On([]string{"grub-install.real", "--boot-directory", mp, "--target", "i386-pc", "--no-floppy", "--bootloader-id=proxmox", root.Path("/dev/" + d.Loop.Name)}, host.Reply{})
	if err := s.Pin(ctx, "6.5.13-6-pve", false, Out{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := root.ReadFile(GrubPinSnippet); string(b) != "GRUB_DEFAULT=\"gnulinux-advanced-7f3b1c2d9e8a>gnulinux-6.5.13-6-pve-advanced-7f3b1c2d9e8a\"\n" {
		t.Errorf("pin snippet: %q", b)
	}
	buf, o := outBuf()
	if err := s.Init(ctx, d.P3, "", o); err != nil {
		t.Fatalf("init: %v\n%s", err, buf)
	}
	if !strings.Contains(buf.String(), "Installing grub i386-pc target..\n") || !strings.Contains(buf.String(), "\tCopying kernel 6.8.12-5-pve\n") {
		t.Errorf("init output:\n%s", buf)
	}
	files := espFiles(t, root, d.P3)
	var got []string
	for f := range files {
		got = append(got, f)
	}
	slices.Sort(got)
	var want []string
	for _, k := range wantBoot {
		want = append(want, "initrd.img-"+k, "vmlinuz-"+k)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("GRUB ESP holds %q, want %q", got, want)
	}
	calls := strings.Join(rec.Calls(), "\n")
	wantSeq := "mount --bind " + mp + " " + root.Path("/boot") + "\nupdate-grub\numount " + root.Path("/boot")
	if !strings.Contains(calls, wantSeq) {
		t.Errorf("update-grub not run on the bind-mounted ESP:\n%s", calls)
	}
	buf, o = outBuf()
	if _, err := s.Status(ctx, false, o); err != nil {
		t.Fatal(err)
	}
	if want := "System currently booted with legacy bios\n" + uuid + " is configured with: grub (versions: " + strings.Join(wantBoot, ", ") + ")\n"; buf.String() != want {
		t.Errorf("status %q, want %q", buf, want)
	}
	if s.Loader(ctx) != Grub {
		t.Error("legacy node not using GRUB")
	}
	// The command line goes to GRUB_CMDLINE_LINUX_DEFAULT.
	write(t, root.Dir(), GrubDefault, "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"root=ZFS=rpool/ROOT/pve-1 boot=zfs\"\n")
	if _, err := s.SetCmdline(ctx, `quiet dis_ucode_ldr console="ttyS0,115200n8"`, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := root.ReadFile(GrubDefault); string(b) != "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet dis_ucode_ldr console=\\\"ttyS0,115200n8\\\"\"\nGRUB_CMDLINE_LINUX=\"root=ZFS=rpool/ROOT/pve-1 boot=zfs\"\n" {
		t.Errorf("/etc/default/grub:\n%s", b)
	}
	c, err := s.GetCmdline(ctx)
	if err != nil || c.Configured != `quiet dis_ucode_ldr console="ttyS0,115200n8"` || c.GrubLinux != "root=ZFS=rpool/ROOT/pve-1 boot=zfs" {
		t.Errorf("GetCmdline: %+v %v", c, err)
	}
}

// TestUEFIGrubESP: `init PART grub` on a UEFI node installs GRUB for
// x86_64-efi twice (the second time as the removable fallback); the ESP is
// then detected as a GRUB ESP by its grubx64.efi, kernels go to its top
// and update-grub runs on it, and reinit keeps GRUB without being told.
func TestUEFIGrubESP(t *testing.T) {
	ctx := context.Background()
	root := newRoot(t, true)
	d := newDisk(t, root)
	s, rec := newService(t, root)
	rec.On([]string{"update-grub"}, host.Reply{})
	if err := s.Format(ctx, d.P3, false, Out{}); err != nil {
		t.Fatal(err)
	}
	uuid := udevLink(t, root, d.P3)
	mp := root.Path(MountRoot + "/" + uuid)
	disk := root.Path("/dev/" + d.Loop.Name)
	efi := []string{"grub-install.real", "--boot-directory", mp, "--target", "x86_64-efi", "--no-floppy", "--efi-directory", mp}
	rec.On(append(append([]string{}, efi...), "--bootloader-id", "proxmox", disk), host.Reply{})
	rec.On(append(append([]string{}, efi...), "--removable", "--bootloader-id", "proxmox", disk), host.Reply{})
	if err := s.Init(ctx, d.P3, "grub", Out{}); err != nil {
		t.Fatal(err)
	}
	files := espFiles(t, root, d.P3)
	if _, ok := files["vmlinuz-6.8.12-5-pve"]; !ok {
		t.Errorf("kernel not on the GRUB ESP's top: %v", slices.Sorted(maps.Keys(files)))
	}
	if _, ok := files["loader/loader.conf"]; ok {
		t.Error("a GRUB ESP got a loader.conf")
	}
	if s.Loader(ctx) != Grub {
		t.Error("a UEFI node with a GRUB ESP is not using GRUB")
	}
	before := len(rec.Calls())
	if err := s.Reinit(ctx, Out{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range rec.Calls()[before:] {
		if strings.HasPrefix(c, "grub-install.real") {
			n++
		}
		if strings.HasPrefix(c, "bootctl") {
			t.Errorf("reinit of a GRUB ESP ran %q", c)
		}
	}
	if n != 2 {
		t.Errorf("reinit ran grub-install %d times: %q", n, rec.Calls()[before:])
	}
}
