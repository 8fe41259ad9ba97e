package boot

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestSelect(t *testing.T) {
	root := newRoot(t, true)
	s := New(Config{Root: root})
	sel, err := s.Select("")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sel.Boot, wantBoot) {
		t.Errorf("boot kernels %q, want %q", sel.Boot, wantBoot)
	}
	if want := append(slices.Clone(wantBoot), "6.5", "6.8"); !slices.Equal(sortUnique(want), sel.Keep) {
		t.Errorf("kept %q", sel.Keep)
	}
	// The running kernel is dropped when its image is gone from /boot.
	os.Remove(root.Path("/boot/vmlinuz-6.2.16-20-pve"))
	write(t, root.Dir(), ManualKernels, "6.8.8-2-pve\n")
	write(t, root.Dir(), NextBootPin, "6.5.13-5-pve\n")
	sel, _ = s.Select("6.9.1-1-pve")
	want := []string{"6.5.13-5-pve", "6.5.13-6-pve", "6.8.12-4-pve", "6.8.12-5-pve", "6.8.8-2-pve", "6.9.1-1-pve"}
	if !slices.Equal(sel.Boot, want) {
		t.Errorf("boot kernels %q, want %q", sel.Boot, want)
	}
}

func TestVersionSort(t *testing.T) {
	got := sortVersionsDesc([]string{"6.8.8-2-pve", "6.8.12-4-pve", "6.8", "6.5.13-6-pve", "6.8.12-10-pve", "6.5"})
	want := []string{"6.8.12-10-pve", "6.8.12-4-pve", "6.8.8-2-pve", "6.8", "6.5.13-6-pve", "6.5"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "root=ZFS=rpool/ROOT/pve-1 boot=zfs  quiet", want: []string{"root=ZFS=rpool/ROOT/pve-1", "boot=zfs", "quiet"}},
		{in: `intel_iommu=on vfio-pci.ids=10de:1e87,10de:10f8 net.naming-scheme=v252 dis_ucode_ldr`, want: []string{"intel_iommu=on", "vfio-pci.ids=10de:1e87,10de:10f8", "net.naming-scheme=v252", "dis_ucode_ldr"}},
		{in: `console="ttyS0 x" "a=b c"`, want: []string{`console="ttyS0 x"`, `"a=b c"`}},
		{in: "", want: nil},
		{in: "quiet\nsplash", err: "newline"},
		{in: `console="ttyS0`, err: "unbalanced double quote"},
		{in: "acpi='off'", err: "unsupported quote character"},
		{in: "a=`id`", err: "unsupported quote character"},
		{in: "a=$HOME", err: "not allowed"},
		{in: "a\x01b", err: "control character"},
		{in: "=x", err: "invalid option name"},
		{in: "-- init=/bin/sh", err: "invalid option name"},
		{in: `a"b=c"`, err: "invalid option name"},
		{in: `a=b"c`, err: "unbalanced double quote"},
		{in: strings.Repeat("a", 2048), err: "too long"},
	} {
		got, err := ParseCmdline(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSetLoaderDefault(t *testing.T) {
	for in, want := range map[string]string{
		"timeout 3\ndefault proxmox-*\n":              "timeout 3\ndefault proxmox-6.8.conf\n",
		"timeout 3\n":                                 "timeout 3\ndefault proxmox-6.8.conf\n",
		"default a\ntimeout 3\ndefault   b c\n":       "default proxmox-6.8.conf\ntimeout 3\ndefault proxmox-6.8.conf\n",
		"timeout 3\ndefaultx y\n#default z\neditor 0": "timeout 3\ndefaultx y\n#default z\neditor 0\ndefault proxmox-6.8.conf\n",
	} {
		if got := string(SetLoaderDefault([]byte(in), "proxmox-6.8.conf")); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

// TestGrubDefaultGolden edits testdata/*.grub and compares with *.golden
// (go test -update rewrites them); the golden file edited again with the
// same value must come back unchanged.
func TestGrubDefaultGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/*.grub")
	if len(ins) == 0 {
		t.Fatal("no testdata")
	}
	for _, in := range ins {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		got := SetGrubCmdlineDefault(string(b), `quiet intel_iommu=on console="ttyS0,115200"`)
		golden.File(t, strings.TrimSuffix(in, ".grub")+".golden", []byte(got))
		if again := SetGrubCmdlineDefault(got, `quiet intel_iommu=on console="ttyS0,115200"`); again != got {
			t.Errorf("%s: not idempotent:\n%s", in, again)
		}
		if def, _ := GrubCmdline(got); def != `quiet intel_iommu=on console="ttyS0,115200"` {
			t.Errorf("%s: read back %q", in, def)
		}
	}
}

func TestInstalledKernels(t *testing.T) {
	in := "Package: proxmox-kernel-6.8.12-5-pve-signed\nStatus: install ok installed\n\nPackage: pve-kernel-6.2\nStatus: hold ok unpacked\n\n" +
		"Package: proxmox-kernel-6.8.12-1-pve-signed\nStatus: deinstall ok config-files\n\nPackage: proxmox-kernel-6.8.12-5-pve-dbg\nStatus: install ok installed\n\n" +
		"Package: proxmox-kernel-helper\nStatus: install ok installed\n"
	got, err := InstalledKernels(bytes.NewReader([]byte(in)))
	if err != nil || !slices.Equal(got, []string{"6.8.12-5-pve", "6.2"}) {
		t.Errorf("got %q %v", got, err)
	}
}

func FuzzParseCmdline(f *testing.F) {
	f.Add(`root=ZFS=rpool/ROOT/pve-1 boot=zfs console="ttyS0 x"`)
	f.Add("a\nb")
	f.Fuzz(func(t *testing.T, s string) {
		opts, err := ParseCmdline(s)
		if err != nil {
			return
		}
		again, err := ParseCmdline(JoinCmdline(opts))
		if err != nil || !slices.Equal(again, opts) {
			t.Fatalf("%q: %q then %q %v", s, opts, again, err)
		}
		text := SetGrubCmdlineDefault("GRUB_DEFAULT=0\n", JoinCmdline(opts))
		if def, _ := GrubCmdline(text); def != JoinCmdline(opts) {
			t.Fatalf("%q: grub round trip gave %q", s, def)
		}
	})
}

func FuzzGrubCmdline(f *testing.F) {
	f.Add("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
	f.Add("GRUB_CMDLINE_LINUX_DEFAULT='a b' # c\nGRUB_CMDLINE_LINUX=x\n")
	f.Fuzz(func(t *testing.T, s string) {
		GrubCmdline(s)
		out := SetGrubCmdlineDefault(s, "quiet")
		if def, _ := GrubCmdline(out); def != "quiet" {
			t.Fatalf("%q: set then read gave %q", s, def)
		}
	})
}

// TestUnpinNothingRunsNothing: on a GRUB node without pins, unpin changes
// nothing and runs no update-grub (the API's parameterless DELETE).
func TestUnpinNothingRunsNothing(t *testing.T) {
	root := newRoot(t, false)
	rec := host.NewRecorder()
	s := New(Config{Root: root, Runner: rec})
	if err := s.Unpin(t.Context(), false, Out{}); err != nil {
		t.Fatal(err)
	}
	if calls := rec.Calls(); len(calls) != 0 {
		t.Errorf("ran %q", calls)
	}
	rec.On([]string{"update-grub"}, host.Reply{})
	write(t, root.Dir(), NextBootPin, "6.5.13-6-pve\n")
	if err := s.Unpin(t.Context(), true, Out{}); err != nil {
		t.Fatal(err)
	}
	if calls := rec.Calls(); len(calls) != 1 || calls[0] != "update-grub" {
		t.Errorf("ran %q", calls)
	}
}

// TestStatusWaitsForAChange: while a change holds the boot lock, a status
// look does not mount the ESP over it but reports it busy.
func TestStatusWaitsForAChange(t *testing.T) {
	root := newRoot(t, true)
	write(t, root.Dir(), ESPList, "ABCD-1234\n")
	write(t, root.Dir(), "/dev/disk/by-uuid/ABCD-1234", "")
	rec := host.NewRecorder()
	s := New(Config{Root: root, Runner: rec})
	unlock, err := s.lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	st := s.espStatus(t.Context(), "ABCD-1234")
	if st.State != "busy" || len(rec.Calls()) != 0 {
		t.Errorf("status during a change: %+v, ran %q", st, rec.Calls())
	}
	if got := s.Loader(t.Context()); got != SystemdBoot {
		t.Errorf("loader during a change: %s", got)
	}
}
