package network

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/host"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files")

const pinFile = `auto lo
iface lo inet loopback

iface eno1 inet manual

iface enp3s0 inet manual

iface nic0 inet manual

auto bond0
iface bond0 inet manual
	bond-slaves eno1 enp3s0
	bond-miimon 100
	bond-mode active-backup
	bond-primary eno1

auto vmbr0
iface vmbr0 inet static
	address 192.0.2.2/24
	gateway 192.0.2.1
	bridge-ports bond0
	bridge-stp off
	bridge-fd 0

auto eno1.10
iface eno1.10 inet static
	address 10.10.0.2/24

auto nic0.20
iface nic0.20 inet static
	address 10.20.0.2/24
`

// pinRoot is a host root with four NICs in sysfs: eno1, enp3s0, eno2
// (pinned earlier as nic0, not rebooted yet) and an SR-IOV virtual
// function, which is never pinned.
func pinRoot(t *testing.T) (*Service, string) {
	t.Helper()
	root := t.TempDir()
	write := func(p, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var dev strings.Builder
	dev.WriteString("Inter-|   Receive\n face |bytes\n")
	for name, mac := range map[string]string{"eno1": "BC:24:11:00:00:01", "enp3s0": "bc:24:11:00:00:03", "eno2": "bc:24:11:00:00:02", "enp3s0v0": "bc:24:11:00:00:04"} {
		dev.WriteString("  " + name + ": 0 0\n")
		os.MkdirAll(filepath.Join(root, "sys/class/net", name, "device"), 0o755)
		write("sys/class/net/"+name+"/address", mac+"\n")
	}
	os.Symlink("../../0000:03:00.0", filepath.Join(root, "sys/class/net/enp3s0v0/device/physfn"))
	write("proc/net/dev", dev.String())
	write(LinkDir+"/50-pve-nic0.link", "[Match]\nMACAddress=bc:24:11:00:00:02\nType=ether\n\n[Link]\nName=nic0\n")
	write(LivePath, pinFile)
	r, _ := host.NewRoot(root)
	return New(Config{Root: r}), root
}

func TestPin(t *testing.T) {
	svc, root := pinRoot(t)
	want := []PinResult{
		{Iface: "eno1", Name: "nic1", MAC: "bc:24:11:00:00:01", File: LinkDir + "/50-pve-nic1.link"},
		{Iface: "enp3s0", Name: "nic2", MAC: "bc:24:11:00:00:03", File: LinkDir + "/50-pve-nic2.link"},
	}
	got, err := svc.Pin(context.Background(), PinOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(root, StagedPath)); !os.IsNotExist(err) {
		t.Error("dry run staged a file")
	}
	if _, err := os.Stat(filepath.Join(root, LinkDir, "50-pve-nic1.link")); !os.IsNotExist(err) {
		t.Error("dry run wrote a link file")
	}

	for _, c := range []struct{ iface, msg string }{
		{"eno2", "There already exists a pin for NIC 'eno2' - aborting."},
		{"eth7", "Could not find link with name 'eth7'"},
	} {
		if _, err := svc.Pin(context.Background(), PinOptions{Interface: c.iface}); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("pin %s: %v", c.iface, err)
		}
	}

	if got, err = svc.Pin(context.Background(), PinOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pin (-want +got):\n%s", diff)
	}
	b, _ := os.ReadFile(filepath.Join(root, LinkDir, "50-pve-nic2.link"))
	if string(b) != "[Match]\nMACAddress=bc:24:11:00:00:03\nType=ether\n\n[Link]\nName=nic2\n" {
		t.Errorf("link file:\n%s", b)
	}
	staged, _ := os.ReadFile(filepath.Join(root, StagedPath))
	golden := filepath.Join("testdata", "pin-interfaces.golden")
	if *updateGolden {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, staged, 0o644)
	}
	if want, _ := os.ReadFile(golden); string(want) != string(staged) {
		t.Errorf("staged file:\n%s", staged)
	}
	// everything is pinned now
	if got, err = svc.Pin(context.Background(), PinOptions{}); err != nil || len(got) != 0 {
		t.Errorf("second pin: %v %v", got, err)
	}
}

// TestExistsNull: a VLAN or alias on a parent without `exists` (a bridge)
// copies the missing value, and Proxmox's API shows it as null; on a NIC
// the kernel does not know it is 0.
func TestExistsNull(t *testing.T) {
	cfg := parse(t, "auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports none\n\nauto vmbr0.10\niface vmbr0.10 inet manual\n\nauto eno7.5\niface eno7.5 inet manual\n")
	m := IfaceJSON("vmbr0.10", cfg.Ifaces["vmbr0.10"])
	if v, ok := m["exists"]; !ok || v != nil {
		t.Errorf("vmbr0.10 exists = %v (present %v), want null", v, ok)
	}
	if v := IfaceJSON("eno7.5", cfg.Ifaces["eno7.5"])["exists"]; v != 0 {
		t.Errorf("eno7.5 exists = %v, want 0", v)
	}
	if _, ok := IfaceJSON("vmbr0", cfg.Ifaces["vmbr0"])["exists"]; ok {
		t.Error("vmbr0 has exists")
	}
}

// TestPinRefusesTakenNames: a new name already used by an interface of the
// file or the kernel, as the base of one, or by a .link file, is refused
// (dry run included) and nothing is written: the rename used to overwrite
// the file's vmbr0 with the NIC (or not, depending on map order) after
// the .link files were already in place.
func TestPinRefusesTakenNames(t *testing.T) {
	cases := []struct {
		name, prefix, kernel, link, err string
	}{
		{"bridge in the file", "vmbr", "", "",
			"interface name 'vmbr0' for 'eno1' is already in use in the network configuration - aborting."},
		{"bond in the file", "bond", "", "",
			"interface name 'bond0' for 'eno1' is already in use in the network configuration - aborting."},
		{"kernel link", "tap", "tap0", "",
			"interface name 'tap0' for 'eno1' is already in use in the kernel - aborting."},
		{"base of a kernel vlan", "lan", "lan1.7", "",
			"interface name 'lan1' for 'enp3s0' is already in use in the kernel - aborting."},
		{"stray link file", "x", "", "50-pve-x0.link",
			"interface name 'x0' for 'eno1' already has a link file '" + LinkDir + "/50-pve-x0.link' - aborting."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, root := pinRoot(t)
			if c.kernel != "" {
				f, _ := os.OpenFile(filepath.Join(root, "proc/net/dev"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString("  " + c.kernel + ": 0 0\n")
				f.Close()
			}
			if c.link != "" {
				os.WriteFile(filepath.Join(root, LinkDir, c.link), []byte("garbage\n"), 0o644)
			}
			links := func() []string {
				l, _ := filepath.Glob(filepath.Join(root, LinkDir, "*.link"))
				return l
			}
			before := links()
			for _, dry := range []bool{true, false} {
				_, err := svc.Pin(context.Background(), PinOptions{Prefix: c.prefix, DryRun: dry})
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("dry-run=%v: got %q, want %q", dry, errString(err), c.err)
				}
			}
			if diff := cmp.Diff(before, links()); diff != "" {
				t.Errorf("link files changed:\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(root, StagedPath)); !os.IsNotExist(err) {
				t.Error("a staged file was written")
			}
		})
	}
}

// TestPinWritesLinksLast: when the .link files cannot be written, the
// staged file is put back as it was (or removed), and link files written
// before the failure are removed.
func TestPinWritesLinksLast(t *testing.T) {
	for _, staged := range []string{"", pinFile + "\n#staged before\n"} {
		t.Run(map[bool]string{true: "nothing staged", false: "staged before"}[staged == ""], func(t *testing.T) {
			svc, root := pinRoot(t)
			if staged != "" {
				os.WriteFile(filepath.Join(root, StagedPath), []byte(staged), 0o644)
			}
			// the link directory is a file: no .link file can be written
			os.RemoveAll(filepath.Join(root, LinkDir))
			os.WriteFile(filepath.Join(root, LinkDir), nil, 0o644)
			if _, err := svc.Pin(context.Background(), PinOptions{}); err == nil {
				t.Fatal("pin succeeded")
			}
			b, err := os.ReadFile(filepath.Join(root, StagedPath))
			if staged == "" && !os.IsNotExist(err) {
				t.Errorf("staged file left behind: %q", b)
			}
			if staged != "" && string(b) != staged {
				t.Errorf("staged file now:\n%s", b)
			}
		})
	}
	t.Run("written links removed", func(t *testing.T) {
		svc, root := pinRoot(t)
		err := svc.writePins(context.Background(), []PinResult{
			{Iface: "eno1", Name: "nic1", MAC: "bc:24:11:00:00:01", File: LinkDir + "/50-pve-nic1.link"},
			{Iface: "enp3s0", Name: "nic2", MAC: "not-a-mac", File: LinkDir + "/50-pve-nic2.link"},
		})
		if err == nil {
			t.Fatal("accepted a bad MAC")
		}
		if _, err := os.Stat(filepath.Join(root, LinkDir, "50-pve-nic1.link")); !os.IsNotExist(err) {
			t.Error("the first link file was left behind")
		}
	})
}
