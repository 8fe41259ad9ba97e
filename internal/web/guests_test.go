package web_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/guests/gueststest"
)

// TestBrowserGuests drives the VM page with real QEMU VMs: Start all shows
// the order it will use (startup order, then VMID) before it runs and the
// task log after; the VMs show as running; a VM's startup order and the
// node's first-boot delay and ballooning target are edited; Stop all shows
// the reverse order and stops them.
func TestBrowserGuests(t *testing.T) {
	gueststest.NeedQEMU(t)
	b := newBrowser(t)
	env := daemontest.Start(t)
	t.Cleanup(func() { gueststest.KillUnder(env.Root) })
	root := env.RootAuth()
	node := "/nodes/" + daemontest.Node
	for _, v := range []url.Values{
		{"vmid": {"101"}, "name": {"gamma"}, "startup": {"order=3,up=0"}},
		{"vmid": {"102"}, "name": {"alpha"}, "startup": {"order=1,up=0"}},
		{"vmid": {"103"}, "name": {"beta"}, "startup": {"order=2,up=0"}},
	} {
		v.Set("memory", "32")
		v.Set("onboot", "1")
		env.MustOK(root, "POST", node+"/qemu", v)
	}
	loginAdmin(b, env)
	b.do("guests", chromedp.Navigate(env.URL+"/#/guests"))
	b.waitFor("vm rows", `document.querySelectorAll('[data-testid=vm-table] tbody tr').length === 3`)
	b.clickText("button", "Start all")
	b.waitFor("start order shown", `[...document.querySelectorAll('[data-testid=bulk-plan] li strong')].map((e) => e.textContent).join(',') === '102,103,101'`)
	b.shot("guests-01-startall-plan")
	b.waitFor("run", `(() => { const e = document.querySelector('[data-testid=bulk-run]'); if (e) e.click(); return !!e; })()`)
	b.waitFor("startall done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK'`)
	b.waitFor("log lists the starts", `document.body.textContent.includes('Starting VM 102') && document.body.textContent.includes('Starting VM 101')`)
	b.shot("guests-02-startall-task")
	b.clickText(".dialog button", "×")
	b.waitFor("all running", `[...document.querySelectorAll('[data-testid=vm-table] tbody tr .chip')].filter((c) => c.textContent === 'running').length === 3`)
	b.shot("guests-03-running")

	// A VM's startup order.
	b.waitFor("options", `(() => { const e = document.querySelector('[data-testid=vm-101-options]'); if (e) e.click(); return !!e; })()`)
	b.waitFor("options form", `!!document.querySelector('.dialog input[name=order]')`)
	b.fill("order", "0")
	b.waitFor("save", `(() => { const e = document.querySelector('[data-testid=vm-options-save]'); if (e) e.click(); return !!e; })()`)
	b.waitFor("saved", `!document.querySelector('.dialog')`)
	cfg := env.MustOK(root, "GET", node+"/qemu/101/config", nil).Data.(map[string]any)
	if cfg["startup"] != "order=0,up=0" || cfg["onboot"] != float64(1) {
		t.Errorf("VM 101 after the options dialog: %v", cfg)
	}

	// The node's first-boot delay and ballooning target.
	b.fill("startall-onboot-delay", "15")
	b.fill("ballooning-target", "70")
	b.waitFor("save node", `(() => { const e = document.querySelector('[data-testid=node-guest-save]'); if (e) e.click(); return !!e; })()`)
	b.waitFor("node saved", `document.querySelector('[data-testid=node-guest-settings] [role=status]')?.textContent === 'Saved.'`)
	nc := env.MustOK(root, "GET", node+"/config", nil).Data.(map[string]any)
	if nc["startall-onboot-delay"] != float64(15) || nc["ballooning-target"] != float64(70) {
		t.Errorf("node config %v", nc)
	}

	b.clickText("button", "Stop all")
	b.waitFor("stop order shown", `[...document.querySelectorAll('[data-testid=bulk-plan] li strong')].map((e) => e.textContent).join(',') === '103,102,101'`)
	b.shot("guests-04-stopall-plan")
	b.fill("timeout", "1")
	b.waitFor("run stop", `(() => { const e = document.querySelector('[data-testid=bulk-run]'); if (e) e.click(); return !!e; })()`)
	b.waitFor("stopall done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK'`)
	b.clickText(".dialog button", "×")
	b.waitFor("all stopped", `[...document.querySelectorAll('[data-testid=vm-table] tbody tr .chip')].filter((c) => c.textContent === 'stopped').length === 3`)
	b.checkPageErrors()
}
