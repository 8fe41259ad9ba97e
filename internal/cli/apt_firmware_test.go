package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestAptFirmwareComponent previews the firmware component, refuses a
// wrong digest without writing, then enables it with the preview's digest.
func TestAptFirmwareComponent(t *testing.T) {
	list := "deb http://deb.debian.org/debian bookworm main contrib\n"
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "etc/apt/sources.list.d"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/apt/sources.list"), []byte(list), 0o644)
		os.WriteFile(filepath.Join(root, "etc/os-release"), []byte("ID=debian\nVERSION_CODENAME=bookworm\n"), 0o644)
	}})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	apt := func(args ...string) (int, string, string) {
		return run(t, "", append(append([]string{"hostadm", "apt"}, args...), flags...)...)
	}
	code, out, errOut := apt("firmware-component")
	if code != 0 || !strings.Contains(out, "/etc/apt/sources.list entry 0 (bookworm): main contrib -> main contrib non-free-firmware") ||
		!strings.Contains(out, "+deb http://deb.debian.org/debian bookworm main contrib non-free-firmware\n") {
		t.Fatalf("preview: %d %s %s", code, out, errOut)
	}
	digest := regexp.MustCompile(`firmware-component enable ([0-9a-f]+)`).FindStringSubmatch(out)
	if digest == nil {
		t.Fatalf("no digest in %s", out)
	}
	if code, _, errOut := apt("firmware-component", "enable", strings.Repeat("1", len(digest[1]))); code == 0 || !strings.Contains(errOut, "file changed by other user") {
		t.Errorf("wrong digest: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/apt/sources.list")); string(b) != list {
		t.Fatalf("wrong digest wrote: %s", b)
	}
	if code, out, errOut := apt("firmware-component", "enable", digest[1]); code != 0 || !strings.Contains(out, "written") {
		t.Fatalf("enable: %d %s %s", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/apt/sources.list")); !strings.Contains(string(b), "main contrib non-free-firmware") {
		t.Errorf("file after enable: %s", b)
	}
	if code, out, _ := apt("firmware"); code != 0 || !strings.Contains(out, "fwupd is not installed") {
		t.Errorf("firmware without fwupd: %d %s", code, out)
	}
	if code, _, errOut := apt("firmware", "update"); code == 0 || !strings.Contains(errOut, "fwupd is not installed") {
		t.Errorf("firmware update without fwupd: %d %s", code, errOut)
	}
}
