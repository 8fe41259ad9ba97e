package web_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/network"
)

// testNetNS makes a network namespace owned by the test, with lo up and a
// veth named eth0 (the NIC the bridges take as their port), and deletes it
// by its name afterwards.
func testNetNS(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2 for a network namespace")
	}
	b := make([]byte, 4)
	rand.Read(b)
	ns := "hostadm-w-" + hex.EncodeToString(b)
	run := func(argv ...string) {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
		}
	}
	run("ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	run("ip", "-n", ns, "link", "set", "lo", "up")
	run("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peth0")
	return ns
}

// nsAddrs is `ip -brief addr show dev` inside the namespace ("" when the link does not exist).
func nsAddrs(ns, dev string) string {
	out, err := exec.Command("ip", "-n", ns, "-brief", "addr", "show", "dev", dev).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// TestBrowserNetworkRollback applies staged network changes through the UI
// with a rollback timeout, against the daemon's real native applier working
// in a network namespace the test made: the first apply is confirmed in the
// countdown and stays; the second is left alone and the UI shows that it
// was rolled back — and the kernel agrees both times.
func TestBrowserNetworkRollback(t *testing.T) {
	ns := testNetNS(t)
	b := newBrowser(t)
	// The daemon applies with the native (netlink) applier inside the
	// test's namespace. It must be the daemon's own network service: its
	// rollback watcher takes over any pending rollback, so a second
	// service would race it for the restore.
	env := daemontest.Start(t, daemontest.Options{
		Prepare: func(root string) {
			daemontest.WriteFile(t, root, "etc/network/interfaces", "auto lo\niface lo inet loopback\n\niface eth0 inet manual\n")
			if err := os.MkdirAll(filepath.Join(root, "sys/class/net/eth0/device"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		Tune: func(c *daemon.Config) { c.NetworkApplier, c.NetworkNetNS = network.ApplierNative, ns },
	})
	svc := env.Server.Node().Services
	loginAdmin(b, env)

	// Apply → countdown → Confirm.
	stageBridge(b, env, "vmbr1", "eth0", "192.0.2.10/24")
	applyWithRollback(b, "30")
	b.waitFor("countdown", `document.querySelector('[data-testid=rollback]')?.dataset.state === 'waiting' && /^0:(2\d|30)$/.test(document.querySelector('[data-testid=rollback-remaining]')?.textContent)`)
	b.do("tick", chromedp.Sleep(1500*time.Millisecond))
	b.shot("net-rollback-01-countdown")
	if a := nsAddrs(ns, "vmbr1"); !strings.Contains(a, "192.0.2.10/24") {
		t.Fatalf("vmbr1 in the namespace after apply: %q", a)
	}
	b.clickText("[data-testid=rollback] button", "Confirm")
	b.waitFor("confirmed", `document.querySelector('[data-testid=rollback]')?.dataset.state === 'confirmed'`)
	b.shot("net-rollback-02-confirmed")
	if err := svc.Network.Confirm(); err == nil {
		t.Errorf("a rollback was still pending after Confirm in the UI")
	}
	b.clickText("[data-testid=rollback] button", "Dismiss")

	// Apply → nobody confirms → rolled back.
	stageBridge(b, env, "vmbr2", "", "198.51.100.10/24")
	applyWithRollback(b, "5")
	b.waitFor("countdown 2", `document.querySelector('[data-testid=rollback]')?.dataset.state === 'waiting'`)
	if a := nsAddrs(ns, "vmbr2"); !strings.Contains(a, "198.51.100.10/24") {
		t.Fatalf("vmbr2 in the namespace after apply: %q", a)
	}
	b.do("wait for the timeout", chromedp.Sleep(5*time.Second))
	b.waitFor("rolled back", `document.querySelector('[data-testid=rollback]')?.dataset.state === 'rolled-back'`)
	b.shot("net-rollback-03-rolled-back")
	svc.Network.WaitRollback()
	// The UI reports the rollback once its task has started; the task may
	// still be restoring the kernel state for a moment.
	for deadline := time.Now().Add(10 * time.Second); nsAddrs(ns, "vmbr2") != "" && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if a := nsAddrs(ns, "vmbr2"); a != "" {
		t.Errorf("vmbr2 is still in the namespace after the rollback: %q", a)
	}
	if a := nsAddrs(ns, "vmbr1"); !strings.Contains(a, "192.0.2.10/24") {
		t.Errorf("the confirmed vmbr1 did not survive the rollback: %q", a)
	}
	live, _ := os.ReadFile(filepath.Join(env.Root, "etc/network/interfaces"))
	if !strings.Contains(string(live), "vmbr1") || strings.Contains(string(live), "vmbr2") {
		t.Errorf("live interfaces file after the rollback:\n%s", live)
	}
	b.clickText("[data-testid=rollback] button", "Rollback task")
	b.waitFor("rollback task log", `document.querySelector('.task-log')?.textContent.includes('no confirmation within')`)
	b.shot("net-rollback-04-rollback-task")
	b.checkPageErrors()
}

// stageBridge creates a bridge through the network page's dialog.
func stageBridge(b *browser, env *daemontest.Env, name, ports, cidr string) {
	b.t.Helper()
	b.do("network", chromedp.Navigate(env.URL+"/#/network"))
	b.clickText("button", "Create")
	b.fill("iface", name)
	if ports != "" {
		b.fill("bridge_ports", ports)
	}
	b.fill("cidr", cidr)
	b.clickText(".dialog button", "Create")
	b.waitFor("staged "+name, `!document.querySelector('.dialog') && document.querySelector('[data-testid=network-diff]')?.textContent.includes('+iface `+name+`')`)
}

// applyWithRollback applies the pending changes with the given timeout.
func applyWithRollback(b *browser, seconds string) {
	b.t.Helper()
	b.clickText("button", "Apply configuration")
	b.fill("rollback-timeout", seconds)
	b.fill("apply-confirm-name", daemontest.Node)
	b.shot("net-rollback-00-apply-" + seconds + "s")
	b.clickText(".dialog button", "Apply")
}
