package boot

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/boot/boottest"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

var wantBoot = []string{"6.2.16-20-pve", "6.5.13-6-pve", "6.8.12-4-pve", "6.8.12-5-pve"}

func entry(k string) string {
	return "title    Proxmox Virtual Environment\nversion  " + k + "\noptions  root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n" +
		"linux    /EFI/proxmox/" + k + "/vmlinuz-" + k + "\ninitrd   /EFI/proxmox/" + k + "/initrd.img-" + k + "\n"
}

// wantESP is the exact content of a systemd-boot ESP holding kernels.
func wantESP(defaultEntry string, kernels ...string) map[string]string {
	m := map[string]string{"loader/loader.conf": "timeout 3\ndefault " + defaultEntry + "\n"}
	for _, k := range kernels {
		m["loader/entries/proxmox-"+k+".conf"] = entry(k)
		m["EFI/proxmox/"+k+"/vmlinuz-"+k] = "kernel image " + k + "\n"
		m["EFI/proxmox/"+k+"/initrd.img-"+k] = "initrd " + k + "\n"
	}
	return m
}

func TestSystemdBootESP(t *testing.T) {
	ctx := context.Background()
	root := newRoot(t, true)
	d := newDisk(t, root)
	s, rec := newService(t, root)
	rec.On([]string{"udevadm", "settle", "--timeout=5"}, host.Reply{})

	// Bad partitions are refused before anything is written.
	for _, tc := range []struct{ part, want string }{
		{d.P2, "is too small (<256M)"},
		{"/dev/" + d.Loop.Name, "has children"},
		{"/dev/nonexistent", "does not exist"},
		{"/etc/kernel/cmdline", "is not a block device"},
	} {
		_, o := outBuf()
		if err := s.Format(ctx, tc.part, false, o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("format %s: got %v, want %q", tc.part, err, tc.want)
		}
	}
	// A whole disk without partitions is not a partition.
	bare := disktest.AttachLoop(t, 300)
	disktest.Mirror(t, root.Dir(), bare.Name)
	boottest.LinkSysfs(t, root, bare.Name)
	if err := s.Format(ctx, "/dev/"+bare.Name, false, Out{}); err == nil || !strings.Contains(err.Error(), "cannot determine parent device of '/dev/"+bare.Name+"' - please provide a partition, not a full disk.") {
		t.Errorf("format of a whole disk: %v", err)
	}
	if err := s.Format(ctx, "/dev/"+d.Loop.Name+"p1", false, Out{}); err != nil {
		t.Fatalf("format p1: %v", err)
	}
	if got := probe(t, root, d.P1); got["PART_ENTRY_TYPE"] != ESPPartType || got["TYPE"] != "vfat" || got["VERSION"] != "FAT32" {
		t.Fatalf("after format p1 is %v", got)
	}
	if err := s.Format(ctx, d.P1, false, Out{}); err == nil || !strings.Contains(err.Error(), "contains a filesystem ('vfat') - exiting (use --force to override)") {
		t.Fatalf("second format: %v", err)
	}
	uuid := udevLink(t, root, d.P1)

	// A mounted partition is refused (ext4: this kernel mounts it itself).
	mp := t.TempDir()
	mustRun(t, "mkfs.ext4", "-q", root.Path(d.P3))
	mustRun(t, "mount", root.Path(d.P3), mp)
	if err := s.Format(ctx, d.P3, true, Out{}); err == nil || !strings.Contains(err.Error(), "is mounted on '"+mp+"'") {
		t.Fatalf("format of a mounted partition: %v", err)
	}
	mustRun(t, "umount", mp)
	if root.Exists(ESPList) {
		t.Fatal("refused init wrote the ESP list")
	}

	// init: systemd-boot, then the refresh syncs the kernels.
	rec.On([]string{"bootctl", "--graceful", "--path", root.Path(MountRoot + "/" + uuid), "install"}, host.Reply{})
	buf, o := outBuf()
	if err := s.Init(ctx, d.P1, "", o); err != nil {
		t.Fatalf("init: %v\n%s", err, buf)
	}
	for _, want := range []string{
		"Mounting '" + d.P1 + "' on '/var/tmp/espmounts/" + uuid + "'.\nInstalling systemd-boot..\nConfiguring systemd-boot..\nUnmounting '" + d.P1 + "'.\nAdding '" + d.P1 + "' to list of synced ESPs..\nRefreshing kernels and initrds..\nRunning hook script 'proxmox-auto-removal'..\nRunning hook script 'zz-proxmox-boot'..\nCopying and configuring kernels on /dev/disk/by-uuid/" + uuid + "\n\tCopying kernel and creating boot-entry for 6.2.16-20-pve\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("init output lacks %q:\n%s", want, buf)
		}
	}
	if b, _ := root.ReadFile(ESPList); string(b) != uuid+"\n" {
		t.Errorf("ESP list: %q", b)
	}
	if diff := cmp.Diff(wantESP("proxmox-*", wantBoot...), espFiles(t, root, d.P1)); diff != "" {
		t.Fatalf("ESP after init (-want +got):\n%s", diff)
	}
	if slices.Contains(rec.Calls(), "mount "+root.Path(espDevice(uuid))+" "+root.Path(MountRoot+"/"+uuid)) == false {
		t.Errorf("refresh did not mount by UUID: %q", rec.Calls())
	}

	// Status lists what is on the ESP.
	buf, o = outBuf()
	if _, err := s.Status(ctx, false, o); err != nil {
		t.Fatal(err)
	}
	if want := "System currently booted with uefi\n" + uuid + " is configured with: uefi (versions: " + strings.Join(wantBoot, ", ") + ")\n"; buf.String() != want {
		t.Errorf("status:\n%s\nwant:\n%s", buf, want)
	}

	testPinNextBoot(t, s, root, d, uuid)
	testStaleRemoved(t, s, root, d)
	testBadInputChangesNothing(t, s, root, d)
	testSkipsAndClean(t, s, root, d, uuid)
}

// testSkipsAndClean: refresh names and skips an ESP whose device is gone
// and one that is formatted but not set up, syncs the good one, and clean
// drops only the gone one.
func testSkipsAndClean(t *testing.T, s *Service, root host.Root, d *boottest.Disk, good string) {
	ctx := context.Background()
	mustRun(t, "mkfs.vfat", "-F", "32", root.Path(d.P3))
	bare := udevLink(t, root, d.P3)
	bareBefore := espFiles(t, root, d.P3)
	write(t, root.Dir(), ESPList, good+"\nDEAD-BEEF\n"+bare+"\n")
	buf, o := outBuf()
	res, err := s.Refresh(ctx, "", o)
	if err != nil {
		t.Fatal(err)
	}
	want := []ESPResult{
		{UUID: good, Loader: SystemdBoot, Copied: wantBoot, Removed: []string{}},
		{UUID: "DEAD-BEEF", Skipped: "WARN: /dev/disk/by-uuid/DEAD-BEEF does not exist - clean '/etc/kernel/proxmox-boot-uuids'! - skipping", Copied: []string{}, Removed: []string{}},
		{UUID: bare, Skipped: "/dev/disk/by-uuid/" + bare + " contains no loader.conf - skipping", Copied: []string{}, Removed: []string{}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("refresh results (-want +got):\n%s\n%s", diff, buf)
	}
	if after := espFiles(t, root, d.P3); !maps.Equal(bareBefore, after) {
		t.Errorf("the skipped ESP changed: %v", after)
	}
	buf, o = outBuf()
	if err := s.Clean(ctx, true, o); err != nil {
		t.Fatal(err)
	}
	if b, _ := root.ReadFile(ESPList); !strings.Contains(string(b), "DEAD-BEEF") || !strings.Contains(buf.String(), "Checking whether ESP 'DEAD-BEEF' exists.. Not found!") {
		t.Errorf("clean --dry-run: list %q, said %q", b, buf)
	}
	if err := s.Clean(ctx, false, Out{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := root.ReadFile(ESPList); string(b) != strings.Join(sortUnique([]string{good, bare}), "\n")+"\n" {
		t.Errorf("clean left %q", b)
	}
}

func testPinNextBoot(t *testing.T, s *Service, root host.Root, d *boottest.Disk, uuid string) {
	ctx := context.Background()
	buf, o := outBuf()
	if err := s.Pin(ctx, "6.5.13-6-pve", false, o); err != nil {
		t.Fatal(err)
	}
	if want := "Set kernel '6.5.13-6-pve' in /etc/kernel/proxmox-boot-pin. Use the 'refresh' command to update the ESPs.\n"; buf.String() != want {
		t.Errorf("pin said %q", buf)
	}
	buf, o = outBuf()
	if err := s.Pin(ctx, "6.8.12-4-pve", true, o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "Pinned for next boot only.\n") {
		t.Errorf("pin --next-boot said %q", buf)
	}
	if _, err := s.Refresh(ctx, "", Out{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantESP("proxmox-6.8.12-4-pve.conf", wantBoot...), espFiles(t, root, d.P1)); diff != "" {
		t.Errorf("ESP with next-boot pin (-want +got):\n%s", diff)
	}
	if got := s.firstLine(PinFile); got != "6.5.13-6-pve" {
		t.Errorf("permanent pin changed to %q", got)
	}
	// After that boot the cleanup unit unpins the next boot and refreshes.
	buf, o = outBuf()
	if err := s.Unpin(ctx, true, o); err != nil {
		t.Fatal(err)
	}
	if want := "Removed /etc/kernel/next-boot-pin.\nUnpinned kernel '6.8.12-4-pve'. Use the 'refresh' command to update the ESPs.\n"; buf.String() != want {
		t.Errorf("unpin said %q", buf)
	}
	if _, err := s.Refresh(ctx, "zz-proxmox-boot", Out{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantESP("proxmox-6.5.13-6-pve.conf", wantBoot...), espFiles(t, root, d.P1)); diff != "" {
		t.Errorf("ESP back on the permanent pin (-want +got):\n%s", diff)
	}
	buf, o = outBuf()
	if err := s.ListKernels(o); err != nil {
		t.Fatal(err)
	}
	if want := "Manually selected kernels:\nNone.\n\nAutomatically selected kernels:\n" + strings.Join(wantBoot, "\n") + "\n\nPinned kernel:\n6.5.13-6-pve\n"; buf.String() != want {
		t.Errorf("kernel list:\n%s\nwant:\n%s", buf, want)
	}
	if err := s.Unpin(ctx, false, Out{}); err != nil {
		t.Fatal(err)
	}
}

// testStaleRemoved: a kernel no longer selected leaves the ESP, a manual one joins.
func testStaleRemoved(t *testing.T, s *Service, root host.Root, d *boottest.Disk) {
	ctx := context.Background()
	if err := s.AddKernel(ctx, "6.8.8-2-pve", Out{}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Refresh(ctx, "", Out{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !slices.Contains(res[0].Copied, "6.8.8-2-pve") || len(res[0].Removed) != 0 {
		t.Errorf("refresh with a manual kernel: %+v", res)
	}
	if err := s.RemoveKernel(ctx, "6.8.8-2-pve", Out{}); err != nil {
		t.Fatal(err)
	}
	buf, o := outBuf()
	res, err = s.Refresh(ctx, "", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !slices.Equal(res[0].Removed, []string{"6.8.8-2-pve"}) || !strings.Contains(buf.String(), "\tRemoving old version 6.8.8-2-pve\n") {
		t.Errorf("refresh after removing it: %+v\n%s", res, buf)
	}
	if diff := cmp.Diff(wantESP("proxmox-*", wantBoot...), espFiles(t, root, d.P1)); diff != "" {
		t.Errorf("ESP (-want +got):\n%s", diff)
	}
	apt, _ := root.ReadFile(AptKeepFile)
	if !strings.Contains(string(apt), "   \"^proxmox-kernel-6\\.5\\.13-6-pve-signed$\";\n") || !strings.Contains(string(apt), "\"^pve-kernel-6\\.8$\";") {
		t.Errorf("76pveconf:\n%s", apt)
	}
}

// testBadInputChangesNothing: errors leave every ESP as it was.
func testBadInputChangesNothing(t *testing.T, s *Service, root host.Root, d *boottest.Disk) {
	ctx := context.Background()
	before := espFiles(t, root, d.P1)
	cmdline, _ := root.ReadFile(CmdlineFile)
	var ke *KernelError
	if err := s.Pin(ctx, "6.9.9-9-pve", false, Out{}); !errors.As(err, &ke) || !slices.Equal(ke.Possible, wantBoot) {
		t.Errorf("pin of an unknown kernel: %v", err)
	}
	if err := s.Pin(ctx, "../../etc/passwd", true, Out{}); err == nil {
		t.Error("pin accepted a path")
	}
	if err := s.AddKernel(ctx, "6.9.9-9-pve", Out{}); err == nil || !strings.Contains(err.Error(), "no kernel image found in /boot for '6.9.9-9-pve', not adding.") {
		t.Errorf("add of an unknown kernel: %v", err)
	}
	for _, bad := range []string{"root=ZFS=rpool/ROOT/pve-1 quiet\nmalicious=1", `root=/dev/sda1 console="ttyS0`, "root=/dev/sda1 acpi='off'", "quiet"} {
		if _, err := s.SetCmdline(ctx, bad, ""); err == nil {
			t.Errorf("SetCmdline(%q) accepted", bad)
		}
	}
	if _, err := s.SetCmdline(ctx, "root=/dev/sda1 quiet", "0000"); !errors.Is(err, host.ErrDigestMismatch) {
		t.Errorf("stale digest: %v", err)
	}
	if _, err := s.Refresh(ctx, "bogus", Out{}); err == nil || err.Error() != "E: 'bogus' is not a valid hook script name." {
		t.Errorf("bad hook: %v", err)
	}
	// A command line without root= makes refresh fail before any ESP is touched.
	write(t, root.Dir(), CmdlineFile, "quiet\n")
	if _, err := s.Refresh(ctx, "", Out{}); err == nil || !strings.Contains(err.Error(), "No root= parameter") {
		t.Errorf("refresh without root=: %v", err)
	}
	write(t, root.Dir(), CmdlineFile, string(cmdline))
	if err := s.Format(ctx, d.P1, false, Out{}); err == nil {
		t.Error("format of the ESP without --force accepted")
	}
	if err := s.Init(ctx, d.P2, "systemd-boot", Out{}); err == nil {
		t.Error("init of a too small partition accepted")
	}
	if after := espFiles(t, root, d.P1); !maps.Equal(before, after) {
		t.Errorf("bad input changed the ESP:\n%s", cmp.Diff(before, after))
	}
	if b, _ := root.ReadFile(CmdlineFile); string(b) != string(cmdline) {
		t.Errorf("bad input changed %s to %q", CmdlineFile, b)
	}
	if _, err := os.Stat(root.Path(PinFile)); err == nil {
		t.Error("bad pin wrote the pin file")
	}
}

func probe(t *testing.T, root host.Root, part string) map[string]string {
	t.Helper()
	out := mustRun(t, "blkid", "-p", "-o", "export", root.Path(part))
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func mustRun(t *testing.T, argv ...string) string {
	t.Helper()
	res, err := host.ExecRunner{}.Run(context.Background(), host.Cmd{Argv: argv})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return string(res.Stdout)
}
