package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hostadm/internal/boot"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

// TestBrowserBoot: on a GRUB node the Boot page lists the kernels, pins
// one for the next boot (update-grub runs, recorded), and refuses a
// command line with an unbalanced quote next to the field, then saves a
// good one into GRUB_CMDLINE_LINUX_DEFAULT.
func TestBrowserBoot(t *testing.T) {
	requireBuiltUI(t)
	b := newBrowser(t)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		daemontest.WriteFile(t, root, "var/lib/dpkg/status", "Package: proxmox-kernel-6.8.12-5-pve-signed\nStatus: install ok installed\n\n"+
			"Package: proxmox-kernel-6.8.12-4-pve-signed\nStatus: install ok installed\n")
		for _, k := range []string{"6.8.12-5-pve", "6.8.12-4-pve"} {
			daemontest.WriteFile(t, root, "boot/vmlinuz-"+k, "k")
			daemontest.WriteFile(t, root, "boot/initrd.img-"+k, "i")
		}
		daemontest.WriteFile(t, root, "etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
		daemontest.WriteFile(t, root, "proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.8.12-5-pve root=/dev/sda1 quiet\n")
	}})
	rec := host.NewRecorder()
	rec.On([]string{"update-grub"}, host.Reply{Stderr: "Generating grub configuration file ...\ndone\n"})
	svc := env.Server.Node().Services
	svc.Boot = boot.New(boot.Config{Root: svc.Root, Runner: rec})
	loginAdmin(b, env)

	b.do("boot page", chromedp.Navigate(env.URL+"/#/boot"))
	b.waitFor("kernels", `document.querySelectorAll('[data-testid=kernels] tbody tr').length === 2`)
	b.waitFor("pin next boot", `(() => { const r = [...document.querySelectorAll('[data-testid=kernels] tbody tr')].find((r) => r.textContent.includes('6.8.12-4-pve')); const btn = r && [...r.querySelectorAll('button')].find((x) => x.textContent === 'Pin for next boot'); if (btn) btn.click(); return !!btn; })()`)
	b.waitFor("next-boot shown", `document.querySelector('[data-testid=next-boot]').textContent === '6.8.12-4-pve'`)
	b.shot("page-boot")
	if got, _ := os.ReadFile(filepath.Join(env.Root, "etc/kernel/next-boot-pin")); string(got) != "6.8.12-4-pve\n" {
		t.Errorf("next-boot pin %q", got)
	}
	if !strings.Contains(strings.Join(rec.Calls(), "\n"), "update-grub") {
		t.Errorf("update-grub did not run: %q", rec.Calls())
	}
	b.fill("cmdline", `quiet console="ttyS0`)
	b.clickText("button", "Save")
	b.waitFor("field error", `(document.querySelector('.field-error')?.textContent || '').includes('unbalanced double quote')`)
	b.fill("cmdline", "quiet intel_iommu=on")
	b.clickText("button", "Save")
	b.waitFor("saved", `!!document.querySelector('.alert-ok')`)
	if got, _ := os.ReadFile(filepath.Join(env.Root, "etc/default/grub")); string(got) != "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n" {
		t.Errorf("/etc/default/grub:\n%s", got)
	}
	b.checkPageErrors()
}
