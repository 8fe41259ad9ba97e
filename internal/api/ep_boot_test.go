package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

// bootRoot writes a legacy BIOS GRUB node without ESPs: two kernels, a
// dpkg database and /etc/default/grub.
func bootRoot(root string) {
	files := map[string]string{
		"var/lib/dpkg/status": "Package: proxmox-kernel-6.8.12-5-pve-signed\nStatus: install ok installed\n\n" +
			"Package: proxmox-kernel-6.8.12-4-pve-signed\nStatus: install ok installed\n\nPackage: proxmox-kernel-6.8\nStatus: install ok installed\n",
		"boot/vmlinuz-6.8.12-5-pve": "k5", "boot/initrd.img-6.8.12-5-pve": "i5",
		"boot/vmlinuz-6.8.12-4-pve": "k4", "boot/initrd.img-6.8.12-4-pve": "i4",
		"proc/sys/kernel/osrelease": "6.8.12-4-pve\n",
		"proc/cmdline":              "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet\n",
		"etc/default/grub":          "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n",
		"boot/grub/grub.cfg":        "submenu 'Advanced options' $menuentry_id_option 'gnulinux-advanced-abcd' {\n",
	}
	for p, c := range files {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(c), 0o644)
	}
}

func TestBootEndpoints(t *testing.T) {
	rec := host.NewRecorder()
	rec.On([]string{"update-grub"}, host.Reply{Stderr: "Generating grub configuration file ...\ndone\n"})
	env := daemontest.Start(t, daemontest.Options{Prepare: bootRoot, Runner: rec})
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/boot"

	ov := env.MustOK(root, "GET", base, nil).Data.(map[string]any)
	if ov["mode"] != "legacy" || ov["loader"] != "grub" || ov["esp-list"] != false {
		t.Errorf("overview: %v", ov)
	}
	ks := ov["kernels"].([]any)
	if len(ks) != 2 || ks[0].(map[string]any)["version"] != "6.8.12-5-pve" || ks[1].(map[string]any)["running"] != true {
		t.Errorf("kernels: %v", ks)
	}

	// Bad input: 400 with the parameter named, nothing written.
	grubBefore, _ := os.ReadFile(filepath.Join(env.Root, "etc/default/grub"))
	r := env.Do(root, "PUT", base+"/pin", url.Values{"version": {"6.9.9-1-pve"}})
	if r.Status != 400 || !strings.Contains(r.Errors["version"], "no kernel image found in /boot for '6.9.9-1-pve'") {
		t.Errorf("pin unknown kernel: %d %v", r.Status, r.Errors)
	}
	for _, bad := range []string{"quiet\nsplash", `quiet console="ttyS0`, "quiet acpi='off'"} {
		r := env.Do(root, "PUT", base+"/cmdline", url.Values{"cmdline": {bad}})
		if r.Status != 400 || r.Errors["cmdline"] == "" {
			t.Errorf("cmdline %q: %d %v", bad, r.Status, r.Errors)
		}
	}
	r = env.Do(root, "PUT", base+"/cmdline", url.Values{"cmdline": {"quiet"}, "digest": {"0123456789abcdef0123456789abcdef01234567"}})
	if r.Status == 200 {
		t.Error("stale digest accepted")
	}
	if after, _ := os.ReadFile(filepath.Join(env.Root, "etc/default/grub")); string(after) != string(grubBefore) {
		t.Errorf("bad input changed /etc/default/grub:\n%s", after)
	}

	// Pin for the next boot: a GRUB node without ESPs runs update-grub at once.
	env.MustOK(root, "PUT", base+"/pin", url.Values{"version": {"6.8.12-4-pve"}, "next-boot": {"1"}})
	snippet, _ := os.ReadFile(filepath.Join(env.Root, "etc/default/grub.d/proxmox-kernel-pin.cfg"))
	if string(snippet) != "GRUB_DEFAULT=\"gnulinux-advanced-abcd>gnulinux-6.8.12-4-pve-advanced-abcd\"\n" {
		t.Errorf("pin snippet %q", snippet)
	}
	env.MustOK(root, "DELETE", base+"/pin", url.Values{"next-boot": {"1"}})
	if _, err := os.Stat(filepath.Join(env.Root, "etc/kernel/next-boot-pin")); err == nil {
		t.Error("next-boot pin still there")
	}

	// The command line: GRUB_CMDLINE_LINUX_DEFAULT, then update-grub in a task.
	c := env.MustOK(root, "GET", base+"/cmdline", nil).Data.(map[string]any)
	if c["loader"] != "grub" || c["cmdline"] != "quiet" {
		t.Fatalf("cmdline: %v", c)
	}
	upid := env.MustOK(root, "PUT", base+"/cmdline", url.Values{"cmdline": {"quiet dis_ucode_ldr"}, "digest": {c["digest"].(string)}}).Data.(string)
	status, log := waitTask(t, env, upid)
	if status != "OK" || !strings.Contains(log, "Running update-grub..") || !strings.Contains(log, "Generating grub configuration file") {
		t.Errorf("task %s:\n%s", status, log)
	}
	after, _ := os.ReadFile(filepath.Join(env.Root, "etc/default/grub"))
	if string(after) != "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet dis_ucode_ldr\"\nGRUB_CMDLINE_LINUX=\"\"\n" {
		t.Errorf("/etc/default/grub:\n%s", after)
	}
	// A refresh without ESPs says so in its log.
	upid = env.MustOK(root, "POST", base+"/refresh", nil).Data.(string)
	if status, log := waitTask(t, env, upid); status != "OK" || !strings.Contains(log, "No /etc/kernel/proxmox-boot-uuids found, skipping ESP sync.") {
		t.Errorf("refresh %s:\n%s", status, log)
	}
}
