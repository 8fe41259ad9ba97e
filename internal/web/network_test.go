package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
)

// TestBrowserNetworkAndRepositories stages a bridge through the UI (a bad
// CIDR first, which must show the API's message at the field), reads the
// pending diff, and shows the repositories of a prepared sources file with
// their warnings. Nothing is applied: the files live under the temp root.
func TestBrowserNetworkAndRepositories(t *testing.T) {
	b := newBrowser(t)
	env := daemontest.Start(t, daemontest.Options{Files: map[string]string{
		"etc/os-release":               "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_CODENAME=bookworm\n",
		"etc/apt/sources.list":         "deb http://deb.debian.org/debian bookworm main contrib\ndeb http://deb.debian.org/debian bookworm-updates main\n",
		"etc/network/interfaces":       "auto lo\niface lo inet loopback\n\niface eth0 inet manual\n",
		"etc/apt/sources.list.d/.keep": "",
	}})
	loginAdmin(b, env)

	b.do("network", chromedp.Navigate(env.URL+"/#/network"))
	b.clickText("button", "Create")
	b.fill("iface", "vmbr1")
	b.fill("bridge_ports", "eth0")
	b.fill("cidr", "192.0.2.300/24")
	b.clickText(".dialog button", "Create")
	b.waitFor("cidr field error", `document.querySelector('.dialog .has-error input[name=cidr]') && document.querySelector('.dialog .has-error .field-error')?.textContent.includes('invalid format')`)
	b.shot("net-01-field-error")
	b.fill("cidr", "192.0.2.10/24")
	b.clickText(".dialog button", "Create")
	b.waitFor("pending diff", `!document.querySelector('.dialog') && document.querySelector('[data-testid=network-diff]')?.textContent.includes('+iface vmbr1')`)
	b.shot("net-02-pending-diff")
	if _, err := os.Stat(filepath.Join(env.Root, "etc/network/interfaces.new")); err != nil {
		t.Errorf("the bridge was not staged: %v", err)
	}
	b.clickText("button", "Apply configuration")
	b.waitFor("apply asks with the node name", `document.querySelector('.dialog .object-name')?.textContent === '`+daemontest.Node+`' && !!document.querySelector('.dialog [data-testid=network-diff]')`)
	b.shot("net-03-apply-confirm")
	b.clickText(".dialog button", "Cancel")

	b.do("repositories", chromedp.Navigate(env.URL+"/#/updates/repositories"))
	b.waitFor("repositories", `document.body.textContent.includes('/etc/apt/sources.list') && document.body.textContent.includes('bookworm-updates')`)
	b.shot("apt-01-repositories")
	text := eval[string](b, `document.querySelector('.content').textContent`)
	if !strings.Contains(text, "Standard repositories") {
		t.Errorf("no standard repositories shown")
	}
	b.checkPageErrors()
}
