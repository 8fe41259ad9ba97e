package apt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
)

const trixieDeb822 = `# Debian
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.debian.org/debian-security
Suites: trixie-security
Components: main contrib non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`

// TestFirmwarePlanAndEnable previews, refuses a stale digest, then adds
// the component to every Debian entry lacking it (one-line and deb822
// files), leaving other entries and the security entry that has it alone;
// a second run changes nothing.
func TestFirmwarePlanAndEnable(t *testing.T) {
	for _, tc := range []struct {
		name, codename, path, content, comp string
		entries                             int
		wantLine                            string
	}{
		{"bookworm one-line", "bookworm", "/etc/apt/sources.list", bookwormList +
			"deb http://download.proxmox.com/debian/pve bookworm pve-no-subscription\n", "non-free-firmware", 3,
			"deb http://ftp.debian.org/debian bookworm main contrib non-free-firmware\n"},
		{"trixie deb822", "trixie", "/etc/apt/sources.list.d/debian.sources", trixieDeb822, "non-free-firmware", 1,
			"Components: main contrib non-free-firmware\nSigned-By"},
		{"bullseye non-free", "bullseye", "/etc/apt/sources.list", "deb http://deb.debian.org/debian bullseye main\n", "non-free", 1,
			"deb http://deb.debian.org/debian bullseye main non-free\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, dir := newRoot(t, map[string]string{"/etc/os-release": osRel(tc.codename), tc.path: tc.content})
			ctx := context.Background()
			plan, err := svc.FirmwarePlan()
			if err != nil {
				t.Fatal(err)
			}
			if plan.Component != tc.comp || len(plan.Entries) != tc.entries || plan.Enabled != 0 || len(plan.Files) != 1 {
				t.Fatalf("plan %+v", plan)
			}
			if !strings.Contains(plan.Files[0].Diff, "+"+strings.SplitN(tc.wantLine, "\n", 2)[0]+"\n") {
				t.Errorf("diff lacks the new line:\n%s", plan.Files[0].Diff)
			}
			if _, err := svc.EnableFirmware(ctx, strings.Repeat("0", 64), false); !errors.Is(err, host.ErrDigestMismatch) {
				t.Fatalf("stale digest: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, tc.path)); string(b) != tc.content {
				t.Fatalf("stale digest changed the file:\n%s", b)
			}
			dry, err := svc.EnableFirmware(ctx, plan.Digest, true)
			if err != nil || dry.Written != 0 {
				t.Fatalf("dry run %+v %v", dry, err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, tc.path)); string(b) != tc.content {
				t.Fatalf("dry run changed the file")
			}
			done, err := svc.EnableFirmware(ctx, plan.Digest, false)
			if err != nil || done.Written != 1 {
				t.Fatalf("enable %+v %v", done, err)
			}
			b, _ := os.ReadFile(filepath.Join(dir, tc.path))
			if !strings.Contains(string(b), tc.wantLine) || strings.Contains(string(b), "pve-no-subscription non-free") {
				t.Errorf("written file:\n%s", b)
			}
			again, err := svc.FirmwarePlan()
			if err != nil || again.Enabled != 1 || len(again.Entries) != 0 {
				t.Errorf("second plan %+v %v", again, err)
			}
		})
	}
}

// TestFirmwareNoDebianEntry: without a Debian entry nothing can be
// extended; the error says what to add and no file is written.
func TestFirmwareNoDebianEntry(t *testing.T) {
	list := "deb http://download.proxmox.com/debian/pve bookworm pve-no-subscription\n"
	svc, dir := newRoot(t, map[string]string{"/etc/os-release": osRel("bookworm"), "/etc/apt/sources.list": list})
	_, err := svc.EnableFirmware(context.Background(), "", false)
	if !errors.Is(err, ErrNoDebianEntry) || !strings.Contains(err.Error(), "main non-free-firmware") {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "/etc/apt/sources.list")); string(b) != list {
		t.Errorf("file changed: %s", b)
	}
}

// TestFirmwareWarningFix: the repository warning's fix is the endpoint.
func TestFirmwareWarningFix(t *testing.T) {
	svc, _ := newRoot(t, map[string]string{"/etc/os-release": osRel("bookworm"), "/etc/apt/sources.list": bookwormList,
		"/proc/cpuinfo": "processor\t: 0\nvendor_id\t: GenuineIntel\n"})
	l, err := svc.Repositories()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range l.Warnings {
		if w.ID == "firmware-component-missing" {
			if w.Fix.Method != "PUT" || w.Fix.APIPath != "/nodes/{node}/apt/firmware-component" {
				t.Errorf("fix %+v", w.Fix)
			}
			return
		}
	}
	t.Errorf("no firmware warning in %+v", l.Warnings)
}

func TestParseMadisonAndSelection(t *testing.T) {
	out := " intel-microcode | 3.20250211.1 | http://127.0.0.1:4000 bookworm/main amd64 Packages\n" +
		" intel-microcode | 3.20240910.1 | http://127.0.0.1:4000 bookworm/main amd64 Packages\n" +
		" intel-microcode | 3.20240910.1 | http://mirror bookworm/main amd64 Packages\n" +
		"other | 1 | x\n"
	got := parseMadison([]byte(out), "intel-microcode")
	if strings.Join(got, ",") != "3.20250211.1,3.20240910.1" {
		t.Errorf("madison %q", got)
	}
	st := "Package: a\nStatus: install ok installed\n\nPackage: intel-microcode\nStatus: hold ok installed\nVersion: 1\n"
	if selection([]byte(st), "intel-microcode") != "hold" || selection([]byte(st), "a") != "install" || selection([]byte(st), "b") != "" {
		t.Error("selection")
	}
}
