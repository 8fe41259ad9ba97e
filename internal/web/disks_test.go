package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/host"
)

// vgsOut is VGArgs' output for a VG "data" over two PVs, in the shape
// internal/disks/lvm's TestParseVGs uses (see its testdata/README.md).
const vgsOut = "  data:2000397795328:1800397795328:2:/dev/sdb:1000198897664:900198897664\n" +
	"  data:2000397795328:1800397795328:2:/dev/sdc:1000198897664:900198897664\n"

// TestBrowserDiskStoragesAndARC covers the Disks page's storage tabs — LVM
// volume groups, LVM thin pools, directories and BTRFS listed from the
// API, and a volume group destroyed after typing its name with the disks
// cleanup turned off (the recorded commands must be exactly vgremove) —
// and the ZFS ARC page: the recommendation, the API's per-field errors for
// a maximum under 64 MiB and a minimum not under the maximum, the note that
// the minimum moves along, and the task with update-initramfs (root is on
// ZFS here).
func TestBrowserDiskStoragesAndARC(t *testing.T) {
	b := newBrowser(t)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		daemontest.WriteFile(t, root, "proc/mounts", "rpool/ROOT/pve-1 / zfs rw,relatime,xattr,noacl 0 0\n")
		disktest.FakeDisks(t, root, "sdb", "sdc", "sdd")
		daemontest.WriteFile(t, root, "usr/sbin/zpool", "")
		daemontest.WriteFile(t, root, "etc/systemd/system/mnt-pve-backup.mount",
			"[Unit]\nDescription=Mount storage 'backup' under /mnt/pve\n\n[Mount]\nWhat=/dev/disk/by-uuid/5b1f7c2e-0d6a-4c1e-9f3e-2a7d1b9c0e11\nWhere=/mnt/pve/backup\nType=ext4\nOptions=defaults\n\n[Install]\nWantedBy=multi-user.target\n")
		daemontest.WriteFile(t, root, "etc/fstab", "# <file system> <mount point> <type> <options> <dump> <pass>\n"+
			"UUID=8f1e9d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f /mnt/pve/tank btrfs defaults,compress=zstd 0 0\n")
		daemontest.WriteFile(t, root, "proc/spl/kstat/zfs/arcstats", "13 1 0x01 147 39984 1234 5678\nname                            type data\n"+
			"hits                            4    123456\nsize                            4    1610612736\nc                               4    2147483648\n"+
			"c_min                           4    789890688\nc_max                           4    12638251008\n")
		daemontest.WriteFile(t, root, "sys/module/zfs/parameters/zfs_arc_max", "0\n")
		daemontest.WriteFile(t, root, "sys/module/zfs/parameters/zfs_arc_min", "0\n")
	}})
	rec := disktest.QuietRecorder()
	rec.On(lvm.VGArgs, host.Reply{Stdout: vgsOut})
	rec.On(lvm.ThinArgs, host.Reply{Stdout: disktest.Testdata(t, "lvm", "lvs-thin.json")})
	rec.On([]string{"vgremove", "-y", "data"}, host.Reply{Stdout: "  Volume group \"data\" successfully removed\n"})
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"}, host.Reply{Stdout: disktest.Testdata(t, "zfs", "list-HpPLo.txt")})
	rec.On([]string{"update-initramfs", "-u", "-k", "all"}, host.Reply{Stdout: "update-initramfs: Generating /boot/initrd.img-6.8.12-4-pve\n"})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	loginAdmin(b, env)

	// The storage tabs list what exists.
	b.do("lvm", chromedp.Navigate(env.URL+"/#/disks/lvm"))
	b.waitFor("vg listed", `!!document.querySelector('[data-testid=lvm-list] tr[data-name=data]') && document.querySelector('[data-testid=lvm-list]').textContent.includes('/dev/sdc')`)
	b.shot("disks-10-lvm")
	b.do("lvmthin", chromedp.Navigate(env.URL+"/#/disks/lvmthin"))
	b.waitFor("thin pools listed", `!!document.querySelector('[data-testid=lvmthin-list] tr[data-name=data]') && !!document.querySelector('[data-testid=lvmthin-list] tr[data-name=fast]')`)
	b.shot("disks-11-lvmthin")
	b.do("directory", chromedp.Navigate(env.URL+"/#/disks/directory"))
	b.waitFor("directory listed", `document.querySelector('[data-testid=directory-list] tr[data-name=backup]')?.textContent.includes('/mnt/pve/backup')`)
	b.shot("disks-12-directory")
	b.do("btrfs", chromedp.Navigate(env.URL+"/#/disks/btrfs"))
	b.waitFor("btrfs listed", `document.querySelector('[data-testid=btrfs-list] tr[data-name=tank]')?.textContent.includes('zstd')`)
	b.shot("disks-13-btrfs")

	// Destroying the volume group asks with its name, typed, and offers the cleanups.
	b.do("lvm again", chromedp.Navigate(env.URL+"/#/disks/lvm"))
	b.clickText("[data-testid=lvm-list] tr[data-name=data] button", "Destroy")
	b.waitFor("asks with the name", `document.querySelector('.dialog .object-name')?.textContent === 'data' && document.querySelector('.dialog button.danger').disabled`)
	b.waitFor("untick wipe", `(() => { const c = document.querySelector('.dialog input[name=cleanup-disks]'); if (c.checked) c.click(); return !c.checked && document.querySelector('.dialog input[name=cleanup-config]').checked; })()`)
	b.fill("confirm-name", "data")
	b.shot("disks-14-lvm-destroy")
	b.clickText(".dialog button", "Destroy")
	b.waitFor("vgremove task done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK'`)
	calls := strings.Join(rec.Calls(), "\n")
	if !strings.Contains(calls, "vgremove -y data") || strings.Contains(calls, "wipefs") {
		t.Errorf("destroy ran:\n%s", calls)
	}
	b.clickText(".dialog button", "×")

	// ZFS ARC.
	b.do("arc", chromedp.Navigate(env.URL+"/#/disks/arc"))
	b.waitFor("recommendation", `document.querySelector('[data-testid=arc-recommended]')?.textContent === '2.4 GiB' && document.querySelector('[data-testid=arc-initramfs]').textContent.includes('update-initramfs -u -k all')`)
	b.shot("disks-20-arc")
	b.fill("max", "32M")
	b.clickText("button", "Set limits")
	b.waitFor("max error from the API", `document.querySelector('.has-error input[name=max]') && /67108864/.test(document.querySelector('.has-error .field-error')?.textContent)`)
	b.shot("disks-21-arc-max-error")
	b.fill("max", "2G")
	b.fill("min", "3G")
	b.clickText("button", "Set limits")
	b.waitFor("min error from the API", `document.querySelector('.has-error input[name=min]')?.closest('.field').querySelector('.field-error').textContent === 'zfs_arc_min must be less than zfs_arc_max'`)
	b.fill("min", "")
	b.fill("max", "512M")
	b.waitFor("min moves along", `document.querySelector('[data-testid=arc-min-note]')?.textContent.includes('536870911 bytes')`)
	b.shot("disks-22-arc-min-note")
	b.clickText("button", "Set limits")
	b.waitFor("arc task done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK' && document.querySelector('.task-log').textContent.includes('update-initramfs')`)
	b.do("settle", chromedp.Sleep(300*time.Millisecond))
	b.shot("disks-23-arc-task")
	conf, err := os.ReadFile(filepath.Join(env.Root, "etc/modprobe.d/zfs.conf"))
	if err != nil || !strings.Contains(string(conf), "zfs_arc_max=536870912") || !strings.Contains(string(conf), "zfs_arc_min=536870911") {
		t.Errorf("zfs.conf %q, %v", conf, err)
	}
	if !strings.Contains(strings.Join(rec.Calls(), "\n"), "update-initramfs -u -k all") {
		t.Errorf("update-initramfs did not run:\n%s", strings.Join(rec.Calls(), "\n"))
	}
	b.clickText(".dialog button", "×")
	b.waitFor("limits shown after the task", `document.querySelector('[data-testid=arc-param-max]')?.textContent.includes('512 MiB') && document.querySelector('[data-testid=arc-conf]').textContent === 'max 512 MiB (536870912 bytes), min 512 MiB (536870911 bytes)'`)
	b.shot("disks-24-arc-after")
	b.checkPageErrors()
}
