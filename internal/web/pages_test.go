package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
)

// login opens the UI and logs in as a pve user through the form.
func login(b *browser, env *daemontest.Env, user, password string) {
	b.t.Helper()
	b.do("open", chromedp.Navigate(env.URL+"/"))
	b.waitFor("login form", `!!document.querySelector('form.login-box select[name=realm] option[value=pve]')`)
	b.fill("username", user)
	b.fill("password", password)
	b.choose("realm", "pve")
	b.clickText("button", "Log in")
	b.waitFor("logged in", `!!document.querySelector('[data-testid=user]')`)
}

// TestBrowserPages visits every page and section the node offers, in the
// light and the dark theme, and saves a screenshot of each: the page must
// render without a script error whatever the (temp-root) host lacks.
func TestBrowserPages(t *testing.T) {
	requireBuiltUI(t)
	b := newBrowser(t)
	env := daemontest.Start(t)
	env.AddUser("alice@pve", "alice-pass", map[string]string{"/": "Administrator"})
	login(b, env, "alice", "alice-pass")

	pages := eval[[]string](b, `[...document.querySelectorAll('#nav a')].map((a) => a.getAttribute('href'))`)
	if len(pages) < 4 {
		t.Fatalf("navigation offers only %q", pages)
	}
	for _, p := range pages {
		b.do("page "+p, chromedp.Navigate(env.URL+"/"+p))
		b.waitFor("page "+p+" rendered", `!!document.querySelector('.content h1') && !document.querySelector('.loading')`)
		b.do("settle", chromedp.Sleep(700*time.Millisecond))
		b.shot("page-" + strings.ReplaceAll(p[2:], "/", "-"))
		tabs := eval[[]string](b, `[...document.querySelectorAll('.tabs a')].map((a) => a.getAttribute('href'))`)
		for _, tab := range tabs[min(1, len(tabs)):] {
			b.do("tab "+tab, chromedp.Navigate(env.URL+"/"+tab))
			b.waitFor("tab "+tab+" rendered", fmt.Sprintf(`document.querySelector('.tabs a[aria-current=page]')?.getAttribute('href') === %q`, tab))
			b.do("settle", chromedp.Sleep(700*time.Millisecond))
			b.shot("page-" + strings.ReplaceAll(tab[2:], "/", "-"))
		}
	}
	b.do("dark", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('hostadm-theme', 'dark')`),
		chromedp.Navigate(env.URL+"/#/summary"), chromedp.Reload())
	b.waitFor("dark summary", `document.documentElement.dataset.theme === 'dark' && !!document.querySelector('[data-testid=uptime]')`)
	b.shot("page-summary-dark")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("page errors: %q", errs)
	}
}
