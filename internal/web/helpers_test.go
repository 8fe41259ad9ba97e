package web_test

import (
	"io/fs"
	"testing"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/web"
)

// requireBuiltUI skips when the binary carries no UI (dist holds only the placeholder).
func requireBuiltUI(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(web.Files(), "index.html"); err != nil {
		t.Skip("the web UI is not built: run `make ui` first")
	}
}

// loginAdmin adds alice@pve, Administrator on /, opens the UI and logs her
// in through the form.
func loginAdmin(b *browser, env *daemontest.Env) {
	b.t.Helper()
	env.AddUser("alice@pve", "alice-pass", map[string]string{"/": "Administrator"})
	b.do("open", chromedp.Navigate(env.URL+"/"))
	b.waitFor("login form", `!!document.querySelector('form.login-box select[name=realm] option[value=pve]')`)
	b.fill("username", "alice")
	b.fill("password", "alice-pass")
	b.choose("realm", "pve")
	b.clickText("button", "Log in")
	b.waitFor("logged in", `!!document.querySelector('[data-testid=user]')`)
}
