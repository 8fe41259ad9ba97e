package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bootToolRoot(t *testing.T) string {
	dir := t.TempDir()
	for p, c := range map[string]string{
		"var/lib/dpkg/status": "Package: proxmox-kernel-6.8.12-5-pve-signed\nStatus: install ok installed\n\n" +
			"Package: proxmox-kernel-6.5.13-6-pve-signed\nStatus: install ok installed\n\nPackage: proxmox-kernel-6.8\nStatus: install ok installed\n\n" +
			"Package: proxmox-kernel-6.5\nStatus: install ok installed\n",
		"boot/vmlinuz-6.8.12-5-pve": "k", "boot/vmlinuz-6.5.13-6-pve": "k",
		"etc/kernel/proxmox-boot-uuids": "ABCD-1234\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644)
	}
	return dir
}

func bootTool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"/usr/sbin/proxmox-boot-tool"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestBootToolCLI runs the multi-call proxmox-boot-tool on a root whose
// one ESP has no device: messages, streams and exit codes as Proxmox's.
func TestBootToolCLI(t *testing.T) {
	root := bootToolRoot(t)
	for _, tc := range []struct {
		args             []string
		code             int
		stdout, stderrIn string
	}{
		{args: []string{"kernel", "list"}, stdout: "Manually selected kernels:\nNone.\n\nAutomatically selected kernels:\n6.5.13-6-pve\n6.8.12-5-pve\n"},
		{args: []string{"kernel", "pin", "6.9.1-1-pve"}, code: 1, stderrIn: "E: no kernel image found in /boot for '6.9.1-1-pve', not setting default.\n\nPossible Proxmox kernel versions are:\n6.5.13-6-pve\n6.8.12-5-pve\n"},
		{args: []string{"kernel", "pin", "6.5.13-6-pve", "--next-boot"}, stdout: "Set kernel '6.5.13-6-pve' in /etc/kernel/next-boot-pin. Use the 'refresh' command to update the ESPs.\nPinned for next boot only.\n"},
		{args: []string{"kernel", "add", "6.5.13-6-pve"}, stdout: "Added kernel '6.5.13-6-pve' to manual kernel list. Use the 'refresh' command to update the ESPs.\n"},
		{args: []string{"kernel", "list"}, stdout: "Manually selected kernels:\n6.5.13-6-pve\n\nAutomatically selected kernels:\n6.8.12-5-pve\n\nKernel pinned on next-boot:\n6.5.13-6-pve\n"},
		{args: []string{"kernel", "frob"}, code: 1, stderrIn: "E: invalid 'kernel' subcommand 'frob'."},
		{args: []string{"refresh", "--hook", "bogus"}, code: 1, stderrIn: "E: 'bogus' is not a valid hook script name."},
		{args: []string{"status"}, stdout: "System currently booted with legacy bios\n", stderrIn: "WARN: /dev/disk/by-uuid/ABCD-1234 does not exist - clean '/etc/kernel/proxmox-boot-uuids'! - skipping"},
		{args: []string{"format"}, code: 1, stderrIn: "E: <partition> is mandatory.\n\n  proxmox-boot-tool format <partition> [--force]\n"},
		{args: []string{"format", "/dev/nonexistent"}, code: 1, stderrIn: "E: '/dev/nonexistent' does not exist!"},
		{args: []string{"bogus"}, code: 1, stderrIn: "Invalid/unknown command 'bogus'."},
	} {
		code, out, errs := bootTool(t, append([]string{"--root", root}, tc.args...)...)
		if code != tc.code || out != tc.stdout || !strings.Contains(errs, tc.stderrIn) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errs)
		}
	}
	os.Remove(filepath.Join(root, "etc/kernel/proxmox-boot-uuids"))
	if code, out, errs := bootTool(t, "--root", root, "status"); code != 2 || out != "" || errs != "E: /etc/kernel/proxmox-boot-uuids does not exist.\n" {
		t.Errorf("status without ESPs: %d %q %q", code, out, errs)
	}
	if code, _, errs := bootTool(t, "--root", root, "status", "--quiet"); code != 2 || errs != "" {
		t.Errorf("status --quiet: %d %q", code, errs)
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"hostadm", "proxmox-boot-tool", "--help"}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "USAGE: proxmox-boot-tool format <partition> [--force]\n\n    format <partition> as EFI") {
		t.Errorf("help: %d %q", code, out.String())
	}
}

func TestBootToolPrivateMounts(t *testing.T) {
	none := func(string) string { return "" }
	for _, tc := range []struct {
		root string
		args []string
		env  func(string) string
		want bool
	}{
		{"/", []string{"refresh"}, none, true},
		{"/", []string{"init", "/dev/sda2"}, none, true},
		{"/", []string{"status"}, none, true},
		{"/", []string{"status", "--quiet"}, none, false},
		{"/", []string{"kernel", "list"}, none, false},
		{"/", []string{"format", "/dev/sda2"}, none, false},
		{"/tmp/x", []string{"refresh"}, none, false},
		{"/", []string{"refresh"}, func(string) string { return "1" }, false},
	} {
		if got := needsPrivateMounts(tc.root, tc.args, tc.env); got != tc.want {
			t.Errorf("%s %v: %v", tc.root, tc.args, got)
		}
	}
	got := strings.Join(unshareArgv("/usr/bin/unshare", "/usr/bin/hostadm", []string{"refresh", "--hook", "zz-proxmox-boot"}), " ")
	if got != "/usr/bin/unshare --mount --propagation private /usr/bin/hostadm proxmox-boot-tool refresh --hook zz-proxmox-boot" {
		t.Errorf("argv %q", got)
	}
}
