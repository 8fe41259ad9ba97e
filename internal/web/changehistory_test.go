package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
)

// TestBrowserHistory: a change to /etc/hosts shows in the history page
// with its user and a rendered diff, and the page reverts it.
func TestBrowserHistory(t *testing.T) {
	requireBuiltUI(t)
	b := newBrowser(t)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		daemontest.WriteFile(t, root, "etc/hosts", "127.0.0.1 localhost\n")
	}})
	loginAdmin(b, env)
	env.MustOK(env.Login("alice@pve", "alice-pass"), "POST", "/nodes/"+daemontest.Node+"/hosts",
		url.Values{"data": {"127.0.0.1 localhost\n192.0.2.44 ui-test\n"}})

	b.do("history page", chromedp.Navigate(env.URL+"/#/history"))
	b.waitFor("the change listed", `[...document.querySelectorAll('table.history tbody tr')].some((r) => r.textContent.includes('/etc/hosts') && r.textContent.includes('alice@pve'))`)
	b.waitFor("open it", `(() => { const a = [...document.querySelectorAll('table.history a')].find((a) => a.textContent === '/etc/hosts'); if (a) a.click(); return !!a; })()`)
	b.waitFor("diff rendered", `[...document.querySelectorAll('.diff .diff-add')].some((d) => d.textContent.includes('192.0.2.44 ui-test'))`)
	b.shot("page-history")
	b.clickText("button", "Revert this change")
	b.waitFor("reverted", `(document.querySelector('p.ok')?.textContent || '').includes('Reverted as change')`)
	if got, _ := os.ReadFile(filepath.Join(env.Root, "etc/hosts")); string(got) != "127.0.0.1 localhost\n" {
		t.Errorf("after the revert /etc/hosts is %q", got)
	}
	b.checkPageErrors()
}
