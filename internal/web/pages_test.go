package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
)

// TestBrowserPages visits every page and section the node offers, in the
// light and the dark theme, and saves a screenshot of each: the page must
// render without a script error whatever the (temp-root) host lacks.
func TestBrowserPages(t *testing.T) {
	b := newBrowser(t)
	env := daemontest.Start(t)
	loginAdmin(b, env)

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
	b.checkPageErrors()
}
