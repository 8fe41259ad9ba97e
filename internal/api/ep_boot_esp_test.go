package api_test

import (
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/boot"
	"hostadm/internal/boot/boottest"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

// TestBootRefreshOnRealESP: a real vfat ESP on the test's loop device,
// initialised for systemd-boot; the refresh task's log says per ESP what
// was copied and removed, and the next-boot pin reaches loader.conf.
func TestBootRefreshOnRealESP(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(dir string) { boottest.Populate(t, dir, true) }})
	svc := env.Server.Node().Services
	d := boottest.NewDisk(t, svc.Root)
	rec := host.NewRecorder()
	rec.Fallback = boottest.RealOnly{T: t}
	rec.On([]string{"udevadm", "settle", "--timeout=5"}, host.Reply{})
	b := boot.New(boot.Config{Root: svc.Root, Runner: rec})
	svc.Boot = b
	if err := b.Format(t.Context(), d.P3, false, boot.Out{}); err != nil {
		t.Fatal(err)
	}
	uuid := boottest.UdevLink(t, svc.Root, d.P3)
	rec.On([]string{"bootctl", "--graceful", "--path", svc.Root.Path(boot.MountRoot + "/" + uuid), "install"}, host.Reply{})
	if err := b.Init(t.Context(), d.P3, "systemd-boot", boot.Out{}); err != nil {
		t.Fatal(err)
	}
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/boot"
	if err := b.AddKernel(t.Context(), "6.8.8-2-pve", boot.Out{}); err != nil {
		t.Fatal(err)
	}
	env.MustOK(root, "PUT", base+"/pin", url.Values{"version": {"6.8.8-2-pve"}, "next-boot": {"1"}})
	upid := env.MustOK(root, "POST", base+"/refresh", nil).Data.(string)
	status, log := waitTask(t, env, upid)
	want := "ESP " + uuid + " (systemd-boot): copied 6.2.16-20-pve, 6.5.13-6-pve, 6.8.12-4-pve, 6.8.12-5-pve, 6.8.8-2-pve; removed none"
	if status != "OK" || !strings.Contains(log, want) || !strings.Contains(log, "Copying kernel and creating boot-entry for 6.8.8-2-pve") {
		t.Fatalf("refresh %s:\n%s\nwant %q", status, log, want)
	}
	if conf := boottest.ESPFiles(t, svc.Root, d.P3)["loader/loader.conf"]; conf != "timeout 3\ndefault proxmox-6.8.8-2-pve.conf\n" {
		t.Errorf("loader.conf %q", conf)
	}
	env.MustOK(root, "DELETE", base+"/pin", url.Values{"next-boot": {"1"}})
	if err := b.RemoveKernel(t.Context(), "6.8.8-2-pve", boot.Out{}); err != nil {
		t.Fatal(err)
	}
	upid = env.MustOK(root, "POST", base+"/refresh", url.Values{"hook": {"zz-proxmox-boot"}}).Data.(string)
	status, log = waitTask(t, env, upid)
	if status != "OK" || !strings.Contains(log, "; removed 6.8.8-2-pve") {
		t.Errorf("second refresh %s:\n%s", status, log)
	}
	ov := env.MustOK(root, "GET", base, nil).Data.(map[string]any)
	esps := ov["esps"].([]any)
	if ov["loader"] != "systemd-boot" || len(esps) != 1 || esps[0].(map[string]any)["state"] != "ok" || len(esps[0].(map[string]any)["versions"].([]any)) != 4 {
		t.Errorf("overview: %v", ov)
	}
}
